"""The Knative (Cloud Run Admin API v1) names of Cloud Run v2 fields that have no field of their
own in `serving.knative.dev/v1`: annotations, labels and their values.

Sources (research notes `facts.md` §12, read from gcloud 578.0.0 `lib/googlecloudsdk/`):
`api_lib/run/k8s_object.py` (group names, description, launch stage, binary authorization,
execution environment, custom audiences, network interfaces, container dependencies,
accelerator node selector, regions), `api_lib/run/container_resource.py` (Cloud SQL, VPC
connector and egress, CMEK, secrets aliases, CPU throttling, startup boost, health check,
invoker IAM, default URL), `api_lib/run/revision.py` (revision min/max scale, session
affinity, mesh, base images, GPU zonal redundancy), `api_lib/run/service.py` (ingress, IAP,
service min/max scale, scaling mode, manual instance count), `command_lib/run/flags.py`
(scaling mode values `automatic|manual`, revocation actions `prevent-new|shut-down`),
`command_lib/run/config_changes.py` (JSON forms), `command_lib/run/volumes.py` (Cloud Storage
volumes as CSI `gcsfuse.run.googleapis.com`, in-memory `emptyDir` medium `Memory`),
`command_lib/run/printers/export_printer.py` (what `--format export` leaves out)."""

from __future__ import annotations

from drift.fields import catalogue as fields
from drift.fields import ingress

RUN = "run.googleapis.com"

# service metadata
INGRESS = f"{RUN}/ingress"
INGRESS_STATUS = f"{RUN}/ingress-status"
DESCRIPTION = f"{RUN}/description"
LAUNCH_STAGE = f"{RUN}/launch-stage"
BINAUTHZ = f"{RUN}/binary-authorization"
BINAUTHZ_BREAKGLASS = f"{RUN}/binary-authorization-breakglass"
INVOKER_IAM_DISABLED = f"{RUN}/invoker-iam-disabled"
DEFAULT_URL_DISABLED = f"{RUN}/default-url-disabled"
IAP_ENABLED = f"{RUN}/iap-enabled"
CUSTOM_AUDIENCES = f"{RUN}/custom-audiences"
SERVICE_MIN_SCALE = f"{RUN}/minScale"
SERVICE_MAX_SCALE = f"{RUN}/maxScale"
SCALING_MODE = f"{RUN}/scalingMode"
MANUAL_INSTANCES = f"{RUN}/manualInstanceCount"
REGIONS = f"{RUN}/regions"
CLIENT_NAME = f"{RUN}/client-name"
CLIENT_VERSION = f"{RUN}/client-version"
LOCATION_LABEL = "cloud.googleapis.com/location"
"""gcloud `services replace` reads the region from this label (`Service.region`)."""

# revision template metadata
MIN_SCALE = "autoscaling.knative.dev/minScale"
MAX_SCALE = "autoscaling.knative.dev/maxScale"
CPU_THROTTLING = f"{RUN}/cpu-throttling"
STARTUP_BOOST = f"{RUN}/startup-cpu-boost"
SESSION_AFFINITY = f"{RUN}/sessionAffinity"
EXECUTION_ENVIRONMENT = f"{RUN}/execution-environment"
VPC_CONNECTOR = f"{RUN}/vpc-access-connector"
VPC_EGRESS = f"{RUN}/vpc-access-egress"
NETWORK_INTERFACES = f"{RUN}/network-interfaces"
CLOUDSQL = f"{RUN}/cloudsql-instances"
SECRETS = f"{RUN}/secrets"
DEPENDENCIES = f"{RUN}/container-dependencies"
ENCRYPTION_KEY = f"{RUN}/encryption-key"
REVOCATION_ACTION = f"{RUN}/post-key-revocation-action-type"
SHUTDOWN_HOURS = f"{RUN}/encryption-key-shutdown-hours"
HEALTH_CHECK_DISABLED = f"{RUN}/health-check-disabled"
MESH = f"{RUN}/mesh"
BASE_IMAGES = f"{RUN}/base-images"
BASE_IMAGE_RUNTIME = f"{RUN}/linux-base-image-update"
"""`spec.runtimeClassName` gcloud sets beside the base-images annotation."""
GPU_ZONAL_REDUNDANCY_DISABLED = f"{RUN}/gpu-zonal-redundancy-disabled"
ACCELERATOR = f"{RUN}/accelerator"
"""The `nodeSelector` key of a GPU type."""
GCSFUSE_DRIVER = "gcsfuse.run.googleapis.com"

