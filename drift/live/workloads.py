"""Jobs and worker pools beside services: a Get per workload (GetService, GetJob,
GetWorkerPool) or one List per kind (ListServices, ListJobs, ListWorkerPools), a job as the
`LiveService` the diff reads (its template, which its next execution runs), and a job's latest
execution — read with GetExecution only when `Job.latest_created_execution` does not already
say how it ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from drift.fields import enum_name
from drift.fields.workloads import DEFAULT_TASKS
from drift.kinds import Kind
from drift.live.api import (
    RUNNING,
    Listing,
    attempt,
    condition_said,
    list_all,
    short,
    token_execution,
)
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.model import Execution, LiveService, ServingRevision
from drift.live.normalize import config_key, env_var, raw, template_config
from drift.profiles.model import ServiceProfile

GET = {Kind.SERVICE: "GetService", Kind.JOB: "GetJob", Kind.WORKER_POOL: "GetWorkerPool"}
ENDED = {"EXECUTION_SUCCEEDED", "EXECUTION_CANCELLED", "EXECUTION_RUNNING", "EXECUTION_PENDING"}
"""ExecutionReference.completion_status values that need no GetExecution to judge: not failed."""


def getter(clients: Clients, kind: Kind) -> Any:
    """The client method of that kind's Get (GetService, GetJob, GetWorkerPool); only that
    kind's client is made."""
    return {
        Kind.SERVICE: lambda: clients.services.get_service,
        Kind.JOB: lambda: clients.jobs.get_job,
        Kind.WORKER_POOL: lambda: clients.worker_pools.get_worker_pool,
    }[kind]()


async def get_workload(clients: Clients, runner: CallRunner, kind: Kind, name: str) -> Any:
    """The Service, Job or WorkerPool of that full name."""
    return await runner.call("run", GET[kind], name, attempt(getter(clients, kind), name=name))


async def list_workloads(
    clients: Clients, runner: CallRunner, parent: str, kind: Kind
) -> list[str]:
    """The names of every service, job or worker pool under `parent` (a location)."""
    listing = await list_kind(clients, runner, parent, kind)
    if listing.error is not None:
        raise listing.error
    return sorted(listing.items)


async def list_kind(clients: Clients, runner: CallRunner, parent: str, kind: Kind) -> Listing:
    """Every Service, Job or WorkerPool under `parent` (ListServices, ListJobs,
    ListWorkerPools: the same messages their Get answers, a page at a time), with the pages
    read before one failed."""
    from google.cloud import run_v2

    if kind is Kind.SERVICE:
        method, request = "ListServices", run_v2.ListServicesRequest
        call = clients.services.list_services
    elif kind is Kind.JOB:
        method, request, call = "ListJobs", run_v2.ListJobsRequest, clients.jobs.list_jobs
    else:
        method, request = "ListWorkerPools", run_v2.ListWorkerPoolsRequest
        call = clients.worker_pools.list_worker_pools
    return await list_all(runner, method, parent, request, call, kind.section)


def by_kind(profiles: Iterable[ServiceProfile]) -> dict[Kind, list[ServiceProfile]]:
    """The profiled workloads grouped by kind, each group read the same way: a kind with one
    workload with its Get, a kind with more with one List (`list_kind`), which answers the
    same messages (a call per 1,000, `LIST_PAGE_SIZE`, instead of one per workload)."""
    kinds: dict[Kind, list[ServiceProfile]] = {}
    for p in profiles:
        kinds.setdefault(p.kind, []).append(p)
    return kinds


def one_list(workloads: list[ServiceProfile]) -> bool:
    """Whether the workloads of one kind (a `by_kind` group) are read with one List rather
    than with a Get: when there are more than one."""
    return len(workloads) > 1


def get_instead(listing: Listing) -> bool:
    """Whether the workloads a List was for are read with one Get each instead: only when the
    List was refused for want of its permission (run.services.list without run.services.get
    is a role a caller can hold). A List that failed otherwise (a quota, an outage) is the
    answer for each workload it did not bring: a Get each would meet the same quota."""
    return listing.error is not None and listing.error.status == "PERMISSION_DENIED"


