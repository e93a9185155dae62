"""A change stopped after its last write landed — killed, or interrupted while the write's
operation was awaited: its journal says `promoting` (a service's canary promotion) or
`updating` (an update in place), and its lock stays — found by the next `fix` of that
workload. When the workload as that `fix` read it is exactly that write and nothing after it
(one generation later, the configuration and the traffic sent, settled and ready), nothing of
the change is pending: its entry is recorded as finished (`promoted`, `updated`) and its lock
taken over, said in one line. Before, every later fix refused until the operator rolled back
a change they wanted or deleted the lock by hand (helper-553 F1). Anything else — a write
that did not land, one someone wrote over — still refuses, naming both ways out
(`drift.fix.lock`). `drift rollback CHANGE` undoes the change as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.errors import JournalError
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.restored import carries_kind, complete
from drift.fix.routing import landed
from drift.fix.workload_restore import in_place
from drift.kinds import Kind

Landed = Callable[[list[Entry]], str]
"""Why a stopped change's entries for one workload have all finished, now recorded so ("":
not proven; nothing recorded)."""

_FINISHES = {State.PROMOTING: State.PROMOTED, State.UPDATING: State.UPDATED}


def landed_on(now: Any, journal: Journal, by: str) -> Landed:
    """The judgement for the workload `now` (as the command `by` read it) of the entries of a
    change stopped on it, each recorded finished in `journal` when all are proven."""

    def judge(entries: list[Entry]) -> str:
        if not entries or not all(_landed(e, now) for e in entries):
            return ""
        generation = int(now.generation)
        note = (
            f"finished by {by}: its last write had landed, the workload read at generation "
            f"{generation} exactly as drift wrote it"
        )
        try:
            for entry in entries:
                journal.record(entry, _FINISHES[entry.state], note)
        except JournalError:
            return ""  # not recorded: the change stays unfinished, its lock held
        return f"its last write had landed (generation {generation}, exactly as drift wrote it)"

    return judge


def _landed(entry: Entry, now: Any) -> bool:
    """Whether `entry` stopped with its last write begun and `now` is that write landed and
    nothing after it, settled and ready."""
    if entry.problem or entry.state not in _FINISHES or not entry.writes:
        return False
    if (entry.state == State.UPDATING) != in_place(entry):
        return False
    write = Write(**entry.writes[-1])
    kind = Kind(entry.kind)
    proven = landed(now, write) if kind is Kind.SERVICE else carries_kind(now, write, kind)
    return proven and complete(now)
