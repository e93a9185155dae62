"""Which revisions DeleteRevision may delete: "Only retired revisions can be deleted with
this API" (DeleteRevisionRequest, revision.proto)."""

from __future__ import annotations

from drift.sandbox.kinds import kind_of
from drift.sandbox.revisions import latest_ready
from drift.sandbox.state import OwnerRec, World


def retirement_problem(world: World, rec: OwnerRec, name: str) -> str | None:
    """Why the revision is not retired, or None: it serves traffic (runs instances), a tag
    points at it, the spec's traffic (instance split) names it, its deploy is still running,
    or (option `delete_latest_created`) it is the latest created revision, which the
    template describes."""
    kind = kind_of(rec.key)
    for status in getattr(rec.pb, kind.statuses):
        if status.revision == name and status.percent:
            what = "serving traffic" if kind.serves else "running instances"
            return f"Revision '{name}' is {what} ({status.percent}%)."
        if status.revision == name and kind.serves and status.tag:
            return f"Revision '{name}' is referenced by the traffic tag '{status.tag}'."
    for target in getattr(rec.pb, kind.split):
        if target.revision == name:
            return f"Revision '{name}' is referenced by the {kind.split.replace('_', ' ')}."
    if rec.rollout is not None and rec.rollout.created == name:
        return f"Revision '{name}' is being deployed."
    latest = list(rec.revisions)[-1]
    if name == latest and world.options.delete_latest_created == "refused":
        return f"Revision '{name}' is the latest created revision of '{rec.key.id}'."
    return None


def forget(rec: OwnerRec) -> None:
    """The service's revision pointers after a deletion."""
    names = list(rec.revisions)
    rec.pb.latest_created_revision = rec.key.revision(names[-1]) if names else ""
    ready = latest_ready(rec.revisions)
    rec.pb.latest_ready_revision = rec.key.revision(ready) if ready else ""