BUILD = {
    "source_location": f"{RUN}/build-source-location",
    "function_target": f"{RUN}/build-function-target",
    "image_uri": f"{RUN}/build-image-uri",
    "base_image": f"{RUN}/build-base-image",
    "enable_automatic_updates": f"{RUN}/build-enable-automatic-updates",
    "environment_variables": f"{RUN}/build-environment-variables",
    "service_account": f"{RUN}/build-service-account",
    "worker_pool": f"{RUN}/build-worker-pool",
    "name": f"{RUN}/build-name",
}
"""Service.build_config (a source or function deploy), field by field: the service annotations
gcloud 528 writes for it (api_lib/run/service.py `RUN_FUNCTIONS_BUILD_*`;
command_lib/run/serverless_operations.py `_AddRunFunctionsAnnotations`: the environment
variables as a JSON object, automatic updates `true`/`false`)."""

SERVICE_KEYS = frozenset(
    {
        *BUILD.values(),
        INGRESS,
        DESCRIPTION,
        LAUNCH_STAGE,
        BINAUTHZ,
        BINAUTHZ_BREAKGLASS,
        INVOKER_IAM_DISABLED,
        DEFAULT_URL_DISABLED,
        IAP_ENABLED,
        CUSTOM_AUDIENCES,
        SERVICE_MIN_SCALE,
        SERVICE_MAX_SCALE,
        SCALING_MODE,
        MANUAL_INSTANCES,
        REGIONS,
    }
)
"""Service annotations that stand for v2 fields (read into fields, never kept as annotations)."""

TEMPLATE_KEYS = frozenset(
    {
        MIN_SCALE,
        MAX_SCALE,
        CPU_THROTTLING,
        STARTUP_BOOST,
        SESSION_AFFINITY,
        EXECUTION_ENVIRONMENT,
        VPC_CONNECTOR,
        VPC_EGRESS,
        NETWORK_INTERFACES,
        CLOUDSQL,
        SECRETS,
        DEPENDENCIES,
        ENCRYPTION_KEY,
        REVOCATION_ACTION,
        SHUTDOWN_HOURS,
        HEALTH_CHECK_DISABLED,
        MESH,
        BASE_IMAGES,
        GPU_ZONAL_REDUNDANCY_DISABLED,
    }
)
"""Template annotations that stand for v2 fields."""

SERVER_SET = frozenset(
    {
        "serving.knative.dev/creator",
        "serving.knative.dev/lastModifier",
        CLIENT_NAME,
        CLIENT_VERSION,
        f"{RUN}/creatorEmail",
        f"{RUN}/lastModifierEmail",
        f"{RUN}/operation-id",
    }
)
"""Service annotations `gcloud run services describe --format export` leaves out (the server
writes them; `replace` sets its own client): left out here too, and ignored when read."""

READ_ONLY = frozenset({INGRESS_STATUS, f"{RUN}/urls"})
"""Service annotations the server reports, ignored when a file is read."""

INGRESS_VALUES = ingress.INGRESS
"""v2 enum names -> the Knative values (the same words as profiles use)."""
EGRESS_VALUES = fields.EGRESS
EGRESS_ALIASES = {"all": "ALL_TRAFFIC"}
"""gcloud still knows the legacy egress value `all` (`EGRESS_SETTINGS_ALL`)."""
EXECUTION_VALUES = fields.EXECUTION
SCALING_MODES = {"AUTOMATIC": "automatic", "MANUAL": "manual"}
REVOCATION_VALUES = {"PREVENT_NEW": "prevent-new", "SHUTDOWN": "shut-down"}
