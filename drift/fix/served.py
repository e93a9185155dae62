"""What drift's journal recorded of its canaries, for `since` and `drift history`, which pass
over a canary that never served (`drift.diff.unserved`): whether each held traffic.

Where Cloud Run records no client on a revision (the v2 Revision has no `client` field; its
`annotations` are output only, revision.proto), the revision list alone cannot tell a canary
declined at promotion from one promoted and rolled back later: both are followed by the
configuration that served before, deployed again. The journal of the change can."""

from __future__ import annotations

from pathlib import Path

from drift.diff.unserved import CanaryRecord
from drift.errors import DriftError
from drift.fix.journal import Entry, Journal, State

RESTORING = ("cleanup", "rollback")
"""The steps whose write puts back what served before the change (`drift.fix.restore`)."""


def promoted(entry: Entry) -> bool:
    """Whether a promotion of the entry's canary was begun: from then on it may have served."""
    return any(step.get("state") in (State.PROMOTING, State.PROMOTED) for step in entry.history)


def held_traffic(entry: Entry) -> bool | None:
    """True when the entry's canary may have served (a promotion was begun), False when drift
    put back what served before any (a cleanup's or a rollback's write landed), None when the
    entry says neither (no canary; the canary still there, `--no-promote`)."""
    if not entry.canary_revision:
        return None
    if promoted(entry):
        return True
    restored = any(w.get("step") in RESTORING and w.get("landed") for w in entry.writes)
    return False if restored else None


def canary_record(directory: Path) -> CanaryRecord:
    """A look-up of the journal in `directory` by canary name, read once at its first use (a
    history without drift's canaries reads nothing). A journal that cannot be read, and an
    entry that is not as drift wrote it (`Entry.problem`), say nothing: `since` falls back on
    what the revisions show."""
    known: dict[str, bool | None] | None = None

    def record(name: str) -> bool | None:
        nonlocal known
        if known is None:
            try:
                entries = Journal(directory).entries()
            except DriftError:
                entries = []
            known = {
                e.canary_revision: held_traffic(e)
                for e in entries
                if e.canary_revision and not e.problem and not e.unreadable
            }
        return known.get(name)

    return record
