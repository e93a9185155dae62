"""A job's executions as records of the configurations they ran, for `drift history`: one
paged ListExecutions per job ("Results are sorted by creation time, descending",
ListExecutionsRequest, run v2 execution.proto), read only as far as `limit` executions.

A job has no revisions; each execution keeps what it ran: `Execution.template` ("Output only.
The template used to create tasks for this execution"), `task_count` and `parallelism`
(execution.proto), whatever the job becomes afterwards. Who started it: `Execution.creator`
("Output only. Email address of the authenticated creator"); with which client: only what
its annotations record (`run.googleapis.com/client-name`, as a revision's: often nothing).

Cloud Run keeps the details of "the most recent 1,000 executions of a job …, along with any
executions that occurred within the last seven days. Older execution details are removed"
(cloud.google.com/run/docs/execute/jobs): the oldest configuration listed may not be the
job's first; `Job.execution_count` ("Number of executions created for this job", job.proto)
tells how many there were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass
from functools import partial
from typing import Any

from drift.kinds import Kind
from drift.live.api import pages, short
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.history import CLIENT_NAME, CLIENT_VERSION
from drift.live.normalize import raw, template_config
from drift.live.state import RevisionRecord
from drift.live.workloads import as_run, failure

PAGE_SIZE = 1000
"""Cloud Run keeps up to 1,000 executions a job (and a week's more): one page where the
server allows it (AIP-158: a larger page_size is coerced down to the API's maximum)."""


@dataclass(frozen=True)
class ExecutionRecord:
    """One execution read: the configuration it ran (`record`, as a revision's), and how it
    ended (`succeeded`, `failed`, `cancelled`, `running`)."""

    record: RevisionRecord
    outcome: str
    reason: str = ""
    """Why it failed (the condition's message), "" otherwise."""


async def executions_of(
    clients: Clients, runner: CallRunner, job: str, limit: int | None
) -> list[Any]:
    """The newest `limit` executions of `job` (a full name; None: all), as listed (newest
    first), each once: pages are followed only until `limit` are read."""
    from google.cloud import run_v2

    size = PAGE_SIZE if limit is None else min(limit, PAGE_SIZE)
    request = partial(run_v2.ListExecutionsRequest, page_size=size)
    call = clients.executions.list_executions
    listed: dict[str, Any] = {}
    responses = pages(runner, "run", "ListExecutions", job, request, call, "executions")
    async with aclosing(responses):  # no page asked for past the `limit`th execution
        async for response in responses:
            for execution in response.executions:
                listed.setdefault(execution.name, execution)
            if limit is not None and len(listed) >= limit:
                break
    return [*listed.values()][:limit]


def execution_records(
    listed: Sequence[Any], job: Any, container: str | None
) -> list[ExecutionRecord]:
    """The executions `executions_of` listed, oldest first: by `create_time` (the listing's
    own order: "sorted by creation time, descending"), those created in the same instant in
    the reverse of the listing's order. Execution.create_time "is not guaranteed to be set in
    happens-before order across separate operations" (execution.proto): two runs started at
    once may be told in either order; an execution's name has no number to tell them by."""
    pb = raw(job)
    ordered = sorted(
        enumerate(listed),
        key=lambda item: (
            _created(raw(item[1])) or dt.datetime.min.replace(tzinfo=dt.UTC),
            -item[0],
        ),
    )
    return [_record(raw(execution), pb, container) for _, execution in ordered]


def _created(pb: Any, field: str = "create_time") -> dt.datetime | None:
    return getattr(pb, field).ToDatetime(tzinfo=dt.UTC) if pb.HasField(field) else None


def template_record(job: Any, container: str | None) -> RevisionRecord:
    """The job's template as its next execution runs it (named `template`): when it was last
    written (`update_time`), by whom (`last_modifier`) and with which client (`client`,
    `client_version`: job.proto), read as an execution's is (`as_run`)."""
    pb = raw(job)
    runs = pb.template
    now = as_run(pb, runs.template, runs.parallelism, runs.task_count)
    client = " ".join(filter(None, (pb.client, pb.client_version))) or None
    return RevisionRecord(
        name="template",
        create_time=_created(pb, "update_time"),
        creator=pb.last_modifier,
        client=client if pb.client else None,
        read=lambda: template_config(now, container=container, kind=Kind.JOB),
    )


def _record(execution: Any, job: Any, container: str | None) -> ExecutionRecord:
    annotations = dict(execution.annotations)
    name, version = annotations.get(CLIENT_NAME), annotations.get(CLIENT_VERSION)
    client = f"{name} {version}" if name and version else name
    reason, _ = failure(execution)
    running = bool(execution.reconciling) or not execution.HasField("completion_time")
    if execution.cancelled_count:  # its Completed condition failed too: "cancelled"
        outcome, reason = "cancelled", None
    elif reason is not None:
        outcome = "failed"
    else:
        outcome = "running" if running else "succeeded"
    ran = (
        as_run(job, execution.template, _parallelism(job, execution), execution.task_count)
        if execution.HasField("template")
        else job  # no template given: none other known than the job's (never guessed apart)
    )
    record = RevisionRecord(
        name=short(execution.name),
        create_time=_created(execution),
        creator=execution.creator,
        client=client,
        read=lambda: template_config(ran, container=container, kind=Kind.JOB),
        ready=outcome != "failed",
        deploying=outcome == "running",
    )
    return ExecutionRecord(record, outcome, reason or "")


def _parallelism(job: Any, execution: Any) -> int:
    """The parallelism an execution ran at, as `check` compares it (`_ran_another`): a job
    whose parallelism is 0 runs each at "the maximum possible value" (ExecutionTemplate
    .parallelism), which it reports as a number; not another configuration."""
    return int(execution.parallelism) if job.template.parallelism else 0
