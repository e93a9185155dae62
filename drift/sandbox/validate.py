"""The checks Cloud Run makes on a service spec: the request itself (INVALID_ARGUMENT), the
traffic it routes, and at deploy time every secret the new revision uses (which fails the
revision, not the request)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import grpc
from google.protobuf.message import Message

from drift.sandbox import container_rules
from drift.sandbox.backend import NoInstance
from drift.sandbox.container_rules import validate_fields, validate_network_volumes
from drift.sandbox.cpu_rules import ONE_CPU as ONE_CPU
from drift.sandbox.cpu_rules import instance_cpu as instance_cpu
from drift.sandbox.cpu_rules import instance_size as instance_size
from drift.sandbox.cpu_rules import validate_cpu as validate_cpu
from drift.sandbox.deploy_checks import key_stops_instances
from drift.sandbox.gpu import validate_gpu
from drift.sandbox.kinds import kind_of
from drift.sandbox.limits import DEFAULT_SIZES, Sizes, validate_sizes
from drift.sandbox.names import ResourceKey, RpcError, invalid
from drift.sandbox.pb import RevisionPb, TrafficPb
from drift.sandbox.registry import Problem, registry_problem
from drift.sandbox.request_limits import validate_request_limits
from drift.sandbox.revisions import LATEST, REVISION, is_ready, revision_env, secret_uses
from drift.sandbox.scenario_fields import account_problem
from drift.sandbox.scenario_options import Options
from drift.sandbox.state import ProjectRec, VersionState, World

# What Cloud Run's environment-variables page forbids for a name: the empty string, a name
# holding "=", a name starting with X_GOOGLE_ (cloud.google.com/run/docs/configuring/services/
# overview-environment-variables); run v2 EnvVar.name: "Must not exceed 32768 characters."
# Nothing else is documented: `my var` or `::x` is a name Cloud Run takes.
ENV_NAME = re.compile(r"(?!X_GOOGLE_)[^=]{1,32768}", re.DOTALL)
ENV_VALUE_MAX = 32768
# "you can set a maximum of 1000 environment variables per container for each Cloud Run
# service" (cloud.google.com/run/docs/configuring/services/environment-variables, "Maximum
# number of environment variables"; …/jobs/environment-variables says it of jobs)
ENV_COUNT_MAX = 1000
MAX_TAGGED = 46
TAG = re.compile(r"^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$")
# A revision name is a DNS label (RFC 1123): lowercase letters, digits and '-', 63 at most.
REVISION_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


def validate_revision_name(key: ResourceKey, name: str) -> None:
    if not name.startswith(f"{key.id}-"):
        enclosing = "Service" if kind_of(key).serves else "WorkerPool"
        raise invalid(
            f"spec.template.revision: '{name}' must be prefixed by the name of "
            f"the enclosing {enclosing}: '{key.id}-'."
        )
    if len(name) > 63 or not REVISION_NAME.fullmatch(name):
        raise invalid(
            f"spec.template.revision: '{name}' must be a DNS label of at most 63 lowercase "
            "letters, digits and '-'."
        )


def validate_spec(
    key: ResourceKey,
    service: Message,
    *,
    stored: Message | None = None,
    fine_cpu: str = "unchanged",
    sizes: Sizes = DEFAULT_SIZES,
    mesh_name: str = "full",
    gen1_volumes: str = "refused",
    optional: container_rules.OpenRules = container_rules.OPEN_DEFAULTS,
) -> None:
    """The checks the API makes before accepting a request (INVALID_ARGUMENT): a service's
    or a worker pool's (`key.collection`). `stored`: the resource as it is (its CPU limits
    may stand, `validate_cpu`); `fine_cpu`, `mesh_name`: the scenario's options of those
    names; `sizes`: its readings of an instance's documented sizes; `gen1_volumes`: its
    `network_volumes_gen1`; `optional`: its readings of the open container rules."""
    kind = kind_of(key)
    template = service.template
    validate_containers(
        template, ingress=kind.serves, reserved=SERVICE_ENV if kind.serves else frozenset()
    )
    container_rules.validate_optional(template, optional, serves=kind.serves)
    validate_vpc_access(template)
    validate_encryption_key(template)
    validate_service_mesh(template, mesh_name)
    validate_gpu(template, serves=kind.serves, size=instance_size)
    validate_sizes(template, sizes, floors=not kind.serves, pool=True)
    if kind.serves:
        validate_network_volumes(template, gen1_volumes)
        held = stored.template if stored is not None else None
        validate_cpu(
            template, stored=held, fine_cpu=fine_cpu, below_one_memory=sizes.below_one_memory
        )
    if template.revision:
        validate_revision_name(key, template.revision)
    if problem := account_problem(template.service_account):
        raise invalid(f"spec.template.{problem}")
    validate_request_limits(service)
    _validate_traffic(getattr(service, kind.split), kind.split if kind.serves else None, key.id)


def validate_update(key: ResourceKey, service: Message, stored: Message, options: Options) -> None:
    """`validate_spec` of a write, as the scenario's `options` read what it leaves open."""
    validate_spec(
        key,
        service,
        stored=stored,
        fine_cpu=options.fine_cpu,
        sizes=options.sizes,
        mesh_name=options.mesh_name,
        gen1_volumes=options.network_volumes_gen1,
        optional=container_rules.OpenRules.of(options),
    )


