"""What a RunJob does: an execution of the job's task template with the request's overrides,
its tasks running, and how it ends — succeeded, failed (a secret it uses cannot be read, the
check a revision meets when it deploys, or a task that exits with an error) or cancelled —
and the job's execution count and latest execution reference."""

from __future__ import annotations

import string

from google.cloud import run_v2

from drift.sandbox.names import ResourceKey, invalid
from drift.sandbox.pb import (
    ContainerPb,
    ExecutionPb,
    ExecutionRefPb,
    JobPb,
    OverridesPb,
    TaskTemplatePb,
    copy,
)
from drift.sandbox.registry import reason_of
from drift.sandbox.revisions import FAILED, RECONCILING, SUCCEEDED, condition
from drift.sandbox.scenario_job_options import QUOTA_PARALLELISM
from drift.sandbox.state import JobRec, World

Status = run_v2.ExecutionReference.CompletionStatus
NON_ZERO_EXIT = run_v2.Condition.ExecutionReason.NON_ZERO_EXIT_CODE
CANCELLED = run_v2.Condition.ExecutionReason.CANCELLED
# Execution names are the job's name and five characters ("sample-job-mdw84": OpenTelemetry
# semantic conventions, gcp.cloud_run.job.execution); tasks are EXECUTION-taskN.
NAME_ALPHABET = string.ascii_lowercase + string.digits
OUTCOMES = {
    "succeeded": Status.EXECUTION_SUCCEEDED,
    "failed": Status.EXECUTION_FAILED,
    "cancelled": Status.EXECUTION_CANCELLED,
    "running": Status.EXECUTION_RUNNING,
}


def _container(template: TaskTemplatePb, name: str) -> ContainerPb:
    if not name:
        return template.containers[0]
    for container in template.containers:
        if container.name == name:
            return container
    raise invalid(f"overrides.container_overrides: no container named '{name}'.")


def task_template(job: JobPb, overrides: OverridesPb | None) -> tuple[TaskTemplatePb, int]:
    """The task template and task count an execution runs: the job's, with the overrides
    applied as RunJobRequest.Overrides says — per container, `args` "Will replace existing
    args" (`clear_args` clears them), `env` "Will be merged with existing env"; `task_count`
    and `timeout` replace the job's. A container override without a name applies to the
    first container."""
    template = copy(job.template.template)
    task_count = job.template.task_count or 1
    if overrides is None:
        return template, task_count
    for override in overrides.container_overrides:
        container = _container(template, override.name)
        if override.clear_args or override.args:
            del container.args[:]
            container.args.extend(override.args)
        for var in override.env:
            kept = [v for v in container.env if v.name != var.name]
            index = next((i for i, v in enumerate(container.env) if v.name == var.name), None)
            kept.insert(len(kept) if index is None else index, var)
            del container.env[:]
            container.env.extend(kept)
    if overrides.task_count:
        task_count = overrides.task_count
    if overrides.HasField("timeout"):
        template.timeout.CopyFrom(overrides.timeout)
    return template, task_count


def execution_name(world: World, rec: JobRec) -> str:
    while True:
        name = f"{rec.key.id}-{world.suffix(5, NAME_ALPHABET)}"
        if name not in rec.executions:
            return name


def _ref(world: World, rec: JobRec, name: str) -> str:
    """How an execution refers to its job and the job to its execution: full resource names
    or short ones (option `execution_refs`)."""
    return rec.key.execution(name) if world.options.execution_refs == "full" else name


def new_execution(
    world: World,
    rec: JobRec,
    name: str,
    template: TaskTemplatePb,
    task_count: int,
    *,
    creator: str,
    age: float = 0.0,
) -> ExecutionPb:
    """An execution that has started: its tasks running (as many at once as `parallelism`
    allows: 0 means as many as possible, ExecutionTemplate.parallelism). It carries what it
    runs, as created from the job (and RunJob's overrides: `task_template`) — execution.proto
    `template`, "The template used to create tasks for this execution", `task_count`, "the
    desired number of tasks the execution should run", `parallelism`, "the maximum desired
    number of tasks the execution should run at any given time" — whatever the job's
    template becomes afterwards (what `drift.live.workloads._ran_another` compares)."""
    job = rec.pb
    key: ResourceKey = rec.key
    parallelism = job.template.parallelism
    execution = ExecutionPb(
        name=key.execution(name),
        uid=world.uid(),
        creator=creator,
        generation=1,
        observed_generation=1,
        labels=job.template.labels,
        annotations=job.template.annotations,
        create_time=world.now(-age),
        start_time=world.now(-age),
        update_time=world.now(-age),
        launch_stage=job.launch_stage,
        job=key.name if world.options.execution_refs == "full" else key.id,
        parallelism=min(parallelism, task_count) if parallelism else _maximum(world, task_count),
        task_count=task_count,
        template=template,
        reconciling=True,
        log_uri=(
            f"https://console.cloud.google.com/logs/viewer?project={key.project}"
            f"&resource=cloud_run_job/job_name/{key.id}&execution_name={name}"
        ),
    )
    execution.running_count = execution.parallelism
    execution.conditions.append(condition(world, "ResourcesAvailable", SUCCEEDED))
    execution.conditions.append(condition(world, "Started", SUCCEEDED))
    execution.conditions.append(condition(world, "Completed", RECONCILING))
    execution.etag = world.etag(execution.name)
    return execution


