"""Why Cloud Run failed a revision, a job or a pool drift wrote, and what to do next: the
`Condition.CommonReason` of its Ready condition (google/cloud/run/v2/condition.proto) by name,
with the next step for those drift knows (`drift.live.reasons`), then drift fix again. Used
by the canary's proof, the cleanup, the judgement of what cannot start again and a failed job
or pool update."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError
from drift.fix.commands import Commands
from drift.kinds import Kind
from drift.live.api import attempt
from drift.live.reasons import STEPS
from drift.live.reasons import step as next_step
from drift.live.session import Session

AGAIN = "then run drift fix again"


def reason_name(condition: Any) -> str:
    """The CommonReason a condition carries, by name (`CONTAINER_MISSING`); "" for none."""
    reason = getattr(condition, "reason", 0) if condition is not None else 0
    return str(getattr(reason, "name", "")) if reason else ""  # proto-plus: the enum member


def cause_of(condition: Any, resource: str, *, step: bool = True) -> str:
    """`Cloud Run's reason: CONTAINER_MISSING — …what to do next` for a failed Ready condition
    of `resource` (a workload's or its revision's full name) whose reason drift knows (without
    `step`: the reason alone); "" for any other (the failure's own words then stand alone)."""
    name = reason_name(condition)
    if name not in STEPS:
        return ""
    said = f" — {next_step(name, update=_update(resource))}, {AGAIN}" if step else ""
    return f"Cloud Run's reason: {name}{said}"


def _update(resource: str) -> str:
    """gcloud's update of the workload `resource` names, or the workload of the revision it
    names: projects/P/locations/R/{services|jobs|workerPools}/NAME[/revisions/…] (the
    `name` of Service, Job, WorkerPool and Revision, google/cloud/run/v2)."""
    _, project, _, region, collection, name = (resource.split("/") + [""] * 6)[:6]
    kind = next((k for k in Kind if k.collection == collection), Kind.SERVICE)
    return Commands(project, region, name or "NAME", kind=kind).update()


async def revision_condition(session: Session, revision: str) -> Any:
    """The Ready condition of `revision` (a full name), read with GetRevision: None when it
    cannot be read (the failure already says what Cloud Run answered) or has none."""
    call = attempt(session.clients.revisions.get_revision, name=revision)
    try:
        read = await session.runner.call("run", "GetRevision", revision, call)
    except ApiError:
        return None
    return next((c for c in read.conditions if c.type_ == "Ready"), None)


async def revision_cause(session: Session, revision: str, *, step: bool = True) -> str:
    """`cause_of` the Ready condition of `revision` (a full name): "" when it cannot be
    read."""
    return cause_of(await revision_condition(session, revision), revision, step=step)
