"""The scenario's options for what a new revision meets outside Cloud Run when it is created:
its images in their registry, its Serverless VPC Access connector or Direct VPC network, its
customer-managed encryption key and its owner's Binary Authorization policy
(drift/sandbox/registry.py, drift/sandbox/deploy_checks.py). By default everything exists
and may be used."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DeployCheckOptions(BaseModel):
    """The deploy checks' options: a part of `scenario_options.Options`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    missing_images: list[str] = Field(
        default_factory=list,
        description="Container images, as a template writes them, that do not exist in their "
        "registry: a new revision (a job update, an execution) using one fails its deploy, "
        "CommonReason CONTAINER_MISSING, \"Image 'IMAGE' not found.\" (drift/sandbox/"
        "registry.py); a revision created before keeps serving its imported copy.",
    )
    unreadable_images: list[str] = Field(
        default_factory=list,
        description="Container images the Cloud Run service agent may not read (another "
        "project's registry, no roles/artifactregistry.reader): a new revision using one fails, "
        "CommonReason CONTAINER_PERMISSION_DENIED, 'Google Cloud Run Service Agent … must have "
        "permission to read the image, IMAGE. …'.",
    )
    missing_connectors: list[str] = Field(
        default_factory=list,
        description="Serverless VPC Access connectors (a name, in the resource's project and "
        "region, or projects/P/locations/R/connectors/C) that do not exist.",
    )
    missing_connector: Literal["refused", "revision"] = Field(
        "refused",
        description="A write whose new revision (or job) names a missing connector: gcloud "
        "prints 'VPC connector … does not exist, or Cloud Run does not have permission to use "
        "it.' naming no revision; the status is not documented. `refused`: INVALID_ARGUMENT at "
        "the write. `revision`: the write is accepted and the new revision (the job update) "
        "fails with that message, CommonReason VPC_NETWORK_NOT_FOUND.",
    )
    missing_networks: list[str] = Field(
        default_factory=list,
        description="VPC networks or subnetworks a Direct VPC egress network interface may "
        "name that do not exist or the Cloud Run service agent may not use: a bare name (a "
        "network or a subnetwork of that name, in the resource's project and region) or "
        "projects/P/global/networks/N, projects/P/regions/R/subnetworks/S. A network alone "
        "names the subnetwork of the same name (vendor.proto NetworkInterface).",
    )
    missing_network: Literal["refused", "revision"] = Field(
        "refused",
        description="A write whose new revision (or job) names a network or subnetwork listed "
        "in `missing_networks`: whether Cloud Run refuses the write or makes the revision and "
        "fails it is not documented. `refused`: INVALID_ARGUMENT at the write. `revision`: the "
        "new revision (the job update) fails, CommonReason VPC_NETWORK_NOT_FOUND.",
    )
    unusable_keys: dict[str, Literal["permission_denied", "check_failed"]] = Field(
        default_factory=dict,
        description="Cloud KMS keys (projects/P/locations/L/keyRings/R/cryptoKeys/K) a "
        "template's encryption_key may name that Cloud Run cannot use: `permission_denied` "
        "(the Cloud Run service agent lacks roles/cloudkms.cryptoKeyEncrypterDecrypter: "
        "ENCRYPTION_KEY_PERMISSION_DENIED) or `check_failed` (disabled or destroyed: "
        "ENCRYPTION_KEY_CHECK_FAILED). 'If a CMEK key is disabled, deploying a new Cloud Run "
        "revision will fail' and 'new instances of existing Cloud Run revisions using the key "
        "won't start' (run/docs/securing/using-cmek): a revision serving already keeps its "
        "Ready condition (nothing documents a change) while no new instance of it starts.",
    )
    unusable_key: Literal["revision", "refused"] = Field(
        "revision",
        description="A write whose new revision (or job) names a key listed in "
        "`unusable_keys`: `revision` (the docs' 'deploying … will fail'): the revision is made "
        "and fails with the key's CommonReason; `refused`: INVALID_ARGUMENT at the write.",
    )
    binauthz_denied_images: list[str] = Field(
        default_factory=list,
        description="Container images the Binary Authorization policy denies (not attested): "
        "checked only for a service, job or pool whose binary_authorization sets use_default "
        "or a policy, and with no breakglass_justification. A service's new revision fails "
        "its deploy (CONTAINER_IMAGE_UNAUTHORIZED); a job's update succeeds and its "
        "executions fail (binary-authorization/docs/run/overview); existing revisions keep "
        "serving ('Changes in the Binary Authorization policy do not retroactively apply').",
    )
    binauthz_policies: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Images a named Binary Authorization policy denies on top of "
        "`binauthz_denied_images` (which every policy, the project's default included, "
        "denies), by the name a workload's binary_authorization.policy gives it ('The path to "
        "a binary authorization policy. Format: projects/{project}/platforms/cloudRun/"
        "{policy-name}', run v2 BinaryAuthorization): a policy is its own rules, so a "
        "stricter one may deny what the default allows. Checked as `binauthz_denied_images`.",
    )
    binauthz_denied: Literal["revision", "refused"] = Field(
        "revision",
        description="A service write whose new revision runs an image in "
        "`binauthz_denied_images`: `revision` ('the deployment will fail'; the console shows "
        "the error with a Breakglass button on the service): the revision is made and fails; "
        "`refused`: INVALID_ARGUMENT at the write. Which one Cloud Run does is not documented.",
    )
    mount_path_twice: Literal["refused", "taken"] = Field(
        "refused",
        description="A write whose container mounts two volumes at one path (`/data` and "
        "`/data/` alike). run v2's VolumeMount.mount_path and the volume pages are silent; "
        "Knative Serving refuses it ('mountPath must be unique', k8s_validation.go "
        "validateVolumeMounts), as Kubernetes does. `refused`: INVALID_ARGUMENT; `taken`: "
        "stored as sent, one volume hiding the other.",
    )
    startup_window: Literal["refused", "taken"] = Field(
        "taken",
        description="A write whose startup probe's failure threshold times its period is over "
        "240 s. The jobs' and worker pools' healthchecks pages: that time 'can't exceed 240 "
        "seconds'; not whether a longer one is refused or cut short. `refused`: "
        "INVALID_ARGUMENT; `taken`: stored (the sandbox's probes answer at once).",
    )
    network_volumes_gen1: Literal["refused", "taken"] = Field(
        "refused",
        description="A service write whose template sets the first generation execution "
        "environment beside a Cloud Storage or NFS volume. The execution environments page "
        "lists 'Network file system support' among the second generation's features and the "
        "Terraform provider says Cloud Storage volumes are 'only supported in the gen2 "
        "execution environment'; the API reference is silent. `refused`: INVALID_ARGUMENT; "
        "`taken`: accepted.",
    )
    readiness_tcp: Literal["taken", "refused"] = Field(
        "taken",
        description="A service write whose container has a TCP readiness probe "
        "(readiness_probe.tcp_socket). The healthchecks page's 'Configure readiness probes' "
        "configures HTTP and gRPC ones only, gcloud's --readiness-probe has no tcpSocket key, "
        "and k8s.min.proto's Probe takes any of the three; no document says the API refuses "
        "one. `taken`: stored as sent; `refused`: INVALID_ARGUMENT.",
    )
    liveness_delay: Literal["taken", "refused"] = Field(
        "taken",
        description="A service write whose liveness probe's initial delay is over 600 s (1800 "
        "s with a GPU). The services' healthchecks page, 'Configure liveness probes': 'Specify a "
        "value from 0 seconds to 600 seconds (1800 for GPU)'; run v2's Probe: 'Maximum value for "
        "liveness probe is 3600'. `taken`: stored (the proto's bound); `refused`: "
        "INVALID_ARGUMENT.",
    )
