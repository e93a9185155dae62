"""Revisions a worker pool's recorded instance splits pin that no longer exist: the pool's
counterpart of `drift.fix.gone`.

A fix of a pool's template moves every split pinned to a revision of the template's
configuration onto the revision it creates (`drift.fix.instances.moved_splits`), which retires
those revisions, and a retired revision may go ("You don't need to manually delete revisions,
although you can if you want", cloud.google.com/run/docs/managing/revisions; `gcloud beta run
worker-pools revisions delete`). A split naming a revision that does not exist is refused, or
fails its operation (`drift.fix.gone`), so before it writes, a pool's rollback asks
GetRevision for each revision the recorded splits pin that the pool does not split to now:
NOT_FOUND is gone.

Those the fix moved ran the recorded template's configuration (a split whose revision ran
another stopped the fix: `WorkloadFix._place`), which the rollback sends back as a new
revision: their share goes to it, named by drift in the same UpdateWorkerPool
(WorkerPoolRevisionTemplate.revision: "The unique name for the revision. If this field is
omitted, it will be automatically generated"), as the fix named the one it moved them to. Any
other revision gone (one the fix did not move: at 0 %, or a fix that moved none) ran a
configuration the journal does not say: the rollback stops before writing, naming it."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from drift.fix.journal import Entry
from drift.fix.patch import is_latest
from drift.fix.revision_name import fresh_revision_name
from drift.fix.update import revision_exists
from drift.live.api import short
from drift.live.session import Session
from drift.textsafe import visible


def _pinned(splits: Iterable[Any]) -> dict[str, int]:
    """Each revision the splits name (not LATEST), with its share."""
    out: dict[str, int] = {}
    for split in splits:
        if not is_latest(split) and split.revision:
            name = short(split.revision)
            out[name] = out.get(name, 0) + int(split.percent)
    return out


async def missing(session: Session, entry: Entry, before: Any, live: Any) -> list[str]:
    """The revisions the recorded splits (`before`: the pool as the journal holds it) pin that
    GetRevision answers NOT_FOUND for; one the pool splits to now exists (never asked)."""
    split_now = {*_pinned(live.instance_splits), *_pinned(live.instance_split_statuses)}
    return [
        name
        for name in _pinned(before.instance_splits)
        if name not in split_now and await revision_exists(session, entry.full_name, name) is False
    ]


def moved_onto(entry: Entry) -> str:
    """The revision the fix's update named for the instances it moved ("" when it moved none:
    `drift.fix.workload.WorkloadFix._place`)."""
    writes = (w for w in entry.writes if w.get("step") == "update" and w.get("revision"))
    return str(next((w["revision"] for w in writes), ""))


def _named(before: Any, gone: Collection[str]) -> str:
    """`pool-00001-vtk (100%)`: what the recorded splits gave each revision gone."""
    shares = _pinned(before.instance_splits)
    return ", ".join(f"{name} ({shares.get(name, 0)}%)" for name in gone)


def replaceable(entry: Entry, before: Any, gone: Collection[str]) -> bool:
    """Whether the fix moved every revision gone (each ran the recorded configuration)."""
    shares = _pinned(before.instance_splits)
    return bool(moved_onto(entry)) and all(shares.get(name, 0) > 0 for name in gone)


def refused(entry: Entry, before: Any, gone: Collection[str]) -> str:
    """Why the rollback cannot restore the recorded splits, and the way out."""
    return visible(
        f"worker pool {entry.service}: the instance splits recorded before change "
        f"{entry.change_id} pin {_named(before, gone)}, which no longer exist (GetRevision: "
        "NOT_FOUND) and "
        "which drift's fix did not move, so what they ran is not in the journal: drift cannot "
        "send their instances anywhere it knows to be the same. Split the instances by hand "
        "to revisions that exist (`gcloud beta run worker-pools update-instance-split "
        f"{entry.service} --project {entry.project} --region {entry.region} --to-revisions "
        "REVISION=PERCENT,…`)"
    )


def restored_name(entry: Entry, now: Any, template: Any) -> str:
    """The name drift gives the revision the rollback's template creates, where a revision
    gone takes it for its share."""
    return fresh_revision_name(entry.service, now.template.revision, template, salt=entry.change_id)


def renamed(pool: Any, gone: Collection[str], new: str) -> Any:
    """A copy of `pool` whose instance splits and their statuses name `new` where they named
    a revision gone."""
    from google.cloud import run_v2

    out = run_v2.WorkerPool.deserialize(run_v2.WorkerPool.serialize(pool))
    for row in (*out.instance_splits, *out.instance_split_statuses):
        if row.revision and short(row.revision) in gone:
            row.revision = new
    return out


def said(before: Any, gone: Collection[str]) -> str:
    """What the prompt says of revisions gone whose share the new revision takes."""
    if not gone:
        return ""
    return visible(
        f"{_named(before, gone)} no longer exist{'s' if len(gone) == 1 else ''} "
        "(GetRevision: NOT_FOUND): "
        "it ran the configuration that ran before the change, so its instances go to the new "
        "revision the rollback creates from that configuration"
    )
