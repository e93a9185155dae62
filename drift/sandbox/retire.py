"""Which revisions DeleteRevision may delete: "Only retired revisions can be deleted with
this API" (DeleteRevisionRequest, revision.proto); and which revisions say they are retired
(their Ready condition's RevisionReason RETIRED, "Revision is Retired", condition.proto)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import timestamp_pb2

from drift.sandbox.kinds import kind_of
from drift.sandbox.names import ResourceKey
from drift.sandbox.pb import RevisionPb
from drift.sandbox.revisions import (
    FAILED,
    MIN_INSTANCES,
    RESERVE,
    RETIRED,
    SUCCEEDED,
    UNSERVED,
    latest_ready,
    ready_condition,
)
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


DELETED_KEPT = 30 * 86400
"""How long, in seconds, the sandbox keeps a deleted revision listable (its `expire_time`):
not documented for Cloud Run revisions."""


def keep_deleted(
    rec: OwnerRec, name: str, revision: RevisionPb, when: timestamp_pb2.Timestamp
) -> None:
    """Keep `revision`, deleted at `when`, in `rec.deleted` until its `expire_time` ("For a
    deleted resource, the time after which it will be permamently deleted",
    Revision.expire_time), `DELETED_KEPT` later: what a ListRevisions with `show_deleted` may
    still return ("If true, returns deleted (but unexpired) resources along with active
    ones", ListRevisionsRequest, run v2 revision.proto; `options.deleted_revisions`).
    GetRevision never finds one: its request has no `show_deleted` (AEP-164: a Get of a
    soft-deleted resource answers 404 unless `show_deleted` is true)."""
    kept = RevisionPb()
    kept.CopyFrom(revision)
    kept.delete_time.CopyFrom(when)
    kept.expire_time.CopyFrom(
        timestamp_pb2.Timestamp(seconds=when.seconds + DELETED_KEPT, nanos=when.nanos)
    )
    rec.deleted[name] = kept


def forget(rec: OwnerRec) -> None:
    """The service's revision pointers after a deletion."""
    names = list(rec.revisions)
    rec.pb.latest_created_revision = rec.key.revision(names[-1]) if names else ""
    ready = latest_ready(rec.revisions)
    rec.pb.latest_ready_revision = rec.key.revision(ready) if ready else ""


def retire(world: World, key: ResourceKey, owner: Any, revisions: Mapping[str, RevisionPb]) -> None:
    """Once traffic (instances) has moved: a revision that was ready and now has no traffic,
    no tag, and is neither the latest created nor the latest ready revision says RevisionReason
    RETIRED (or, option `unserved_reason`, RESERVE: condition.proto names both and says of
    neither when; or MIN_INSTANCES_NOT_PROVISIONED for one with min instances, RETIRED for the
    others: "A revision with min_instance_count > 0 was created and is reserved, but it was
    not configured to serve traffic, so it's not live. This can also happen momentarily
    during traffic migration", condition.proto, which leaves open whether a revision that
    lost its traffic says it) on its Ready condition; one routed to again is ready again.
    The Ready *state* of a retired revision is not documented (condition.proto gives only the
    reason; public run_v2 scripts find retired revisions by `revision_reason == RETIRED`):
    option `retired_ready` says which, so drift is tested against both. (RETIRING, "being
    retired", is the passage between: this sandbox moves traffic at once, so it never
    shows.)"""
    kind = kind_of(key)
    reached = {
        s.revision.rsplit("/", 1)[-1]
        for s in getattr(owner, kind.statuses)
        if s.revision and (s.percent or getattr(s, "tag", ""))
    }
    keep = {owner.latest_created_revision, owner.latest_ready_revision}
    state = FAILED if world.options.retired_ready == "failed" else SUCCEEDED
    option = world.options.unserved_reason
    for name, revision in revisions.items():
        ready = ready_condition(revision)
        if ready is None:
            continue
        why = _unserved_reason(option, revision)
        retired = ready.revision_reason in UNSERVED
        if not retired and ready.state != SUCCEEDED:
            continue  # a revision that failed its deploy never served: it is not retired
        if name in reached or key.revision(name) in keep:
            if retired:
                ready.state = SUCCEEDED
                ready.revision_reason = 0
                ready.message = ""
                ready.last_transition_time.CopyFrom(world.now())
        elif not retired:
            ready.state = state
            ready.revision_reason = why
            ready.message = WORDS[why]
            ready.last_transition_time.CopyFrom(world.now())


WORDS = {
    RETIRED: "Revision is Retired.",
    RESERVE: "Revision is in Reserve state.",
    MIN_INSTANCES: "Revision is reserved for its minimum instances but not configured to serve "
    "traffic.",
}
"""The message beside each reason (the sandbox's own words: Cloud Run's are not documented)."""


def _unserved_reason(option: str, revision: RevisionPb) -> int:
    """The RevisionReason a revision that stopped serving says (`unserved_reason`)."""
    if option == "RESERVE":
        return RESERVE
    if option == "MIN_INSTANCES_NOT_PROVISIONED" and revision.scaling.min_instance_count > 0:
        return MIN_INSTANCES
    return RETIRED
