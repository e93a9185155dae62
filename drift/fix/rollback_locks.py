"""What `drift rollback` leaves of the locks it holds when it does not finish a change: a
workload whose rollback was sent keeps its lock (`interrupted`; `unsettled`: its outcome not
known when the rollback ends), and a lock taken over from a stopped change goes back as it
was found wherever the change is still unfinished (`unsent`): `drift fix` stays refused there
until the change is rolled back (SPEC invariant 11)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from drift.fix.journal import DONE, Entry, State
from drift.fix.lock import Locks
from drift.fix.rollback_check import who
from drift.textsafe import visible

STAYS = (
    "the lock change {} left stays as it was (`drift fix` is refused on it until the change "
    "is rolled back or the lock deleted)"
)


def interrupted(locks: Locks, todo: list[Entry]) -> str:
    """Where an interrupted rollback stands. A workload whose rollback was sent (the journal
    says rolling-back) keeps its lock, as a fix interrupted mid-change does (SPEC invariant
    11, `drift.fix.interrupt`): the next command on it refuses, and `drift rollback CHANGE`
    takes the lock over and finishes it. A lock taken over from a stopped change stays as it
    was found while nothing was written under it. What was restored is what the journal
    says: each workload's step records it the moment it lands, while `result` learns it only
    in the change's order (behind an earlier workload still in flight)."""
    restored = [who(e) for e in todo if e.state == State.ROLLED_BACK]
    said = [f"restored {', '.join(restored)}"] if restored else []
    said += _kept(locks, todo, "was sent", "to finish it", named=False)
    unsent(locks, todo)
    return "; ".join(said) or "nothing was changed"


def unsettled(
    locks: Locks,
    todo: list[Entry],
    known: Collection[str] = (),
    unread: Mapping[str, tuple[str, str]] | None = None,
) -> list[str]:
    """What a rollback that ended says of each workload its write left unknown (the journal
    still says rolling-back): it keeps the lock, as a fix whose last write's outcome is unknown
    does (`drift.fix.interrupt._unknown`, helper-689 L1), for `drift rollback CHANGE` run
    again to take it over — once the workload has settled where the write landed and it was
    still reconciling when its wait ended (`Restored.unsettled`); at once where the write was
    sent and not read back (`unread`, `who` -> what was sent and what can be done by hand
    instead, after `drift rollback CHANGE`: this one line says it all, `Restored.unread`,
    `Restored.by_hand`). `known`: the workloads (`who`) whose restoration landed and is known,
    only not journaled (`RollbackResult.unrecorded`, said by their own line): their lock is
    kept too, and nothing said."""
    sent = "was written and its outcome is not known"
    return _kept(locks, todo, sent, "once it has settled", known=known, unread=unread or {})


def _kept(
    locks: Locks,
    todo: list[Entry],
    sent: str,
    then: str,
    *,
    named: bool = True,
    known: Collection[str] = (),
    unread: Mapping[str, tuple[str, str]] | None = None,
) -> list[str]:
    """Keep the lock of each workload of `todo` whose rollback `sent` (rolling-back), and say
    so (`named`: only where drift holds it; never of one `known`), with `drift rollback
    CHANGE` again `then` (at once for one `unread`: "was" what it says, then what can be done
    by hand instead)."""
    said, unread = [], unread or {}
    for entry in (e for e in todo if e.state == State.ROLLING_BACK):
        kept, (text, by_hand) = locks.keep(entry.full_name), unread.get(who(entry), ("", ""))
        if kept is None and named and not text or who(entry) in known:  # `unread`: said here
            continue
        lock = f"drift keeps its lock {kept}" if kept else "its lock"
        how = f"was {text}" if text else sent
        again = f" (or {by_hand})" if by_hand else "" if text else f" {then}"
        said.append(
            f"the rollback of {who(entry)} {how} (the journal says {State.ROLLING_BACK}), "
            f"so {lock}: no other drift command writes to it meanwhile; run `drift rollback "
            f"{visible(entry.change_id)}` again{again}"
        )
    return said


def unsent(locks: Locks, todo: list[Entry]) -> list[Path]:
    """Give back, as found, the locks taken over for workloads not rolled back (never sent,
    refused, failed; one in flight keeps its own: `interrupted`): a stopped change's lock
    stays while its change is unfinished there, never deleted by a rollback that did not
    finish it. The locks given back."""
    return locks.give_back(
        [
            path
            for entry in todo
            if (path := locks.path(entry.full_name)) in locks.taken
            and entry.state not in (*DONE, State.ROLLING_BACK)
        ]
    )
