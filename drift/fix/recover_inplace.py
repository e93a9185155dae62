"""What `drift rollback CHANGE --from-live ENV` cannot rebuild: a job or worker pool drift
updated in place. A fix updates them without a canary (`drift.fix.workload`: nothing serves
traffic), so the live resource keeps nothing of what it ran before — only the change's journal
does. What the live resource does carry is who wrote it last: `client` / `client_version`
("Arbitrary identifier for the API client", job.proto / worker_pool.proto; drift sends
`drift`, SPEC invariant 12) and `update_time`. A job or pool of the environment whose last
write is drift's, made since the change began (its id is its start time), may hold that
change: it is named, with the ways on, so that a rollback of the change's services is never
reported as the whole change rolled back (exit 0) while it keeps drift's write. So is one
whose last write since the change began is someone else's: `client` and `update_time` are the
last write's only, and drift's write may have come before it, its change kept under theirs
(a teammate's `gcloud run jobs update --update-env-vars`: revjobs93 F1). One whose last
write is another change's, journaled where the rollback looks (its etag is that write's, read
back), is not this change's: said and left, and never with a `drift fix` offered that would
undo that other change."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from drift.errors import ApiError
from drift.fix.journal import Entry
from drift.fix.update import CLIENT, get_workload
from drift.kinds import Kind, label
from drift.live.api import parent
from drift.live.changeids import began
from drift.live.normalize import raw
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.textsafe import visible

SKEW = dt.timedelta(minutes=5)
"""How much earlier than a change id's time Cloud Run's `update_time` of that change's write may
read. The id is stamped by the clock of the machine that ran the fix (a CI runner's may run
ahead of Cloud Run's), and later still when the journal held a later id
(`drift.live.changeids.new_change_id`: ids sort after those already there); `update_time` by
Cloud Run's clock. A job written up to this long before the id's time is still named: naming a
job the change did not write costs a look, missing one it wrote reports it rolled back while
it keeps drift's write (revown20 F2)."""


async def left_in_place(
    session: Session,
    profile: Profile,
    change: str,
    services: Sequence[str] | None,
    entries: Sequence[Entry] = (),
) -> tuple[list[str], list[str]]:
    """One line for each job or worker pool of `profile` (those named) that drift wrote in
    place since `change` began (`SKEW` before it), or that could not be read (then not looked
    at); and one for each whose last write is another change's, journaled in `entries`
    (`later`): not this change's, left as it is."""
    since = began(change)
    out: list[str] = []
    notes: list[str] = []
    for p in profile.services.values():
        if p.kind is Kind.SERVICE or (services and p.name not in services):
            continue
        name = label(p.kind, p.name)
        full = f"{parent(profile.project, profile.region)}/{p.kind.collection}/{p.name}"
        try:
            now = raw(await get_workload(session, p.kind, full))
        except ApiError as exc:
            if exc.status != "NOT_FOUND":
                out.append(
                    f"{name}: not looked at ({exc.brief}): if change {change} updated it, "
                    "it keeps that change (--from-live cannot rebuild it)"
                )
            continue
        other = later(entries, change, p.kind, (full, now.name), now.etag)
        if other is None:
            if (when := _drifts_since(now.client, now.update_time, since)) is not None:
                out.append(visible(_kept(name, change, when, now, profile.environment)))
            elif (when := _written_since(now.update_time, since)) is not None:
                # someone else's write since (gcloud's names gcloud the client): drift's
                # write may have come before it, its change kept (revjobs93 F1)
                out.append(visible(_since(name, change, when, now)))
            continue
        before = other.service_before  # the resource as read before the other change wrote
        stamp = Timestamp()
        with contextlib.suppress(ValueError):
            stamp.FromJsonString(str(before.get("updateTime", "")))
        # as B found it: written since the change began, by drift or by someone after drift
        ours = _written_since(stamp, since)
        by = f"{before.get('client', '')} {before.get('clientVersion', '')}".strip()
        (out if ours else notes).append(visible(_other(name, change, other, ours, by)))
    return out, notes


def later(
    entries: Sequence[Entry], change: str, kind: Kind, names: Sequence[str], etag: str
) -> Entry | None:
    """The journaled entry of another change than `change` whose landed write is what the
    job or pool is now (`etag`: the etag read back after that write; any write since changes
    it, job.proto / worker_pool.proto `etag`), else None: its last write was that change's."""
    for entry in entries:
        if entry.change_id == change or entry.kind != kind.value or entry.full_name not in names:
            continue
        if etag and any(w.etag_after == etag for w in entry.landed_writes()):
            return entry
    return None


def _drifts_since(client: str, stamp: Timestamp, since: dt.datetime) -> dt.datetime | None:
    """When drift wrote it (`client`, `update_time`), if that was since `since` (`SKEW`
    before it), else None."""
    return _written_since(stamp, since) if client == CLIENT else None


def _written_since(stamp: Timestamp, since: dt.datetime) -> dt.datetime | None:
    """When it was last written (`update_time`), by anyone, if that was since `since` (`SKEW`
    before it), else None."""
    written = stamp.ToDatetime(tzinfo=dt.UTC)
    return written if written >= since - SKEW else None


def _kept(name: str, change: str, when: dt.datetime, now: Any, environment: str) -> str:
    return (
        f"{name}: last written by drift ({f'{now.client} {now.client_version}'.strip()}, "
        f"{when:%Y-%m-%d %H:%M:%S} UTC), since change {change} began: it may hold "
        f"that change. {CANNOT} `drift rollback {change} --journal DIR` with the journal of the "
        f"change (the fix's CI artifacts) restores it, or `drift fix {environment}` with "
        f"the profile as it was before the change"
    )


def _since(name: str, change: str, when: dt.datetime, now: Any) -> str:
    """A job or pool someone else wrote last, since `change` began: the resource keeps no
    record of the writes before its last (`client` and `update_time` are the last one's), so
    drift's write of the change may have come first and its change stayed under theirs."""
    by = f"{now.client} {now.client_version}".strip() or "a client that did not name itself"
    return (
        f"{name}: written since change {change} began ({by}, {when:%Y-%m-%d %H:%M:%S} UTC): "
        f"if change {change} updated it before that, it keeps that change. {CANNOT} `drift "
        f"rollback {change} --journal DIR` with the journal of the change (the fix's CI "
        "artifacts) says whether it did and what it was before; else compare it with the "
        "profile as it was before the change"
    )


def _other(name: str, change: str, other: Entry, ours: dt.datetime | None, by: str) -> str:
    """A job or pool whose last write is change `other`'s (journaled): left as it is. When
    it had been written since `change` began before that (`ours`, by client `by`: drift, or
    someone whose write may keep drift's under it), it may still hold `change` under
    `other`'s: named, and no `drift fix` offered (it would undo `other`)."""
    last = f"{name}: last written by change {other.change_id} ({other.state}, in the journal)"
    if ours is None:
        return f"{last}, not by change {change}: left as it is"
    when = f"{ours:%Y-%m-%d %H:%M:%S} UTC"
    kept = (
        f"what drift wrote at {when}, since change {change} began"
        if by.split(" ")[0] == CLIENT
        else f"a write since change {change} began ({by or 'a client that did not name itself'}"
        f", {when}), drift's possibly under it"
    )
    return (
        f"{last}, which kept {kept}: it may hold that change under {other.change_id}'s. "
        f"{CANNOT} A `drift "
        f"fix` with the profile as it was before {change} would undo {other.change_id} too: "
        f"compare its entry in the journal (what it was before {other.change_id}) with the "
        f"journal of change {change} (the fix's CI artifacts), and fix what is left by hand"
    )


CANNOT = (
    "A fix updates jobs and worker pools in place, without a canary, so --from-live cannot "
    "rebuild what it ran before; it is left as it is."
)
