"""A job's history (`drift history`): the configurations its executions ran, read with one
ListExecutions per job (`drift.live.executions`: the newest `--limit` executions), oldest
first, executions one after another with one configuration one entry (a job runs many times
with one configuration), each with what it changed against the one before, masked as a
service's revisions are (`Masking`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from drift.diff.jobs import masked_reason
from drift.errors import ApiError
from drift.history.changes import Masking, Naming, changes
from drift.history.model import JobEntry, JobHistory, Unread
from drift.live.api import parent
from drift.live.executions import (
    ExecutionRecord,
    execution_records,
    executions_of,
    template_record,
)
from drift.live.normalize import raw
from drift.live.session import Session
from drift.live.state import RevisionRecord
from drift.profiles.model import Profile, ServiceProfile

JOB_SETTINGS = ("parallelism", "task_count")
"""A job's settings an execution carries beside its task template (Execution.parallelism,
task_count: execution.proto), which a revision has not (they are the job's level)."""
OUTCOMES = ("succeeded", "failed", "cancelled", "running")

JobRead = tuple[ServiceProfile, list[ExecutionRecord], int, RevisionRecord]
"""A job's executions read, oldest first, how many it has had (`Job.execution_count`), and
its template now (`template_record`)."""


def job_name(profile: Profile, job: ServiceProfile) -> str:
    return f"{parent(profile.project, profile.region)}/{job.kind.collection}/{job.name}"


async def list_executions(
    session: Session, profile: Profile, job: ServiceProfile, limit: int | None
) -> list[Any] | ApiError:
    """The newest `limit` executions of `job`, by the name the profile gives (no Get first)."""
    try:
        return await executions_of(session.clients, session.runner, job_name(profile, job), limit)
    except ApiError as exc:
        return exc


def job_read(
    profile: Profile, job: ServiceProfile, found: Any, listed: list[Any] | ApiError
) -> JobRead | Unread:
    """The job read (`found`: GetJob's answer, None: it does not exist) with its executions."""
    if found is None:
        return Unread(job.label, f"job {job.name} does not exist in {profile.where}")
    for failed in (found, listed):
        if isinstance(failed, ApiError):
            return Unread(job.label, failed.reason)
    assert not isinstance(listed, ApiError)
    created = max(int(raw(found).execution_count), len(listed))
    template = template_record(found, job.container)
    return job, execution_records(listed, found, job.container), created, template


def records(read: JobRead) -> list[RevisionRecord]:
    """Every configuration of a job read, its executions' and its template's (what masking
    and the naming of projects read)."""
    return [*(e.record for e in read[1]), read[3]]


def job_history(
    job: ServiceProfile,
    executions: Sequence[ExecutionRecord],
    created: int,
    template: RevisionRecord,
    masking: Masking,
    naming: Naming | None = None,
) -> JobHistory:
    """`executions` oldest first -> the configurations they ran, newest first: an execution
    whose configuration shows no change against the one before it joins that one's entry;
    the job's `template`, where it differs from what the newest execution ran, first (no
    execution ran it yet: the next one will)."""
    runs: list[list[ExecutionRecord]] = []
    told: list[tuple[Any, ...] | None] = []
    for execution in executions:
        if runs:
            before = runs[-1][0].record.config
            said = changes(before, execution.record.config, masking, naming, JOB_SETTINGS)
            if not said:
                runs[-1].append(execution)
                continue
            told.append(said)
        else:
            told.append(None)
        runs.append([execution])
    plain = [v for e in executions for env in e.record.variables.envs if env for v in env.values()]
    why = {
        e.record.name: masked_reason(e.reason, plain, masking.secret)
        for e in executions
        if e.outcome == "failed" and e.reason
    }
    entries = [_entry(run, said, why) for run, said in zip(runs, told, strict=True)]
    if runs:
        said = changes(runs[-1][0].record.config, template.config, masking, naming, JOB_SETTINGS)
        if said:
            entries.append(_pending(template, said))
    return JobHistory(job.name, len(executions), created, tuple(reversed(entries)))


def _pending(template: RevisionRecord, said: tuple[Any, ...]) -> JobEntry:
    """The job's template no execution ran yet (`JobEntry.count` 0)."""
    return JobEntry(
        name=template.name,
        last=template.name,
        count=0,
        create_time=template.create_time,
        last_time=template.create_time,
        creator=template.creator,
        client=template.client,
        outcomes=(),
        changes=said,
    )


def _entry(
    run: list[ExecutionRecord], said: tuple[Any, ...] | None, why: dict[str, str]
) -> JobEntry:
    first, last = run[0].record, run[-1].record
    counted = Counter(e.outcome for e in run)
    return JobEntry(
        name=first.name,
        last=last.name,
        count=len(run),
        create_time=first.create_time,
        last_time=last.create_time,
        creator=first.creator,
        client=first.client,
        outcomes=tuple((o, counted[o]) for o in OUTCOMES if counted[o]),
        changes=said,
        failures=tuple((e.record.name, why[e.record.name]) for e in run if e.record.name in why),
    )
