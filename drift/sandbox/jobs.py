"""What Cloud Run does with an UpdateJob: the desired job (defaults filled in), the checks of
the request, the update that reconciles, and how it settles — ready, or failed on the same
secret check a revision meets (the job's task template is checked when it is written)."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.cloud import run_v2

from drift.sandbox.clock import duration
from drift.sandbox.container_rules import OPEN_DEFAULTS, OpenRules, validate_optional
from drift.sandbox.cpu_memory import validate_job_cpu
from drift.sandbox.gpu import validate_gpu
from drift.sandbox.limits import DEFAULT_SIZES, Sizes, validate_sizes
from drift.sandbox.metadata import validate_metadata
from drift.sandbox.names import ResourceKey, RpcError, invalid
from drift.sandbox.pb import COMMON_OUTPUT_ONLY, ExecutionPb, JobPb, copy, generations
from drift.sandbox.registry import reason_of, refuse_connector, registry_problem
from drift.sandbox.revisions import FAILED, RECONCILING, SUCCEEDED, condition, copy_fields
from drift.sandbox.server_defaults import fill_secret_versions
from drift.sandbox.state import JobRec, World
from drift.sandbox.validate import (
    JOB_ENV,
    instance_size,
    template_problem,
    validate_containers,
    validate_encryption_key,
    validate_vpc_access,
)

OUTPUT_ONLY = COMMON_OUTPUT_ONLY | {"execution_count", "latest_created_execution"}
MUTABLE = tuple(f.name for f in JobPb.DESCRIPTOR.fields if f.name not in OUTPUT_ONLY)
# TaskTemplate: "max_retries … Defaults to 3", "timeout … Defaults to 600 seconds";
# ExecutionTemplate.task_count "Defaults to 1".
DEFAULT_RETRIES, DEFAULT_TIMEOUT = 3, 600.0
# "up to 168 hours (7 days)" (https://cloud.google.com/run/docs/configuring/task-timeout);
# retries per failed task: 0 to 10 (https://cloud.google.com/run/docs/configuring/max-retries)
MAX_TIMEOUT, MAX_RETRIES = 168 * 3600, 10


@dataclass
class JobPlan:
    """An update, checked and computed: the desired job and why its task template fails
    the secret check (None: it becomes ready)."""

    job: JobPb
    problem: str | None


def fill_defaults(world: World, job: JobPb) -> None:
    """The documented defaults written in (option `job_defaults`: `unset` leaves them out),
    and a secret reference's version (option `empty_secret_version`)."""
    if world.options.empty_secret_version == "latest":
        fill_secret_versions(job.template.template)
    if world.options.job_defaults == "unset":
        return
    execution = job.template
    execution.task_count = execution.task_count or 1
    task = execution.template
    if not task.HasField("max_retries"):  # a oneof: an explicit 0 is kept
        task.max_retries = DEFAULT_RETRIES
    if not task.HasField("timeout"):
        task.timeout.CopyFrom(duration(DEFAULT_TIMEOUT))


def validate_job(
    job: JobPb,
    *,
    sizes: Sizes = DEFAULT_SIZES,
    over_tasks: str = "accepted",
    optional: OpenRules = OPEN_DEFAULTS,
) -> None:
    """The request checks (INVALID_ARGUMENT); `sizes` (an instance's documented sizes),
    `over_tasks` (`parallelism_over_tasks`), `optional` (the open container
    rules): the scenario's options."""
    execution = job.template
    task = execution.template
    validate_containers(task, ingress=False, reserved=JOB_ENV)
    validate_optional(task, optional)
    validate_vpc_access(task)
    validate_encryption_key(task)
    validate_gpu(task, serves=False, size=instance_size)
    validate_sizes(task, sizes, floors=True, pool=False)
    validate_job_cpu(task, reading=sizes.below_one_memory, job_min_cpu=sizes.job_min_cpu)
    if task.execution_environment == run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1:
        # "Cloud Run jobs only use the second generation execution environment, and this
        # cannot be changed for jobs" (cloud.google.com/run/docs/configuring/execution-
        # environments); "an API error occurs when trying to create or update a Job to use
        # it" (GoogleCloudPlatform/magic-modules#9873). The wording here is the sandbox's.
        raise invalid(
            "spec.template.spec.execution_environment: jobs run only in the second "
            "generation execution environment (gen2)."
        )
    if execution.task_count < 0 or execution.parallelism < 0:
        raise invalid("spec.template: task_count and parallelism must not be negative.")
    tasks = execution.task_count or 1  # ExecutionTemplate.task_count: "Defaults to 1"
    if over_tasks == "refused" and execution.parallelism > tasks:
        # "Must be <= task_count" (ExecutionTemplate.parallelism, v2 REST reference); the
        # wording is the sandbox's
        raise invalid(
            f"spec.template.parallelism: {execution.parallelism} must be at most "
            f"task_count ({tasks})."
        )
    if not 0 <= task.max_retries <= MAX_RETRIES:
        raise invalid(f"spec.template.spec.max_retries: must be between 0 and {MAX_RETRIES}.")
    if task.timeout.seconds < 0 or task.timeout.seconds > MAX_TIMEOUT:
        raise invalid("spec.template.spec.timeout: must be at most 168 hours.")