def validate_vpc_access(template: Message) -> None:
    """VPC access, where the template gives it, names a connector or network interfaces, not
    both and not neither (an egress alone): the API's "INVALID_ARGUMENT: Violation in
    …template.vpc_access.connector: one and only one of connector and network_interfaces must
    be set." (googleapis/google-cloud-node#4731, a request whose vpc_access set neither)."""
    if "vpc_access" not in template.DESCRIPTOR.fields_by_name or not template.HasField(
        "vpc_access"
    ):
        return
    vpc = template.vpc_access
    if bool(vpc.connector) == bool(len(vpc.network_interfaces)) and (vpc.connector or vpc.egress):
        raise invalid(
            "Violation in template.vpc_access.connector: one and only one of connector and "
            "network_interfaces must be set."
        )
    # VpcAccess.network_interfaces: "Currently only single network interface is supported"
    # (REST reference of VpcAccess); NetworkInterface: "At least one of network or subnetwork
    # must be specified" (vpc_access.proto). The wording is the sandbox's.
    if len(vpc.network_interfaces) > 1:
        raise invalid("template.vpc_access.network_interfaces: only one network interface.")
    for interface in vpc.network_interfaces:
        if not (interface.network or interface.subnetwork):
            raise invalid(
                "template.vpc_access.network_interfaces: a network interface needs a network "
                "or a subnetwork."
            )


CRYPTO_KEY = re.compile(r"projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+")


def validate_encryption_key(template: Message) -> None:
    """RevisionTemplate (TaskTemplate, WorkerPoolRevisionTemplate).encryption_key is a
    `cloudkms.googleapis.com/CryptoKey` (revision_template.proto's resource_reference):
    `projects/{project}/locations/{location}/keyRings/{key_ring}/cryptoKeys/{crypto_key}`.
    The server's wording of a refusal is not quoted anywhere: this one is the sandbox's."""
    key = template.encryption_key
    if key and not CRYPTO_KEY.fullmatch(key):
        raise invalid(
            f"template.encryption_key: '{key}' is not a Cloud KMS key name: expected "
            "projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY."
        )


MESH = re.compile(r"projects/[^/]+/locations/global/meshes/[^/]+")


def validate_service_mesh(template: Message, mesh_name: str = "full") -> None:
    """RevisionTemplate (WorkerPoolRevisionTemplate).service_mesh.mesh: "The Mesh resource
    name. Format: projects/{project}/locations/global/meshes/{mesh}, where {project} can be
    project id or number" (google/cloud/run/v2 revision_template.proto); a short name is
    refused or kept as the option `mesh_name` says (not documented). The wording is the
    sandbox's."""
    if "service_mesh" not in template.DESCRIPTOR.fields_by_name:
        return
    mesh = template.service_mesh.mesh
    if not mesh or MESH.fullmatch(mesh) or (mesh_name == "kept" and "/" not in mesh):
        return
    raise invalid(
        f"template.service_mesh.mesh: '{mesh}' is not a mesh's name: expected "
        "projects/PROJECT/locations/global/meshes/MESH."
    )


SERVICE_ENV = frozenset({"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"})
JOB_ENV = frozenset(
    {
        "CLOUD_RUN_JOB",
        "CLOUD_RUN_EXECUTION",
        "CLOUD_RUN_TASK_INDEX",
        "CLOUD_RUN_TASK_ATTEMPT",
        "CLOUD_RUN_TASK_COUNT",
    }
)
"""The variables the container runtime contract defines (cloud.google.com/run/docs/
container-contract#env-vars): "reserved and cannot be set" (…/configuring/services/
overview-environment-variables and …/jobs/environment-variables, "Reserved names"). Google's
answer, as hashicorp/terraform-provider-google#26877 quotes it: 400 "template.containers[0].env:
The following reserved env names were provided: PORT. These values are automatically set…"."""


