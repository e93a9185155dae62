"""What drift's journal recorded of its canaries, for `since` and `drift history`, which pass
over a canary that never served (`drift.diff.unserved`): whether each held traffic.

Where Cloud Run records no client on a revision (the v2 Revision has no `client` field; its
`annotations` are output only, revision.proto), the revision list alone cannot tell a canary
declined at promotion from one promoted and rolled back later: both are followed by the
configuration that served before, deployed again. The journal of the change can."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drift.diff.unserved import JournalCanaries
from drift.errors import DriftError
from drift.live.changeids import canary_change

if TYPE_CHECKING:
    from drift.fix.journal import Entry

# The journal's and the canaries' modules are imported when a journal is first read: `drift
# check` makes a record for every run and reads it only for a service whose history it lists
# (most of the fix package, 25-45 ms of a clean check's start-up, helper-539).

RESTORING = ("cleanup", "rollback")
"""The steps whose write puts back what served before the change (`drift.fix.restore`)."""


def held_traffic(entry: Entry) -> bool | None:
    """True when the entry's canary may have served (a promotion was begun), False when drift
    put back what served before any (a cleanup's or a rollback's write landed), None when the
    entry says neither (no canary; the canary still there, `--no-promote`)."""
    if not entry.canary_revision:
        return None
    from drift.fix.journal import promoted

    if promoted(entry):
        return True
    restored = any(w.get("step") in RESTORING and w.get("landed") for w in entry.writes)
    return False if restored else None


class _Journal:
    """`JournalCanaries` of a journal whose `entries` are asked only of the changes whose
    canaries are asked of (a history without drift's canaries reads nothing: a
    `drift.fix.journalview.JournalView` reads each change's files when first asked). A
    journal that cannot be read, and an entry that is not as drift wrote it
    (`Entry.problem`), say nothing: `since` falls back on what the revisions show, a
    canary's state on its age."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = entries

    def _change(self, name: str) -> tuple[str, Sequence[Entry]]:
        """The change the canary `name` names, and its entries that can be trusted."""
        from drift.fix.journalview import of_change

        change = canary_change(name)
        kept = [e for e in of_change(self._entries, change) if not e.problem] if change else []
        return change or "", kept

    def __call__(self, name: str) -> bool | None:
        _, kept = self._change(name)
        held = {e.canary_revision: held_traffic(e) for e in kept if e.canary_revision}
        return held.get(name)

    def left(self, service: str, name: str, now: Any = None) -> str:
        change, kept = self._change(name)
        # what its entry here says: never its age (`drift check` judges that itself)
        if not change:
            return ""
        from drift.fix.canary_left import canary_left

        return canary_left(service, name, change, kept, lambda *_: "", now)

    def built_on(self, service: str, name: str) -> str:
        _, kept = self._change(name)
        from drift.fix.canary_left import built_on

        return built_on(service, name, kept)


def canary_record(directory: Path, entries: Sequence[Entry] | None = None) -> JournalCanaries:
    """What the journal in `directory` recorded of drift's canaries (`JournalCanaries`), from
    its `entries` when the caller has them (a view of them, read as asked, else)."""
    from drift.fix.journalview import JournalView

    return _Journal(JournalView(directory) if entries is None else entries)


def journal_entries(directory: Path) -> list[Entry]:
    """The entries of the journal in `directory`, for what they say of a canary ([] when it
    cannot be read: what is said of it then comes from the revisions alone)."""
    from drift.fix.journal import Journal

    try:
        return Journal(directory).entries()
    except DriftError:
        return []