def plan_job(world: World, key: ResourceKey, current: JobRec | None, request: JobPb) -> JobPlan:
    """Everything an UpdateJob changes (a full replace of the writable fields: the request
    has no update mask), computed without touching the world."""
    base = world.starting_point(key, current.pb if current is not None else None, JobPb)
    desired = copy(base)
    copy_fields(request, desired, MUTABLE)
    if not request.client and world.options.client_when_omitted == "kept":
        desired.client, desired.client_version = base.client, base.client_version
    fill_defaults(world, desired)
    options = world.options
    validate_job(
        desired,
        sizes=options.sizes,
        over_tasks=options.parallelism_over_tasks,
        optional=OpenRules.of(options),
    )
    was = current.pb if current is not None else None
    validate_metadata(world, desired, was)
    desired.generation = base.generation + generations(world.options, was, desired)
    desired.update_time.CopyFrom(world.now())
    desired.last_modifier = world.caller
    desired.etag = world.etag(key.name)
    project = world.project(key.project)
    checked = current is None or world.options.job_update_secret_check
    task = desired.template.template
    refuse_connector(world, project, key.region, task)
    problem = template_problem(world, project, task, key.region) if checked else None
    if problem is None and not checked:  # an image is imported at every update
        problem = registry_problem(world, project, key.region, task)
    return JobPlan(desired, problem)


def begin_job(world: World, rec: JobRec, plan: JobPlan) -> None:
    """The update in progress: `reconciling`, the Ready condition reconciling, while
    `observed_generation` keeps the generation that was last ready (Job.reconciling)."""
    job = plan.job
    job.reconciling = True
    job.terminal_condition.CopyFrom(condition(world, "Ready", RECONCILING))
    rec.pb = job


def settle_job(
    world: World, rec: JobRec, awaited: ExecutionPb | None = None, *, start: bool = False
) -> RpcError | None:
    """End the update in progress: ready (`observed_generation` caught up), or failed —
    "If reconciliation failed, `observed_generation` … will have the state of the last
    succeeded execution or empty for newly created Job" (Job.reconciling). A job whose
    secret is unusable fails its write: terraform meets "Error code 13, message:
    spec.template.spec.volumes[0].secret.items[0].key: Secret projects/N/secrets/S/versions/1
    was not found" creating one (hashicorp/terraform-provider-google#15088). `awaited`: the
    execution its token created, ended (`start`: a `start_execution_token`'s, which only had
    to start)."""
    update = rec.update
    if update is None:
        return None
    rec.update = None
    job = rec.pb
    job.reconciling = False
    # etag: "A system-generated fingerprint for this version of the resource" (job.proto),
    # silent on whether status is part of that version: options.etag_on_status
    if world.options.etag_on_status == "changes":
        job.etag = world.etag(rec.key.name)
    if update.problem is None and awaited is not None and did_not(awaited, start=start):
        return execution_failed(world, job, awaited)
    if update.problem is None:
        job.observed_generation = job.generation
        job.terminal_condition.CopyFrom(condition(world, "Ready", SUCCEEDED))
        return None
    if world.options.failed_observed_generation == "generation":
        job.observed_generation = job.generation
    reason = reason_of(update.problem) if update.secrets else 0
    job.terminal_condition.CopyFrom(condition(world, "Ready", FAILED, update.problem, reason))
    return RpcError(grpc.StatusCode.INTERNAL, update.problem)


def did_not(execution: ExecutionPb, *, start: bool) -> bool:
    """Whether the execution a token created kept its job from becoming ready: it did not
    complete (failed or cancelled: its `Completed` condition), or for a `start_execution_token`
    ("The Job will become ready when the execution is successfully started", job.proto) it
    did not start (its `Started` condition failed)."""
    if not start:
        return bool(execution.conditions[-1].state == FAILED)
    return any(c.type_ == "Started" and c.state == FAILED for c in execution.conditions)


# Words naming no execution (option `token_failure_ready: generic`): the sandbox's
GENERIC_NOT_READY = "The job did not become ready."


def execution_failed(world: World, job: JobPb, execution: ExecutionPb) -> RpcError:
    """The job whose `run_execution_token` execution failed (or was cancelled), or whose
    `start_execution_token` execution failed to start: not ready — "The Job will become ready
    when the execution is successfully completed" / "… started" (job.proto, google/cloud/run/v2,
    Job.run_execution_token, start_execution_token) — its Ready condition failed. Its words
    are option `token_failure_ready`'s: Google documents none."""
    completed = execution.conditions[-1]
    name = execution.name.rsplit("/", 1)[-1]
    if world.options.failed_observed_generation == "generation":
        job.observed_generation = job.generation
    wording = world.options.token_failure_ready
    words = {
        "names_execution": f"Execution {name} failed: {completed.message}",
        "execution_words": completed.message,
        "generic": GENERIC_NOT_READY,
    }[wording]
    ready = condition(world, "Ready", FAILED, words)
    which = completed.WhichOneof("reasons")
    if which is not None and wording == "names_execution":
        setattr(ready, which, getattr(completed, which))
    job.terminal_condition.CopyFrom(ready)
    return RpcError(grpc.StatusCode.FAILED_PRECONDITION, ready.message)