def _check_reserved_env(at: str, names: Iterable[str], reserved: frozenset[str]) -> None:
    found = [n for n in names if n in reserved]
    if found:
        raise invalid(
            f"{at}: The following reserved env names were provided: {', '.join(found)}. "
            "These values are automatically set by the system."
        )


def validate_containers(
    template: Message, *, ingress: bool = True, reserved: frozenset[str] = frozenset()
) -> None:
    """A template's containers and volumes (a RevisionTemplate, WorkerPoolRevisionTemplate
    or TaskTemplate); `ingress`: exactly one of several containers has a port; `reserved`:
    the variable names Cloud Run sets (SERVICE_ENV, JOB_ENV)."""
    if not template.containers:
        raise invalid("spec.template.spec.containers: at least one container is required.")
    names = [c.name for c in template.containers]
    volumes = {v.name for v in template.volumes}
    several = len(template.containers) > 1
    if ingress and several and sum(1 for c in template.containers if c.ports) != 1:
        # sidecars: exactly one container, the ingress container, declares a port
        # (https://cloud.google.com/run/docs/deploying#sidecars)
        raise invalid("spec.template.spec.containers: exactly one container must have a port.")
    if several and (len(set(names)) != len(names) or not all(names)):
        raise invalid("spec.template.spec.containers: containers need distinct names.")
    validate_fields(template, serves=ingress)
    for index, container in enumerate(template.containers):
        at = f"spec.template.spec.containers[{index}]"
        if not container.image:  # its form and registry: `metadata.validate_metadata`
            raise invalid(f"{at}.image: must be set.")
        for dep in container.depends_on:
            if dep not in names or dep == container.name:
                raise invalid(f"{at}.depends_on: no other container named '{dep}'.")
        for mount in container.volume_mounts:
            if mount.name not in volumes:
                raise invalid(f"{at}.volume_mounts: no volume named '{mount.name}'.")
        _names_once((var.name for var in container.env), ENV_NAME, f"{at}.env", "name")
        env_values(container, at)
        # PORT: "Cloud Run injects the PORT environment variable into the ingress container"
        # (the contract), the one with a port when there are several
        mine = reserved if not several or container.ports else reserved - {"PORT"}
        _check_reserved_env(
            f"template.containers[{index}].env", (v.name for v in container.env), mine
        )
    for index, volume in enumerate(template.volumes):
        if volume.HasField("secret"):
            for item in volume.secret.items:
                # "When items are defined, they must specify a path and a version."
                # (SecretVolumeSource.items, k8s_min.proto)
                for field in ("path", "version"):
                    if not getattr(item, field):
                        raise invalid(f"spec.template.spec.volumes[{index}].secret.items: {field}.")


def env_values(container: Message, at: str) -> None:
    """The variables within Cloud Run's limits, on a write or in a scenario's seeded state
    (`drift.sandbox.seed`): at most `ENV_COUNT_MAX` a container, each value "Defaults to "",
    and the maximum length is 32768 bytes." (run v2 EnvVar.value). The wording is the
    sandbox's."""
    if len(container.env) > ENV_COUNT_MAX:
        raise invalid(
            f"{at}.env: {len(container.env)} variables; Cloud Run allows at most "
            f"{ENV_COUNT_MAX} environment variables per container."
        )
    for var in container.env:
        if len(var.value.encode()) > ENV_VALUE_MAX:
            raise invalid(f"{at}.env: value of '{var.name}' is over {ENV_VALUE_MAX} bytes.")


def _names_once(names: Iterable[str], pattern: re.Pattern[str], at: str, what: str) -> None:
    """Every name is well formed and stands once (`at`: where in the request)."""
    seen: set[str] = set()
    for name in names:
        if not pattern.fullmatch(name):
            raise invalid(f"{at}: invalid {what} '{name}'.")
        if name in seen:
            raise invalid(f"{at}: duplicate {what} '{name}'.")
        seen.add(name)