def _maximum(world: World, task_count: int) -> int:
    """The parallelism an execution of a job whose parallelism is 0 runs at: "the maximum
    possible value" (ExecutionTemplate.parallelism), a quota "that varies depending on how many
    CPUs you are using" (cloud.google.com/run/docs/configuring/parallelism): its task count, or
    the sandbox's quota (option `execution_parallelism`)."""
    if world.options.execution_parallelism == "quota":
        return min(QUOTA_PARALLELISM, task_count)
    return task_count


def task_failure(execution: ExecutionPb, message: str | None = None) -> str:
    """The message of a task that failed (prefect-gcp reads "Task JOB-xxxxx-task0 failed
    with message: The configured timeout was reached." from an execution: PrefectHQ/prefect
    #14497)."""
    task = f"{execution.name.rsplit('/', 1)[-1]}-task0"
    return f"Task {task} failed with message: {message or 'The container exited with an error.'}"


def finish_execution(
    world: World,
    execution: ExecutionPb,
    outcome: str,
    message: str = "",
    *,
    secrets: bool = False,
    age: float = 0.0,
) -> None:
    """The end of an execution (`age`: how long ago). The v1 conditions Cloud Run keeps in
    v2 — `ResourcesAvailable`, `Started`, `Completed` ("True when the execution has
    succeeded. False when the execution has failed": v1 ExecutionStatus; prefect-gcp reads
    the v2 `Completed` condition). A failed secret check fails every task before it starts
    (reason SECRETS_ACCESS_CHECK_FAILED, as a revision's); a task that exits with an error
    fails once its retries are spent (NON_ZERO_EXIT_CODE); a cancelled execution's tasks
    are cancelled."""
    tasks = execution.task_count
    execution.reconciling = False
    execution.running_count = 0
    execution.completion_time.CopyFrom(world.now(-age))
    execution.update_time.CopyFrom(world.now(-age))
    started = condition(world, "Started", SUCCEEDED)
    completed = condition(world, "Completed", SUCCEEDED)
    if outcome == "succeeded":
        execution.succeeded_count = tasks
    elif outcome == "cancelled":
        execution.cancelled_count = tasks
        completed = condition(world, "Completed", FAILED, message or "Execution was cancelled.")
        completed.execution_reason = CANCELLED
    elif secrets:
        execution.failed_count = tasks
        execution.ClearField("start_time")
        reason = reason_of(message)  # the secret check's, or an image missing
        started = condition(world, "Started", FAILED, message, reason)
        completed = condition(world, "Completed", FAILED, message, reason)
    else:
        execution.failed_count = 1
        execution.succeeded_count = tasks - 1
        if execution.template.max_retries:
            execution.retried_count = 1
        completed = condition(world, "Completed", FAILED, message or task_failure(execution))
        completed.execution_reason = NON_ZERO_EXIT
    del execution.conditions[1:]  # ResourcesAvailable stays
    execution.conditions.extend([started, completed])
    execution.etag = world.etag(execution.name)


def outcome_of(execution: ExecutionPb) -> int:
    """The execution's completion status (ExecutionReference.CompletionStatus)."""
    if execution.reconciling:
        return int(Status.EXECUTION_RUNNING)
    if execution.cancelled_count:
        return int(Status.EXECUTION_CANCELLED)
    if execution.failed_count:
        return int(Status.EXECUTION_FAILED)
    return int(Status.EXECUTION_SUCCEEDED)


def record(world: World, rec: JobRec, execution: ExecutionPb) -> None:
    """A new execution of the job: counted (`execution_count`) and referenced as the
    latest created one."""
    rec.executions[execution.name.rsplit("/", 1)[-1]] = execution
    rec.pb.execution_count += 1
    refresh(world, rec)


def refresh(world: World, rec: JobRec) -> None:
    """`latest_created_execution`: the newest execution, its times and completion status; the
    job's etag moved when that changed and option `etag_on_run` says so (Job.etag: "A
    system-generated fingerprint for this version of the resource", job.proto)."""
    was = copy(rec.pb.latest_created_execution), rec.pb.execution_count
    _reference(world, rec)
    moved = (rec.pb.latest_created_execution, rec.pb.execution_count) != was
    if moved and world.options.etag_on_run == "changes":
        rec.pb.etag = world.etag(rec.key.name)


def _reference(world: World, rec: JobRec) -> None:
    if not rec.executions:
        rec.pb.ClearField("latest_created_execution")
        return
    name, execution = next(reversed(rec.executions.items()))
    ref = ExecutionRefPb(
        name=_ref(world, rec, name),
        create_time=execution.create_time,
        completion_status=outcome_of(execution),
    )
    if execution.HasField("completion_time"):
        ref.completion_time.CopyFrom(execution.completion_time)
    rec.pb.latest_created_execution.CopyFrom(ref)