def job_service(
    name: str,
    job: Any,
    container: str | None,
    *,
    execution: Execution | None = None,
    revision: str = "",
) -> LiveService:
    """A job as the diff reads a workload: its template, described once under `revision`
    (a job has no revisions: "" names none; a manifest names itself)."""
    pb = raw(job)
    config = template_config(pb, container=container, kind=Kind.JOB)
    # Job.terminal_condition: "The Condition of this Job, containing its readiness status,
    # and detailed error information in case it did not reach the desired state"
    # (run/v2/job.proto): a failed one is a job whose latest update did not take.
    failed = enum_name(pb.terminal_condition, "state") == "CONDITION_FAILED"
    message = condition_said(pb.terminal_condition, "not ready")
    token_run = failed and token_execution_failed(pb, execution)
    if token_run:
        # not ready because the execution its run_execution_token created failed ("The Job
        # will become ready when the execution is successfully completed", job.proto): that
        # execution's failure (`job.failed`, with its cause), not an update's
        failed = False
        if execution is None or not execution.failed:  # cancelled, or not read
            done = _time(pb.latest_created_execution, "completion_time")
            execution = Execution(token_run, failed=True, reason=message, completed=done)
    return LiveService(
        name=name,
        full_name=pb.name,
        uri="",
        etag=pb.etag,
        template=config,
        serving=(ServingRevision(revision, 100, (), (), config),),
        latest_created="",
        latest_ready="",
        latest_created_ready=not failed,
        latest_created_message=message if failed else "",
        reconciling=bool(pb.reconciling),
        source=job,
        kind=Kind.JOB,
        execution=execution,
    )


def token_execution_failed(pb: Any, execution: Execution | None = None) -> str:
    """The execution the job's `run_execution_token` / `start_execution_token` created
    (`JOB-TOKEN`, job.proto oneof `create_execution`: "A unique string used as a suffix for
    creating a new execution. The Job will become ready when the execution is successfully
    completed" / "… started"), when the job's failed Ready condition is about it; "" else —
    the job's failure is then its update's. Told by structure, never by the condition's words
    (Google documents none; sandbox option `token_failure_ready`): that execution is the
    job's latest (`latest_created_execution`, created by the token the job holds now, so by
    its current generation) and it failed or was cancelled — unless the Ready condition
    carries a reason of its own (an enum) that the execution, read, does not: an update
    refused for its own cause (a connector, a key) while its execution failed otherwise.
    `observed_generation` tells nothing here: after a failed reconciliation it "will have
    the state of the last succeeded execution" (Job.reconciling)."""
    name = token_execution(pb)
    if not name:
        return ""
    if enum_name(pb.latest_created_execution, "completion_status") not in {
        "EXECUTION_FAILED",
        "EXECUTION_CANCELLED",
    }:
        return ""
    ready = pb.terminal_condition
    reason = _reason(ready)
    if not reason or ready.WhichOneof("reasons") == "execution_reason":
        return name
    if execution is None or execution.name != name or not execution.cause:
        return name  # not read: its structure is the evidence
    return name if execution.cause == reason else ""


def running_execution(job: Any, *, written: bool = False) -> str:
    """The job's latest execution when it has not finished ("" else), read from the job itself
    (`Job.latest_created_execution`: its `completion_status`, `create_time`): no call of its
    own, any GetJob or update answer carries it. `written`: the job is the answer to a write
    just made, and an execution created after its `update_time` runs that write: not named."""
    pb = raw(job)
    ref = pb.latest_created_execution
    if not ref.name or enum_name(ref, "completion_status") not in RUNNING:
        return ""
    if written and _later(ref.create_time, pb.update_time):
        return ""
    return short(ref.name)


def stamp(at: Any) -> tuple[int, int]:
    """A protobuf Timestamp as (seconds, nanos), compared in order; (0, 0): unset."""
    return int(at.seconds), int(at.nanos)


def _later(one: Any, other: Any) -> bool:
    """Whether timestamp `one` is after `other`, both set: an execution created after the
    job's `update_time` runs that write; one created before it, the configuration it
    replaced (`Execution.before_update`)."""
    return stamp(one) > stamp(other) > (0, 0)


