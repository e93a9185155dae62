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
from drift.fix.instances import runs_only
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.patch import canary_percent
from drift.fix.recorded import before_service
from drift.fix.restored import carries_kind, complete
from drift.fix.routing import landed, promotion_problem
from drift.fix.workload_restore import in_place
from drift.kinds import Kind

Landed = Callable[[list[Entry]], str]
"""Why a stopped change's entries for one workload have all finished, now recorded so ("":
not proven; nothing recorded)."""

_FINISHES = {State.PROMOTING: State.PROMOTED, State.UPDATING: State.UPDATED}


def landed_on(now: Any, journal: Journal, by: str) -> Landed:
    """The judgement for the workload `now` (as the command `by` read it) of the entries of a
    change stopped on it, each recorded finished in `journal` when all are proven: its last
    write landed, with the etag and generation read (as a fix that saw its answer records
    it), so a later rollback chains drift's changes through it (helper-554 F1)."""

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
                state = _FINISHES[entry.state]
                journal.landed(entry, state, note, etag=now.etag, generation=generation)
        except JournalError:
            return ""  # not recorded: the change stays unfinished, its lock held
        return f"its last write had landed (generation {generation}, exactly as drift wrote it)"

    return judge


def _landed(entry: Entry, now: Any) -> bool:
    """Whether `entry` stopped with its last write begun and `now` is that write landed and
    nothing after it, settled and ready, traffic (instances) where it sent them: a canary's
    promotion judged by its template and traffic (`routing.landed`) and the canary serving
    its share; an update in place — a job's, a pool's, a service's own settings — by the
    configuration it sent (`restored.carries_kind`, as `drift.fix.workload` journals it:
    helper-554 F2), a pool's instances all on the revision it made."""
    if entry.problem or entry.state not in _FINISHES or not entry.writes:
        return False
    if (entry.state == State.UPDATING) != in_place(entry):
        return False
    write = Write.read(entry.writes[-1])
    if write.landed is False or not complete(now):
        return False
    kind = Kind(entry.kind)
    if in_place(entry):
        placed = kind is not Kind.WORKER_POOL or not write.revision
        return carries_kind(now, write, kind) and (placed or not runs_only(now, write.revision))
    share = canary_percent(before_service(entry), entry.base_revision)
    return landed(now, write) and not promotion_problem(now, entry.canary_revision, share)
