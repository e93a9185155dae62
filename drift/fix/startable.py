"""Whether Cloud Run can start a revision of the configuration that served before a change:
the one an abort's cleanup and `drift rollback` deploy again. A secret version disabled,
destroyed or deleted since it served (often the very thing the fix repaired) fails every new
revision that references it ("During service deployment, all secrets used … are checked …
If any check fails, the service deployment fails", cloud.google.com/run/docs/configuring/
services/secrets); such a write only adds a failed revision, while the service's spec keeps
what was sent (`Service.reconciling`). Judged as a canary is (`drift.fix.changes.doomed`,
check's `secret.disabled`/`secret.destroyed`), each referenced version read once."""

from __future__ import annotations

import asyncio
from weakref import WeakKeyDictionary

from drift.fix.changes import apply_changes, doomed
from drift.fix.journal import Entry, State
from drift.fix.recorded import base_template, before_service, served_by
from drift.live.model import LiveState
from drift.live.normalize import revision_config
from drift.live.secrets import SecretReads, Tasks
from drift.live.session import Session


async def unstartable(
    session: Session, entry: Entry, known: LiveState | None = None
) -> tuple[str, ...]:
    """Why a new revision of `entry`'s recorded configuration would fail to deploy, one line
    per secret use (none when it deploys, or when what could not be read leaves it
    undecided). `known`: what this run read already (a fix's plan: the versions what served
    uses, and who may read them), judged with no call when it holds every version used."""
    before = before_service(entry)
    config = revision_config(base_template(entry), service=before, container=None)
    after = apply_changes(config, ())
    if known is not None and all(ref in known.versions for *_, ref in after.uses):
        return doomed(after, known, before.template.service_account)
    of_session = _READS.setdefault(session, {})
    reads = of_session.get(entry.project)
    if reads is None:  # one reader a session and project: each version read once a run
        reads = of_session[entry.project] = SecretReads(
            session.clients, session.runner, entry.project, LiveState(), Tasks()
        )
    await asyncio.gather(*(reads.version(ref) for ref in dict.fromkeys(r for *_, r in after.uses)))
    return doomed(after, reads.state, before.template.service_account)


_READS: WeakKeyDictionary[Session, dict[str, SecretReads]] = WeakKeyDictionary()


CANNOT_START = "the configuration that served cannot start again, so deploying it again would "
"""What a cleanup records when it left the canary for that reason (`left_unstartable`), the
reasons after it: how `recorded_unstartable` finds them in the journal entry's last note."""


def left_unstartable(why: tuple[str, ...]) -> str:
    """Why drift left its canary (the cleanup's note ends with it): `unstartable`'s reasons."""
    return f"{CANNOT_START}only add a failed revision: {'; '.join(why)}"


def recorded_unstartable(entry: Entry) -> str:
    """Why `entry`'s cleanup left its canary, as its journal records it (`left_unstartable`):
    `drift rollback` refuses it while that holds (`unstartable`, judged again); "" when the
    cleanup did not stop for that."""
    note = str(entry.history[-1].get("note", "")) if entry.history else ""
    if entry.state != State.CLEANUP_FAILED or CANNOT_START not in note:
        return ""
    return note.rpartition(CANNOT_START)[2].partition(": ")[2]


def ways_out(entry: Entry, *, pinned: bool = False) -> str:
    """What the operator can do instead: enable the version, or route by name to the
    revision that ran the configuration (it still exists unless deleted; not said when
    the traffic is `pinned` there already)."""
    ran = "" if pinned else served_by(entry)
    pin = (
        f"; or route traffic by name to {ran}, which ran it: `gcloud run services "
        f"update-traffic {entry.service} --to-revisions {ran}=100 --project {entry.project} "
        f"--region {entry.region}`"
        if ran
        else ""
    )
    return (
        "enable that version (`gcloud secrets versions enable`), then `drift rollback "
        f"{entry.change_id}` restores it{pin}"
    )
