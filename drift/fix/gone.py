"""Revisions the traffic recorded before a change names that no longer exist.

A fix that puts its canary in the place of a revision traffic was pinned to retires that
revision, and a retired revision may go: "There is a maximum of 1000 revisions per service: If
you exceed that limit, older revisions are automatically deleted", and "You don't need to
manually delete revisions, although you can if you want" (cloud.google.com/run/docs/managing/
revisions). Traffic naming a revision that does not exist is refused at once, or accepted
with its operation failing ("Revision '…' does not exist or is deleted. Update all traffic to
route to currently available revisions.", terraform-docs-samples#269: which is not documented,
`options.missing_traffic` in the sandbox), so before it writes, a rollback asks GetRevision
for each revision the recorded traffic names that the service does not route to now (one it
routes to exists): NOT_FOUND is gone.

The revision the fix was built on ran the recorded configuration (`base_template`), which the
rollback deploys again as a new revision: its share goes to that new revision, named by drift
in the same UpdateService (`RevisionTemplate.revision`: "The unique name for the revision. If
this field is omitted, it will be automatically generated"; traffic may name the revision the
template creates, as the canary's own write does). Any other revision that is gone ran a
configuration the journal does not hold: the rollback stops before writing, naming it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drift.fix.formats.text import command_line
from drift.fix.recorded import before_service, served_by
from drift.fix.update import revision_exists
from drift.live.api import short
from drift.live.session import Session
from drift.textsafe import visible


async def missing(session: Session, entry: Any, live: Any) -> list[str]:
    """The revisions the recorded traffic names that GetRevision answers NOT_FOUND for
    (an answer that says neither is not "gone": the write then says what Cloud Run says)."""
    named = [short(t.revision) for t in before_service(entry).traffic if t.revision]
    routed = {short(t.revision) for t in (*live.traffic, *live.traffic_statuses) if t.revision}
    return [
        name
        for name in dict.fromkeys(named)
        if name not in routed and await revision_exists(session, entry.full_name, name) is False
    ]


def replaceable(entry: Any, gone: Collection[str]) -> bool:
    """Whether every revision gone ran the recorded configuration (the fix's base)."""
    base = served_by(entry)
    return all(name == base for name in gone)


def shares(entry: Any, names: Collection[str]) -> str:
    """`app-00002-bav (100%, tag blue)`: what the recorded traffic gave each revision."""
    out = []
    for name in names:
        rows = [t for t in before_service(entry).traffic if short(t.revision) == name]
        percent = sum(int(t.percent) for t in rows)
        tags = [t.tag for t in rows if t.tag]
        out.append(f"{name} ({percent}%" + "".join(f", tag {t}" for t in tags) + ")")
    return visible(", ".join(out))


def refused(entry: Any, gone: Collection[str]) -> str:
    """Why the rollback cannot restore the recorded traffic, and the way out."""
    others = [name for name in gone if name != served_by(entry)]
    one = len(others) == 1
    its = "its" if one else "their"
    return visible(
        f"{entry.service}: the traffic recorded before change {entry.change_id} names "
        f"revision{'' if one else 's'} {shares(entry, others)}, which no longer "
        f"exist{'s' if one else ''} (GetRevision: NOT_FOUND; Cloud Run deletes the oldest "
        "revisions beyond 1000 per service, and retired ones may be deleted by hand) and "
        f"did not run the configuration the journal recorded: drift cannot send {its} "
        "share anywhere it knows to be the same. Route the traffic by hand to revisions that "
        f"exist (`{route_by_hand(entry)} --to-revisions REVISION=PERCENT,…`); the "
        "configuration that served before the change is `base_template` in "
        f"{entry.source or 'its journal entry'}"
    )


def route_by_hand(entry: Any) -> str:
    """The start of the command that routes `entry`'s service by hand, each of the journal's
    values quoted (an entry someone else wrote is never a command in what is copied)."""
    argv = ["gcloud", "run", "services", "update-traffic", entry.service]
    return command_line([*argv, "--project", entry.project, "--region", entry.region])


def said(entry: Any, gone: Collection[str]) -> str:
    """What the prompt says of revisions gone whose share the new revision takes."""
    if not gone:
        return ""
    one = len(gone) == 1
    return visible(
        f"revision {shares(entry, gone)} no longer exists (GetRevision: NOT_FOUND): it ran the "
        f"configuration that served before the change, so {'its' if one else 'their'} share goes "
        "to the new revision the rollback creates from that configuration"
    )


def renamed(service: Any, gone: Collection[str], new: str) -> Any:
    """A copy of `service` whose traffic and traffic statuses name `new` where they named a
    revision gone."""
    from google.cloud import run_v2

    out = run_v2.Service.deserialize(run_v2.Service.serialize(service))
    for row in (*out.traffic, *out.traffic_statuses):
        if row.revision and short(row.revision) in gone:
            row.revision = new
    return out
