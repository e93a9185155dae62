"""The scenario's options (including the switches for behaviours the documentation leaves
open) and its injected faults."""

from __future__ import annotations

import difflib
from typing import Literal

import grpc
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, field_validator

from drift.sandbox.limits import Sizes
from drift.sandbox.scenario_checks import DeployCheckOptions
from drift.sandbox.scenario_job_options import JobOptions
from drift.sandbox.scenario_serving import ServingOptions
from drift.sandbox.scenario_writes import WriteOptions

STATUS_CODES = frozenset(code.name for code in grpc.StatusCode)
# The RPCs the sandbox serves, by short name; faults name them (or `*`).
METHODS = frozenset(
    {
        "GetService",
        "ListServices",
        "UpdateService",
        "GetRevision",
        "ListRevisions",
        "DeleteRevision",
        "GetWorkerPool",
        "ListWorkerPools",
        "UpdateWorkerPool",
        "GetJob",
        "ListJobs",
        "UpdateJob",
        "RunJob",
        "DeleteJob",
        "GetExecution",
        "ListExecutions",
        "GetOperation",
        "WaitOperation",
        "ListSecrets",
        "GetSecret",
        "CreateSecret",
        "AddSecretVersion",
        "ListSecretVersions",
        "GetSecretVersion",
        "AccessSecretVersion",
        "EnableSecretVersion",
        "DisableSecretVersion",
        "DestroySecretVersion",
        "GetIamPolicy",
        "SetIamPolicy",
        "GetProject",
        "GetFolder",
    }
)