async def latest_execution(clients: Clients, runner: CallRunner, job: Any) -> Execution | None:
    """How the job's latest execution ended (None: never run). `Job.latest_created_execution`
    carries its `completion_status`; only a failed one, or one whose status the server did not
    give ("used if the state is omitted": COMPLETION_STATUS_UNSPECIFIED), is read with
    GetExecution: for the failure's reason, and whether it still runs (revjobs89 F1)."""
    pb = raw(job)
    if not pb.HasField("latest_created_execution") or not pb.latest_created_execution.name:
        return None
    ref = pb.latest_created_execution
    name = ref.name if "/" in ref.name else f"{pb.name}/executions/{ref.name}"
    status = enum_name(ref, "completion_status")
    completed = _time(ref, "completion_time")
    if status in ENDED:
        running = status in RUNNING
        return Execution(short(name), failed=False, completed=completed, running=running)
    execution = raw(
        await runner.call(
            "run",
            "GetExecution",
            name,
            attempt(clients.executions.get_execution, name=name),
        )
    )
    reason, cause = failure(execution)
    return Execution(
        short(name),
        failed=reason is not None,
        reason=reason or "",
        cause=cause,
        completed=_time(execution, "completion_time") or completed,
        before_update=_later(pb.update_time, ref.create_time) and _ran_another(pb, execution),
        running=reason is None and not execution.HasField("completion_time"),
        ran=tuple(env_var(var) for c in execution.template.containers for var in c.env),
    )


def _ran_another(job: Any, execution: Any) -> bool:
    """Whether the execution ran another configuration than the job holds now: its own
    `template` ("The template used to create tasks for this execution"), `task_count` and
    `parallelism` (execution.proto) against the job's ExecutionTemplate, normalised and
    compared as a job's fix compares them (`config_key`): a write that changed no
    configuration (labels only, a re-apply) is not one. An execution without a template
    (not given) is not judged another."""
    if not execution.HasField("template"):
        return False
    runs = job.template
    now = as_run(job, runs.template, runs.parallelism, runs.task_count)
    # a job whose parallelism is 0 runs each execution at "the maximum possible value"
    # (ExecutionTemplate.parallelism), a quota that "varies depending on how many CPUs you
    # are using" (cloud.google.com/run/docs/configuring/parallelism): whatever number its
    # execution reports (a quota below its task count) is that, not another configuration
    parallelism = execution.parallelism if runs.parallelism else 0
    ran = as_run(job, execution.template, parallelism, execution.task_count)
    return config_key(now, Kind.JOB) != config_key(ran, Kind.JOB)


def as_run(job: Any, template: Any, parallelism: int, task_count: int) -> Any:
    """A copy of the job whose ExecutionTemplate is what an execution runs: that task
    template, task count (1 when unset: "Defaults to 1") and the parallelism it runs at
    — ExecutionTemplate.parallelism: "if this field is 0 or unset, the maximum possible value
    will be used for that execution", and it "Must be <= task_count" — so an execution that
    reports the number it ran at matches the job's 0."""
    copy = type(job)()
    copy.CopyFrom(job)
    copy.template.template.CopyFrom(template)
    copy.template.task_count = tasks = task_count or DEFAULT_TASKS
    copy.template.parallelism = min(parallelism, tasks) if parallelism else tasks
    return copy


def failure(execution: Any) -> tuple[str | None, str]:
    """Why an execution failed, from its conditions (the v1 `Completed` condition, as the
    sandbox and prefect-gcp read it; any other failed condition else), and its reason's name
    (`NON_ZERO_EXIT_CODE`; "" for none); None when it did not fail. Execution has no
    terminal_condition (execution.proto)."""
    failed = [c for c in execution.conditions if enum_name(c, "state") == "CONDITION_FAILED"]
    if not failed and not execution.failed_count:
        return None, ""
    failed.sort(key=lambda c: c.type_ != "Completed")
    for condition in failed:
        if condition.message:
            why = " ".join(condition.message.split())
            reason = _reason(condition)
            return (f"{why} ({reason})" if reason and reason not in why else why), reason
    tasks = int(execution.task_count) or 1
    return f"{execution.failed_count} of {tasks} tasks failed", _reason(failed[0]) if failed else ""


def _reason(condition: Any) -> str:
    """The condition's reason enum (`SECRETS_ACCESS_CHECK_FAILED`, `NON_ZERO_EXIT_CODE`)."""
    which = condition.WhichOneof("reasons")
    if which is None:
        return ""
    name = enum_name(condition, which)
    return "" if name.endswith(("UNDEFINED", "UNSPECIFIED")) else name


def _time(message: Any, name: str) -> dt.datetime | None:
    if not message.HasField(name):
        return None
    when: dt.datetime = getattr(message, name).ToDatetime(tzinfo=dt.UTC)
    return when