def _validate_traffic(traffic: Iterable[TrafficPb], tagged: str | None, service: str) -> None:
    """Traffic targets (`tagged` = "traffic": tags allowed) or instance splits (None)."""
    total = 0
    at = f"spec.{tagged or 'instance_splits'}"
    if tagged:
        _names_once((t.tag for t in traffic if t.tag), TAG, at, "tag")
        for target in traffic:
            # the tag URL's DNS label holds both: Google's answer as firebase/firebase-tools#6137
            # quotes it (INVALID_ARGUMENT, field `spec.traffic.tag`), also PolicyEngine/
            # policyengine-api#3729 and solana-foundation/tokens#89
            if target.tag and len(target.tag) + len(service) > MAX_TAGGED:
                raise invalid(
                    f"spec.traffic.tag: traffic tag '{target.tag}' and service name "
                    f"'{service}' together are too long. Combined traffic tag and service name "
                    f"cannot exceed {MAX_TAGGED} characters."
                )
    for target in traffic:
        if target.type_ == LATEST and target.revision:
            raise invalid(f"{at}: a LATEST target cannot name a revision.")
        if target.type_ == REVISION and not target.revision:
            raise invalid(f"{at}: a REVISION target must name a revision.")
        if not 0 <= target.percent <= 100:
            raise invalid(f"{at}: percent {target.percent} is out of range.")
        total += target.percent
    if traffic and total != 100:
        raise invalid(f"{at}: percents must add up to 100, not {total}.")


def missing_message(revision: str) -> str:  # terraform-docs-samples#269 (`missing_traffic`)
    return (
        f"Revision '{revision}' does not exist or is deleted. Update all traffic to route to "
        "currently available revisions."
    )


def check_routable(
    traffic: Iterable[TrafficPb],
    revisions: Mapping[str, RevisionPb],
    new: str | None,
    field: str = "traffic",
) -> None:
    """Named revisions must exist (or be the one this update creates) and be ready."""
    for target in traffic:
        name = target.revision
        if not name or name == new:
            continue
        if name not in revisions:
            raise invalid(f"spec.{field}: Revision '{name}' does not exist.")
        if not is_ready(revisions[name]):
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Revision '{name}' is not ready and cannot serve traffic.",
            )


def template_problem(
    world: World, project: ProjectRec, template: Message, region: str
) -> Problem | None:
    """Why a revision of this template (in `region`) would fail its deploy checks, or None:
    its images and connector (`drift.sandbox.registry`), then every secret it uses, env or
    volume — existence, version state and access by the revision's service account
    (https://cloud.google.com/run/docs/configuring/services/secrets)."""
    outside = registry_problem(world, project, region, template)
    if outside is not None:
        return outside
    account = template.service_account or project.default_service_account
    for use in secret_uses(template):
        problem = _secret_problem(world, project, use.secret, use.version, account)
        if problem:
            return Problem(f"{use.where}: {problem}")
    return None


def instance_env(
    world: World, project: ProjectRec, revision: RevisionPb
) -> dict[str, str] | NoInstance:
    """The environment a new instance of `revision` starts with, or NoInstance when none can
    start: "If the secret is an environment variable, the value of the secret is retrieved
    prior to starting the instance, so if secret retrieval fails, the instance does not start"
    (cloud.google.com/run/docs/configuring/services/secrets, "How secrets are checked at
    deployment and runtime") — retrieved by the revision's service account, with the checks
    a deploy makes (any container's env: a sidecar's too starts with the instance). A mounted
    secret is read when the file is read: the instance starts (the backend reads no file)."""
    stopped = key_stops_instances(project, world, revision)  # its CMEK key unusable since
    if stopped:
        return NoInstance(world.options.no_instance_status, stopped)
    account = revision.service_account or project.default_service_account
    for use in (u for u in secret_uses(revision) if not u.mounted):
        problem = _secret_problem(world, project, use.secret, use.version, account)
        if problem:
            return NoInstance(world.options.no_instance_status, f"{use.where}: {problem}")
    return revision_env(world, project, revision)


def _secret_problem(
    world: World, project: ProjectRec, ref: str, version: str, account: str
) -> str | None:
    key = world.secret_ref_key(project, ref)
    owner = world.projects.get(key.project)
    number = owner.number if owner else key.project
    shown = f"projects/{number}/secrets/{key.secret}/versions/{version}"
    rec = world.secrets.get(key)
    if rec is None:
        return f"Secret {shown} was not found"
    try:
        found = world.resolve_version(rec, version)
    except RpcError:
        return f"Secret {shown} was not found"
    # the name a condition tests the version by: option `alias_in_conditions`
    named = version if world.options.alias_in_conditions == "alias" else str(found.number)
    if not world.can_access(key, f"serviceAccount:{account}", named):
        return (
            f"Permission denied on secret: {shown} for Revision service account {account}. "
            "The service account used must be granted the 'Secret Manager Secret Accessor' "
            "role (roles/secretmanager.secretAccessor) at the secret, project or higher level."
        )
    if found.state != VersionState.ENABLED:
        return f"Secret {shown} is in {VersionState(found.state).name} state"
    return None