QuotaName = Literal["run", "run_writes", "secrets", "secrets_writes", "access"]
"""The per-minute quotas the sandbox can enforce (option `quotas`, drift/sandbox/quotas.py)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def check_method(value: str) -> str:
    if value != "*" and value not in METHODS:
        close = difflib.get_close_matches(value, sorted(METHODS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"unknown method {value!r}{hint}")
    return value


def check_code(value: str | None) -> str | None:
    if value is not None and value not in STATUS_CODES:
        raise ValueError(f"unknown gRPC status code {value!r}; e.g. UNAVAILABLE, NOT_FOUND")
    return value


class ErrorInfoSpec(Strict):
    """A google.rpc.ErrorInfo sent in the status details (google/rpc/error_details.proto):
    the reason in machine form, e.g. `SERVICE_DISABLED` with metadata `service` and
    `consumer` (google/api/error_reason.proto), as Google answers a call to an API the project
    has not enabled."""

    reason: str
    domain: str = "googleapis.com"
    metadata: dict[str, str] = Field(default_factory=dict)


class FaultSpec(Strict):
    """Make calls to `method` (short name or `*`) fail with `code` and/or wait `latency_ms`."""

    method: str = "*"
    code: str | None = "UNAVAILABLE"
    rate: float = Field(1.0, ge=0.0, le=1.0)
    first_n: int | None = Field(None, ge=1)
    latency_ms: float = Field(0, ge=0)
    match: str | None = None
    retry_delay_ms: int | None = Field(None, ge=0)
    message: str | None = None
    error_info: ErrorInfoSpec | None = None
    after: bool = Field(
        False, description="Carry the call out, then delay or fail its answer (lost answer)."
    )

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        return check_method(value)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return check_code(value)


class Options(DeployCheckOptions, WriteOptions, JobOptions, ServingOptions):
    """Sandbox settings, and the switches for behaviours the documentation leaves open."""

    seed: int = 0
    latency_ms: float = Field(0, ge=0, description="Added to every call.")
    quotas: dict[QuotaName, NonNegativeInt] = Field(
        default_factory=dict,
        description="Per-minute request quotas, per project, on the sandbox's clock: past one a "
        "call is refused with RESOURCE_EXHAUSTED and Google's quota error details "
        "(drift/sandbox/quotas.py). `run`/`run_writes`: Cloud Run Admin API reads/writes; "
        "`secrets`/`secrets_writes`: Secret Manager reads/writes; `access`: AccessSecretVersion.",
    )
    quota_retry_info: bool = Field(
        False,
        description="A quota refusal carries a RetryInfo whose retry_delay is the time until "
        "the quota's window has room again (the docs leave open whether one is sent).",
    )
    operation_delay_ms: float = Field(0, ge=0, description="How long a deploy reconciles.")
    deploys_wait: bool = Field(False, description="Deploys reconcile until the test settles them.")
    latest_status_names_revision: bool = Field(
        True, description="A LATEST traffic status names the revision it resolved to."
    )
    unknown_conditions: Literal["deny", "grant"] = Field(
        "deny", description="A conditional binding whose expression the sandbox cannot evaluate."
    )
    indirect_grants: Literal["deny", "grant"] = Field(
        "deny",
        description="A grant through a member the sandbox cannot expand: an access role held "
        "by a `group:`, `domain:`, `principalSet:` or `principal:` member (every principal in "
        "it holds the role: google/iam/v1/policy.proto Binding.members), or a custom role "
        "(`projects/*/roles/*`, `organizations/*/roles/*`) held by the account, everyone or "
        "such a set, which may include `secretmanager.versions.access` (Secret Manager access "
        "control). Whether the runtime account is in the set, or the role has the permission, "
        "is not in the scenario: `deny`: it is not; `grant`: it is. Workforce identities are "
        "never a service account and never grant.",
    )
    alias_in_conditions: Literal["number", "alias"] = Field(
        "number",
        description="The version name an IAM condition tests when a revision uses a secret by "
        "an alias (`latest`, or a version alias): the number it stands for "
        "(`projects/NUMBER/secrets/NAME/versions/3`) or the alias as written "
        "(`…/versions/latest`). AccessSecretVersionRequest.name only calls `latest` 'an alias "
        "to the most recently created SecretVersion'; IAM's resource-name attribute page gives "
        "the form `…/versions/VERSION`, not which of the two an alias is tested as.",
    )
    revision_client_annotations: bool = Field(
        True, description="A new revision records its writer's client in system annotations."
    )
    fine_cpu: Literal["unchanged", "any"] = Field(
        "unchanged",
        description="A service's CPU finer than 0.001 (a Cloud Run function's 0.1666) in a "
        "write. The CPU page's 'increments of 0.001' is what a user may select; Cloud Run holds "
        "such a value for a function and takes an update that leaves it unchanged (world-"
        "federation-of-advertisers/cross-media-measurement#3832). Whether a write may set a new "
        "one is not documented: `unchanged`: only one resent as the container holds it passes; "
        "`any`: any CPU between 0.08 and 1 is taken, as the Functions service sets them.",
    )
    gpu_max: Literal["open", "floor"] = Field(
        "open",
        description="The CPU and memory maximum of an instance with an NVIDIA RTX PRO 6000 GPU, "
        "which needs 'a minimum of 20 CPU and 80 GiB of memory' (cloud.google.com/run/docs/"
        "configuring/services/gpu) above the 8 CPU and 32 GiB every other instance may have "
        "(the CPU and memory-limits pages). Its maximum is not documented: `open`: none; "
        "`floor`: that minimum is the maximum too.",
    )
    max_size_of: Literal["container", "instance"] = Field(
        "container",
        description="What the 8 CPU and 32 GiB maximums bound: 'The maximum amount of vCPU you "
        "can configure is 8 vCPU', 'The maximum amount of memory you can configure is 32 "
        "gibibyte' (the CPU and memory-limits pages), of 'each Cloud Run instance'. Whether "
        "that is each container's limit or the sum of an instance's containers (sidecars) is "
        "not documented: `container` refuses one container above it, `instance` the sum. The "
        "memory each CPU takes (the CPU pages' table) is read the same way.",
    )
    min_size_of: Literal["instance", "container"] = Field(
        "instance",
        description="What a job's or worker pool's floors bound: 'The minimum memory setting "
        "is 512 MiB', 'The minimum vCPU setting is 1 vCPU' (the worker pools' memory-limits "
        "and CPU pages; jobs: 512 MiB in the second generation). Whether that is each "
        "container's limit or the sum of an instance's containers (sidecars) is not "
        "documented: `instance` refuses the sum below it, `container` one container below it.",
    )
    below_one_memory: Literal["cpu_page", "memory_page"] = Field(
        "cpu_page",
        description="The memory an instance below 1 CPU takes. The CPU pages: '.5 vCPU Up to 1 "
        "GiB', 'A minimum of 0.5 vCPU is needed to set a memory limit greater than 512MiB' "
        "(`cpu_page`); newer copies of the memory-limits pages: '512 MiB .333 vCPU; 1 GiB .583 "
        "vCPU; 2 GiB 1 vCPU' (`memory_page`: 0.5 CPU takes 512 MiB at most).",
    )
    job_min_cpu: Literal["below_one_rules", "one"] = Field(
        "below_one_rules",
        description="A job below 1 CPU: the jobs CPU page's current copy takes 'any value "
        "between 0.08 and 1' with the memory requirements below 1 CPU (`below_one_rules`); an "
        "older copy says 'You must set a minimum of 1 CPU for a Cloud Run job' (`one`).",
    )
    delete_latest_created: Literal["refused", "allowed"] = Field(
        "refused", description="DeleteRevision on the service's latest created revision."
    )
    job_update_secret_check: bool = Field(
        True,
        description="Whether UpdateJob (not only CreateJob) fails a task template whose secret "
        "fails the deploy-time check: 'During job creation, Cloud Run checks all the secrets "
        "you use' (run/docs/configuring/jobs/secrets) says nothing of an update; "
        "hashicorp/terraform-provider-google#13786 meets the check assigning a secret to a job.",
    )
    parallelism_over_tasks: Literal["accepted", "refused"] = Field(
        "accepted",
        description="A job write whose parallelism is above its task count: "
        "ExecutionTemplate.parallelism 'Must be <= task_count' (v2 REST reference; the "
        "parallelism page: 'an integer between 0 and the maximum … that don't exceed the "
        "number of tasks'), but whether UpdateJob refuses it or an execution runs at most "
        "task_count tasks at once is not documented: `accepted` stores it, `refused` fails "
        "the write with INVALID_ARGUMENT.",
    )
    failed_observed_generation: Literal["last_serving", "generation"] = Field(
        "last_serving",
        description="observed_generation after a failed deploy (v2 comment / Knative v1 habit).",
    )
    ingress_read: Literal["requested", "observed"] = Field(
        "requested",
        description="Service.ingress on a read while the write that changed it has not served "
        "(a deploy in progress, or one that failed): 'On output, returns the currently "
        "observed ingress settings' (service.proto), silent on whether a write's ingress is "
        "observed before its revision serves. `requested`: as written; `observed`: as of the "
        "last deploy that served.",
    )
    etag_on_status: Literal["stable", "changes"] = Field(
        "stable",
        description="Whether a service's, worker pool's or job's etag changes when its deploy "
        "(a job's update) settles (status only, nobody's write): the etag is 'a "
        "system-generated fingerprint for this version of the resource' (service.proto, "
        "job.proto), and whether status is part of that version is not said.",
    )
    failed_operation_code: Literal["FAILED_PRECONDITION", "INTERNAL"] = Field(
        "FAILED_PRECONDITION",
        description="The error code of the operation of a deploy whose revision failed or "
        "whose traffic cannot move: not documented; v2 users have been answered INTERNAL "
        "(code 13, 'Revision … is not ready and cannot serve traffic').",
    )
    latest_ready: Literal["ready", "serving"] = Field(
        "ready",
        description="Service.latest_ready_revision after a deploy that gives the new revision "
        "no traffic (a canary): service.proto says both 'Name of the latest revision that is "
        "serving traffic' (its field comment: `serving`, the latest ready revision with a share "
        "of traffic) and, of `reconciling`, that once reconciliation succeeded it and "
        "latest_created_revision match (`ready`, Knative's latestReadyRevisionName).",
    )
    retired_ready: Literal["succeeded", "failed"] = Field(
        "succeeded",
        description="The Ready state of a retired revision (no traffic, no tag, neither latest "
        "created nor latest ready), whose Ready condition says RevisionReason RETIRED "
        "('Revision is Retired', condition.proto). Which state it has is not documented.",
    )
    unserved_reason: Literal["RETIRED", "RESERVE", "MIN_INSTANCES_NOT_PROVISIONED"] = Field(
        "RETIRED",
        description="The RevisionReason on the Ready condition of a revision that stopped "
        "serving (no traffic, no tag, neither latest created nor latest ready). condition.proto "
        "names both ('Revision is Retired', 'Revision is in Reserve state') and says of neither "
        "when Cloud Run gives it; `MIN_INSTANCES_NOT_PROVISIONED`: that reason on one with min "
        "instances ('A revision with min_instance_count > 0 was created and is reserved, but it "
        "was not configured to serve traffic, so it's not live'), RETIRED on the others. drift "
        "is tested against each.",
    )
    not_ready_traffic: Literal["refused", "operation"] = Field(
        "refused",
        description="An update that routes traffic (or a tag) to an existing revision that is "
        "not ready. Not documented: `refused`: FAILED_PRECONDITION at once, nothing stored; "
        "`operation`: the update is accepted and its long-running operation fails, the spec "
        "keeping what was requested while traffic stays where it was (Service.reconciling: a "
        "failed reconciliation leaves `traffic_statuses` of the last serving revision), as "
        "users report for traffic to a revision Cloud Run cannot route to "
        "(terraform-google-modules/terraform-docs-samples#269: 'Error waiting for Creating "
        "Service … Revision … does not exist or is deleted').",
    )
    missing_traffic: Literal["refused", "operation"] = Field(
        "refused",
        description="An update that routes traffic (or a tag) to a revision that does not "
        "exist. Not documented (no proto comment says when it is checked): `refused`: "
        "INVALID_ARGUMENT at once, nothing stored; `operation`: the update is accepted (the "
        "spec and generation change) and its long-running operation fails with "
        "`failed_operation_code`, traffic staying where it was, as a user of the v2 API "
        "reports: 'Error waiting for Creating Service: Error code 13, message: Revision "
        "'cloudrun-srv-green' does not exist or is deleted. Update all traffic to route to "
        "currently available revisions.' (terraform-google-modules/terraform-docs-samples#269; "
        "helper-575 F2).",
    )
    traffic_while_failed: Literal["applies", "refuses"] = Field(
        "applies",
        description="An update that changes only the traffic (no new revision) of a service "
        "whose latest created revision failed (a secret version disabled since it was judged, "
        "say). Not documented (run v2 service.proto UpdateService, Service.traffic; "
        "run/docs/rollouts-rollbacks-traffic-migration say nothing of it): `applies`: the "
        "traffic moves; `refuses`: the update is stored but its reconciliation fails as a "
        "failed deploy's does, the operation ending in the latest created revision's error and "
        "`terminal_condition` FAILED, while `traffic_statuses` keep 'the state of the last "
        "serving revision' (Service.reconciling).",
    )
    project_in_names: Literal["id", "as_asked"] = Field(
        "id",
        description="The project a Cloud Run resource name says (Service, Revision, Job, "
        "Execution, WorkerPool, operation) when the request named the project by number. "
        "run v2 service.proto's Service.name gives only 'Format: projects/{project}/locations/"
        "{location}/services/{service_id}' ({project}: an id or a number), not whether the "
        "form asked for is echoed: `id`: always the project's id; `as_asked`: as the request "
        "named it.",
    )
    pool_revision_service: Literal["empty", "pool"] = Field(
        "empty", description="What Revision.service says for a worker pool's revision."
    )
    execution_refs: Literal["full", "short"] = Field(
        "full", description="Execution.job and Job.latest_created_execution.name: full or short."
    )
    pages: Literal["full", "ragged"] = Field(
        "full",
        description="How List methods page. `full`: pages of the size asked for. `ragged`: what "
        "AIP-158 allows ('The API may return fewer results than the number requested "
        "(including zero results), even if not at the end of the collection'): at most 2 items "
        "a page, each followed by an empty page with a token, the last one's too.",
    )
    caller: str = Field(
        "deployer@example.com", description="Who the sandbox says wrote (creator, last_modifier)."
    )
    deleted_revisions: Literal["gone", "listed"] = Field(
        "gone",
        description="What a ListRevisions with `show_deleted` returns of the revisions deleted "
        "(DeleteRevision, or `deleted:` on a history entry). ListRevisionsRequest.show_deleted: "
        "'If true, returns deleted (but unexpired) resources along with active ones' and "
        "Revision.delete_time/expire_time ('For a deleted resource, the time after which it "
        "will be permamently deleted') say deleted revisions may be listed, but no Cloud Run "
        "page says that they are, or for how long (Revisions has no UndeleteRevision, the "
        "method AIP-164's soft delete goes with). `gone`: never listed, as without "
        "`show_deleted`. `listed`: listed with `show_deleted` until their `expire_time`, 30 "
        "days after the deletion (a length the sandbox chose). GetRevision answers NOT_FOUND "
        "either way (GetRevisionRequest has no `show_deleted`).",
    )

    @property
    def sizes(self) -> Sizes:
        """How the instance's documented maximums and floors are read."""
        return Sizes(
            self.gpu_max,
            self.max_size_of,
            self.min_size_of,
            self.below_one_memory,
            self.job_min_cpu,
        )
