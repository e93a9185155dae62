"""An update in place whose answer was lost (`landed` None: a job's, a pool's, a service's own
settings; `drift.fix.lost_answer`) and that a rollback then wrote over (`--force`, over their
write): the rollback's write landing proves nothing of the lost one, which may still be carried
out after it (google/rpc/code.proto DEADLINE_EXCEEDED: "this error may be returned even if the
operation has completed successfully"; grpc.io "Deadlines": giving up "does not mean that the
server will stop processing the request"; run v2's etag only "May be used to detect
modification conflict", so the stale one it carries is no guard). Before (task 860), the entry
said `rolled-back` and every later `drift rollback CHANGE` said "nothing left to roll back",
exit 0, while the late update was live. Now the rollback says so, and a later `drift rollback
CHANGE` reads the workload: exactly the lost write landed one generation past the rollback's
(its configuration, `restored.carries_kind`) is drift's own, recorded landed there and rolled
back again unforced; anything else is still "already rolled back". A service's promotion whose
answer was lost alike, judged by its template and traffic (`drift.fix.promotion_late`, task
864)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drift.fix import promotion_late
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.promotion_lost import UNREAD
from drift.fix.restored import carries_kind
from drift.fix.workload_restore import in_place
from drift.kinds import Kind
from drift.textsafe import visible


def overwritten(entry: Entry) -> Write | None:
    """The update in place (or a service's promotion) of `entry` whose answer was lost and that
    its rollback, landed since, wrote over (None: there is none, or the entry is not rolled
    back by its own write)."""
    if entry.state != State.ROLLED_BACK or entry.undone_by:
        return None
    writes = [Write.read(w) for w in entry.writes]
    if not writes or writes[-1].step != "rollback" or not writes[-1].landed:
        return None
    for write in reversed(writes[:-1]):  # the change's last write besides its rollbacks
        if write.step != "rollback":  # landed: recorded (`record`)
            lost = write.landed is None and (in_place(entry) or write.step == "promotion")
            return write if lost else None
    return None


def landed_late(now: Any, entry: Entry) -> bool:
    """Whether `now` is `overwritten(entry)` landed after the rollback and nothing after it:
    one generation past the rollback's, holding the configuration the lost write sent."""
    lost = overwritten(entry)
    if lost is None:
        return False
    after = Write.read(entry.writes[-1]).generation_after
    if not in_place(entry):  # a promotion: landed alone, or then theirs (`promotion_late`)
        return bool(promotion_late.judged(now, lost, after))
    return carries_kind(now, replace(lost, generation_before=after), Kind(entry.kind))


def record(journal: Journal, entry: Entry, now: Any) -> str:
    """Record the lost write landed late (`landed_late`), at `now`'s generation, as a write of
    the change's (the entry `updated` again, what the rollback then undoes); the line said of
    it. JournalError: not recorded."""
    lost = overwritten(entry)
    assert lost is not None  # the caller judged `landed_late`
    after = Write.read(entry.writes[-1]).generation_after
    how, state = "exact", State.UPDATED
    if not in_place(entry):  # then theirs: the earliest generation, theirs judged after it
        how, state = promotion_late.judged(now, lost, after), State.PROMOTED
    at = int(now.generation) if how == "exact" else after + 1
    late = replace(
        lost,
        generation_before=after,
        landed=True,
        etag_after=now.etag if how == "exact" else UNREAD,  # the one it left: never read
        generation_after=at,
    )
    line = (
        f"drift's update of change {visible(entry.change_id)}, whose answer was lost, landed "
        f"after its rollback (generation {after} → {int(now.generation)}): it is drift's own "
        "and is rolled back again"
        if in_place(entry)
        else promotion_late.line(entry, after, now, how)
    )
    entry.writes.append(late.stored())
    try:
        journal.record(entry, state, line)
    except Exception:
        entry.writes.pop()
        raise
    return line


def note(name: str, entry: Entry) -> str:
    """What a rollback that wrote over such a lost update (or promotion) says of it ("" none)."""
    if overwritten(entry) is None:
        return ""
    if not in_place(entry):
        return promotion_late.note(name, entry)
    change = visible(entry.change_id)
    return (
        f"{name}: drift's update of change {change}, whose answer was lost, may still land "
        f"over this rollback (a server may carry out a request whose answer was lost): "
        f"`drift rollback {change}` reads it again and puts back what ran before if it did"
    )
