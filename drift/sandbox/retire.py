"""Which revisions DeleteRevision may delete: "Only retired revisions can be deleted with
this API" (DeleteRevisionRequest, revision.proto)."""

from __future__ import annotations

from drift.sandbox.revisions import latest_ready
from drift.sandbox.state import ServiceRec, World


def retirement_problem(world: World, rec: ServiceRec, name: str) -> str | None:
    """Why the revision is not retired, or None: it serves traffic, a tag points at it, the
    spec's traffic names it, its deploy is still running, or (option
    `delete_latest_created`) it is the service's latest created revision, which the
    service's template describes."""
    for status in rec.pb.traffic_statuses:
        if status.revision == name and status.percent:
            return f"Revision '{name}' is serving traffic ({status.percent}%)."
        if status.revision == name and status.tag:
            return f"Revision '{name}' is referenced by the traffic tag '{status.tag}'."
    for target in rec.pb.traffic:
        if target.revision == name:
            return f"Revision '{name}' is referenced by the service's traffic."
    if rec.rollout is not None and rec.rollout.created == name:
        return f"Revision '{name}' is being deployed."
    latest = list(rec.revisions)[-1]
    if name == latest and world.options.delete_latest_created == "refused":
        return f"Revision '{name}' is the latest created revision of '{rec.key.service}'."
    return None


def forget(rec: ServiceRec) -> None:
    """The service's revision pointers after a deletion."""
    names = list(rec.revisions)
    rec.pb.latest_created_revision = rec.key.revision(names[-1]) if names else ""
    ready = latest_ready(rec.revisions)
    rec.pb.latest_ready_revision = rec.key.revision(ready) if ready else ""
