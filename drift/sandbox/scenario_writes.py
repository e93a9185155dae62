"""The scenario's options for what a write does (a part of `scenario_options.Options`): what
it stores and reads back as, how it is refused, and when it is done — the switches for write
behaviours the documentation leaves open."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WriteOptions(BaseModel):
    """The writes' options: a part of `scenario_options.Options`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    same_name_same_config: Literal["reuse", "already_exists"] = Field(
        "already_exists",
        description="template.revision names an existing revision with this very configuration.",
    )
    failed_resend: Literal["stays_failed", "new_revision"] = Field(
        "stays_failed",
        description="An update of a service or worker pool that resends its template unchanged "
        "while its latest created revision failed (its cause fixed since: a grant added, a "
        "version enabled). Not documented: `stays_failed`: no revision is made, the failed one "
        "stays latest created; `new_revision`: a new revision is made and checked again.",
    )
    reserved_metadata: Literal["unchanged_ok", "reject"] = Field(
        "unchanged_ok",
        description="Reserved-namespace labels/annotations resent unchanged on a v2 write.",
    )
    image_registries: Literal["supported", "any"] = Field(
        "supported",
        description="Which registries a new revision's images may come from. `supported`: "
        "Docker Hub (no host, docker.io), [region.]gcr.io, [region-]docker.pkg.dev and "
        "ghcr.io; any other host is refused, INVALID_ARGUMENT 'Expected an image path like "
        "[host/]repo-path[:tag and/or @digest], where host is one of [region.]gcr.io, "
        "[region-]docker.pkg.dev or docker.io but obtained IMAGE' (as users quote the server, "
        "ko-build/terraform-provider-ko#205; run/docs/deploying: other registries through an "
        "Artifact Registry remote repository; its newer copies add GitHub Container Registry). "
        "`any`: every valid image reference (a registry Cloud Run may come to take).",
    )
    mesh_name: Literal["full", "kept"] = Field(
        "full",
        description="A template's service_mesh.mesh that is not the documented full name "
        "(ServiceMesh.mesh: 'Format: projects/{project}/locations/global/meshes/{mesh}'), as a "
        "hand-written request may send a mesh's short name (gcloud's --mesh qualifies one "
        "with the project before sending it). Not documented: `full`: INVALID_ARGUMENT; "
        "`kept`: a short name (no '/') is stored and read back as sent.",
    )
    client_when_omitted: Literal["cleared", "kept"] = Field(
        "cleared", description="A full-replace UpdateService that sends no `client`."
    )
    template_defaults: Literal["filled", "unset"] = Field(
        "filled",
        description="A service's or worker pool's write that leaves documented defaults out "
        "(max instances 100, timeout 300 s, concurrency 80|1, port 8080 and the default TCP "
        "startup probe, 1 CPU / 512 MiB with cpu_idle, secret files 0444): `filled`: they are "
        "written in, as 'default values populated' (UpdateServiceRequest.validate_only) says "
        "the server does; `unset`: stored as sent. Which of them a read shows is not documented "
        "field by field (`drift.sandbox.server_defaults`).",
    )
    omitted_mask: Literal["whole", "populated"] = Field(
        "whole",
        description="An UpdateService or UpdateWorkerPool sent without `update_mask`. run v2 "
        "UpdateServiceRequest.update_mask (UpdateWorkerPoolRequest's alike) says only "
        "'Optional. The list of fields to be updated'. `whole`: every mutable field is "
        "written as sent, an empty one cleared (a full replace, as UpdateJob, which has no "
        "mask). `populated`: AIP-134's default, 'an implied field mask equivalent to all "
        "fields that are populated (have a non-empty value)' (aip.dev/134; the words other "
        "googleapis update requests carry): a field sent empty, zero or false keeps what was "
        "stored; lists and maps sent non-empty are replaced whole. `whole` is the default: "
        "Terraform's google_cloud_run_v2_service updates by PATCH with no mask (magic-modules "
        "mmv1/products/cloudrunv2/Service.yaml, `update_verb: PATCH`, no `update_mask`), and "
        "a template.revision it leaves out is cleared, a new name generated "
        "(hashicorp/terraform-provider-google#14569: the 409 'already exists' went once the "
        "old name was no longer sent). drift's writes carry a mask (`drift.fix.update_mask`): "
        "this is for other writers (a teammate's client, a test's request).",
    )
    mask_message: Literal["replaced", "merged"] = Field(
        "replaced",
        description="An UpdateService or UpdateWorkerPool whose `update_mask` names a message "
        "field (`template`, `scaling`, `template.vpc_access`). run v2 says only 'Optional. The "
        "list of fields to be updated'. `replaced`: the message is replaced whole, a field "
        "the request leaves empty cleared, as AIP-161's read-write consistency requires ('If "
        "a user updates a resource with a given mask, and then reads the same resource with "
        "the same mask, the exact same data must be returned', google.aip.dev/161). "
        "`merged`: google/protobuf/field_mask.proto's default ('If a sub-message is specified "
        "in the last position of the field mask for an update operation, then new value will "
        "be merged into the existing sub-message'; protobuf's FieldMask.MergeMessage with "
        "replace_message_field false): the fields the request sets are written, the rest "
        "kept, a message the request leaves out kept, and the lists inside appended. A path "
        "to a list or a map replaces it under either (AIP-161 as above; field_mask.proto's "
        "'appended' would leave no way to remove a traffic target, and Cloud Run v2 replaced "
        "`template.containers` named in a mask, fullsend-ai/fullsend#1844).",
    )
    created_while_reconciling: Literal["new", "previous"] = Field(
        "new",
        description="What Service.latest_created_revision (WorkerPool's alike) names while the "
        "update that makes a revision reconciles. run v2 service.proto calls it 'Name of the "
        "last created revision' and, of `reconciling`, lists only observed_generation, "
        "latest_ready_revision, traffic_statuses and uri as transient, not when it moves: "
        "`new`: the revision being rolled out, from the moment the update is accepted; "
        "`previous`: the one before it until the deploy settles (the reconciliation creates "
        "the revision).",
    )
    startup_probes: Literal["served", "passed"] = Field(
        "served",
        description="A new service revision's ingress startup probe: `served`: tried against "
        "what the backend serves (an HTTP GET on / or /healthz, a TCP connect, on the "
        "container's port; no gRPC), a failing one fails the revision "
        "(HEALTH_CHECK_CONTAINER_ERROR, `drift.sandbox.startup`); `passed`: every one passes.",
    )
    http_probe_h2c: Literal["passes", "fails"] = Field(
        "passes",
        description="Under `startup_probes: served`, an HTTP startup probe of an ingress "
        "container whose port is h2c (end-to-end HTTP/2). The healthchecks page: 'your service "
        "must use HTTP/1 (the Cloud Run default), not HTTP/2'; not what happens otherwise. "
        "`passes`: the backend answers it as over HTTP/1; `fails`: the app speaks HTTP/2 only, "
        "the probe fails and so does the revision.",
    )
    job_defaults: Literal["filled", "unset"] = Field(
        "filled", description="Job writes come back with task_count, max_retries, timeout set."
    )
    stale_etag: Literal[
        "aborted", "failed_precondition", "failed_precondition_unsaid", "ignored"
    ] = Field(
        "aborted",
        description="A write (UpdateService, UpdateJob, UpdateWorkerPool, RunJob, DeleteRevision) "
        "naming an etag "
        "that is no longer current. AIP-154: 'If a user sends back an etag which does not match "
        "the current etag value, the service must send an ABORTED error response' (as first "
        "published, aip.dev/154: 'a FAILED_PRECONDITION error response': "
        "`failed_precondition`); run v2 service.proto says only that the etag 'May be used to "
        "detect modification conflict during updates'. `failed_precondition_unsaid`: the same "
        "status with Google's generic words for it ('Precondition check failed.'), not naming "
        "the etag: no document says what the message holds. `ignored`: the write applies over "
        "whatever was written since.",
    )
    labels_bump_generation: bool = Field(
        True,
        description="Whether an update that changes only the resource's own labels or "
        "annotations moves `generation`. run v2 service.proto: 'A number that monotonically "
        "increases every time the user modifies the desired state' (labels are set by the "
        "user: true). `false`: as Kubernetes and Knative, where `Generation` 'only changes "
        "when the /spec … changes' (knative/pkg#117) and v1 ObjectMeta's generation is 'a "
        "specific generation of the desired state'; the etag still changes.",
    )
    unchanged_write: Literal["bumps", "keeps"] = Field(
        "bumps",
        description="Whether an update that changes nothing at all (UpdateService, "
        "UpdateWorkerPool, UpdateJob resending what is stored) moves `generation`. run v2 "
        "service.proto: 'A number that monotonically increases every time the user modifies "
        "the desired state' says nothing of a write that modifies nothing; Kubernetes and "
        "Knative leave it (knative/pkg#117). `bumps`: it moves, as any write; `keeps`: it "
        "stays (labels-only writes: `labels_bump_generation`); the etag changes either way.",
    )
    version_etag: Literal["per_write", "per_state"] = Field(
        "per_write",
        description="A secret version's etag after EnableSecretVersion, DisableSecretVersion "
        "or DestroySecretVersion (or a scheduled destruction come due). secretmanager v1 "
        "resources.proto says only 'Etag of the currently stored SecretVersion', and of a "
        "request naming one, 'The request succeeds if it matches the etag of the currently "
        "stored secret version object' (service.proto). `per_write`: every such write stores "
        "a new one; `per_state`: it is derived from what the write changes (the state, the "
        "scheduled destruction), so a version enabled, disabled and enabled again reads back "
        "its first etag.",
    )
    revision_numbers: Literal["service_generation", "template_generation"] = Field(
        "service_generation",
        description="The number in a revision name the server chooses (SERVICE-NNNNN-xxx; "
        "run/docs/managing/revisions says only 'The revision suffix is assigned "
        "automatically'). `service_generation`: the service's (worker pool's) generation, so "
        "a write that changes no template (traffic, labels) leaves a gap; "
        "`template_generation`: one more than the revisions it made before, as Knative names "
        "a revision by its Configuration's generation, which only a template change moves "
        "(knative/serving, package names: 'DeprecatedRevision produces revision name in the "
        "format '{config-name}-{config.spec.generation}'', `fmt.Sprintf(\"%s-%05d\", "
        "config.Name, config.Spec.Generation)`): no gap.",
    )
    empty_secret_version: Literal["kept", "latest"] = Field(
        "kept",
        description="An env variable's secret reference written without a version "
        "(`secret_key_ref.version`): SecretKeySelector.version documents no default ('Can be "
        "'latest' for the latest version, an integer for a specific version, or a version "
        "alias'), and the google provider makes it optional for services and worker pools, so "
        "the API takes one without. `kept`: stored as sent, an instance reads the latest "
        "version; `latest`: written back as `latest`. (A secret volume's item must name its "
        "version: SecretVolumeSource.items.)",
    )
    validate_only_checks: Literal["deploy", "request"] = Field(
        "deploy",
        description="What a validate_only write checks. The field's doc promises only 'validated "
        "and default values populated, without persisting the request or updating any "
        "resources'; `deploy` also runs the deploy-time checks (secrets, image) on a trial "
        "copy, `request` only the request's own validation.",
    )
    workload_update_done: Literal["settled", "accepted"] = Field(
        "settled",
        description="When the operation of an UpdateJob or UpdateWorkerPool is done. "
        "`settled`: when the update settles (its response the resource ready, or its error "
        "the failure). `accepted`: at once, its response the resource as written, still "
        "`reconciling`; the update goes on and its outcome shows only on the resource read "
        "afterwards: `reconciling` false, `terminal_condition` ('The Condition of this Job, "
        "containing its readiness status, and detailed error information in case it did not "
        "reach the desired state'), `observed_generation` (googleapis run/v2 job.proto and "
        "worker_pool.proto; `Job.reconciling`: 'When a new Job is created, or an existing one "
        "is updated, Cloud Run will asynchronously perform all necessary steps'). Which one "
        "Cloud Run does is not documented.",
    )
