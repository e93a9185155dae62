"""The journal entry `drift rollback --from-live` (`drift.fix.recover`) rebuilds from a live
service that carries a change's canary: the entry the fix would have journaled as its canary's
write left it, built on the latest ready revision before the canary (the traffic as it was
then, the canary's target and tag gone; a pin of the team's own kept as it is)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drift import __version__
from drift.diff.differences import template_differences
from drift.diff.served import template_from_revision
from drift.fix.journal import Entry, State, Write, now_text
from drift.fix.patch import copy_service, copy_traffic, is_latest
from drift.fix.routing import shares, template_key, traffic_key
from drift.fix.wire import as_json, carry_unknown, packed
from drift.live.api import attempt, short
from drift.live.changeids import began
from drift.live.clients import backend
from drift.live.normalize import raw
from drift.live.session import Session
from drift.live.state import RevisionRecord
from drift.profiles.model import Profile
from drift.textsafe import visible

NOTE = (
    "rebuilt from the live service by `drift rollback --from-live`: the journal that recorded "
    "this change is not here"
)


def rebuilt(entry: Entry) -> bool:
    """Whether `entry` is one `rebuilt_entry` made (journaled by a rollback from the live
    services once it wrote): the change's journal was not here when it was made."""
    return bool(entry.history) and entry.history[0].get("note") == NOTE


async def rebuilt_entry(
    session: Session,
    profile: Profile,
    name: str,
    live: Any,
    change: str,
    canary: str,
    tag: str,
    records: Sequence[RevisionRecord],
    proof: str | None,
) -> Entry:
    """The entry the fix would have journaled, as its canary's write left it: built on the
    latest ready revision before the canary (under drift's pin, the one that serves)."""
    at = next(i for i, r in enumerate(records) if r.name == canary)  # listed: `own_pin`
    ready = [r.name for r in records[:at] if r.ready]
    served = ready[-1] if ready else next(iter(shares(live)))
    revision = await _revision(session, live.name, served)
    template = template_from_revision(revision, live.template)
    template.revision = ""
    _carry_unknown(template, live.template)
    before = copy_service(live)
    before.template = template
    if proof:  # the team's pin: kept as it is
        before.traffic = [
            t
            for t in copy_traffic(live.traffic)
            if short(t.revision) != canary and not (tag and t.tag == tag)
        ]
    else:
        before.traffic = _unpinned(live.traffic, served, canary, tag)
    del before.traffic_statuses[:]
    before.traffic_statuses.extend(_statuses(before.traffic, served))
    before.latest_ready_revision = f"{live.name}/revisions/{served}"
    before.latest_created_revision = (
        f"{live.name}/revisions/{records[at - 1].name if at else served}"
    )
    before.generation = int(live.generation) - 1
    canary_write = Write(
        "canary",
        "",
        int(live.generation) - 1,
        canary,
        template_key(live),
        traffic_key(live.traffic),
        landed=True,
        etag_after=live.etag,
        generation_after=int(live.generation),
    )
    changes = [line.split(":", 1)[0] for line in template_differences(template, live.template)]
    return Entry(
        change_id=change,
        environment=profile.environment,
        project=profile.project,
        region=profile.region,
        service=name,
        full_name=live.name,
        etag_before="",
        service_before=as_json(before),
        service_before_pb=packed(before),  # what JSON cannot hold: a newer Cloud Run's fields
        canary_revision=canary,
        tag=tag,
        changes=changes,
        state=State.CANARY_READY,
        history=[{"at": now_text(), "state": State.CANARY_READY, "note": NOTE}],
        created_at=began(change).isoformat(timespec="seconds"),
        by=visible(live.last_modifier) or "unknown",  # the canary's write, unless someone's since
        client_version=__version__,
        backend=backend(),
        base_revision=served,
        on_template=bool(proof),  # the template before the canary, which did not serve
        base_template=as_json(template),
        base_template_pb=packed(template),
        writes=[canary_write.stored()],
    )


def _unpinned(targets: Any, served: str, canary: str, tag: str) -> list[Any]:
    """The traffic as before the canary: the pinned revision's share to LATEST (with its tag,
    if it had one), the canary's target gone, every other target as it is."""
    from google.cloud import run_v2

    out = []
    for t in copy_traffic(targets):
        if short(t.revision) == canary or (tag and t.tag == tag):
            continue
        if short(t.revision) == served and t.percent:
            t.type_ = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
            t.revision = ""
        out.append(t)
    return out


def _statuses(targets: Any, served: str) -> list[Any]:
    """What `traffic_statuses` said then: LATEST resolved to the revision that served."""
    from google.cloud import run_v2

    return [
        run_v2.TrafficTargetStatus(
            type_=t.type_,
            revision=served if is_latest(t) else t.revision,
            percent=t.percent,
            tag=t.tag,
        )
        for t in targets
    ]


def _carry_unknown(template: Any, canary: Any) -> None:
    """The fields this client does not know that the canary's template has (on the template,
    on a container of the same name), onto the rebuilt one: the fix wrote none of them (it
    sets only fields it knows), so they are those of the configuration it was built on, which
    JSON (and a template rebuilt field by field from a revision) has no place for; the journal
    keeps them as bytes (`drift.fix.wire`), as a fix journals them (`drift.fix.start`)."""
    carry_unknown(raw(template), raw(canary))
    theirs = {c.name: c for c in raw(canary).containers}
    for container in raw(template).containers:
        if container.name in theirs:
            carry_unknown(container, theirs[container.name])


async def _revision(session: Session, service: str, revision: str) -> Any:
    name = f"{service}/revisions/{revision}"
    call = attempt(session.clients.revisions.get_revision, name=name)
    return await session.runner.call("run", "GetRevision", name, call)
