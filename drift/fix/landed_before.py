"""A change stopped after its last write landed — killed, or interrupted while the write's
operation was awaited: its journal says `promoting` (a service's canary promotion) or
`updating` (an update in place), and its lock stays — found by the next `fix` of that
workload. When the workload as that `fix` read it is exactly that write and nothing after it
(one generation later, the configuration and the traffic sent, settled and ready), nothing of
the change is pending: its entry is recorded as finished (`promoted`, `updated`) and its lock
taken over, said in one line. Before, every later fix refused until the operator rolled back
a change they wanted or deleted the lock by hand (helper-553 F1). A service's
clean-up stopped while its write was sent (a second Ctrl-C: `cleaning-up`) whose write the
service holds exactly and nothing after it, serving what served before, is recorded
`cleaned-up` and its lock taken over the same way (helper-661 B4: `drift check` said nothing
of it, and the next fix refused until a rollback that wrote nothing). Anything else
— a promotion that did not land (its canary is left), a write someone wrote over — still
refuses, naming both ways out (`drift.fix.lock`): an update in place cut or killed while
sent among them, whose write may still land after a read that finds it not applied
(helper-669 F2). `drift rollback CHANGE` undoes the change
as before.

A fix with nothing to patch on such a workload (what the write made is what the profile wants)
judges its stale lock all the same (`settle`): before, it returned before the only place such
a lock was judged, and the lock of a change that had in fact finished stayed until a teammate's
write made it unprovable and someone deleted it by hand (helper-601 F1)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from drift.errors import JournalError
from drift.fix import lockholder
from drift.fix.instances import runs_only
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.journalfiles import listed
from drift.fix.lock import Landed, Locked, Locks
from drift.fix.lockname import names, other_forms
from drift.fix.locktakeover import left_by
from drift.fix.model import ServicePlan
from drift.fix.patch import canary_percent
from drift.fix.pool_hold import held_landed, held_write
from drift.fix.recorded import before_service
from drift.fix.restore import already_restored
from drift.fix.restored import carries_kind, complete
from drift.fix.routing import landed, promotion_problem
from drift.fix.update import CLIENT
from drift.fix.workload_restore import in_place
from drift.kinds import Kind
from drift.live.changeids import new_change_id

_FINISHES = {
    State.PROMOTING: State.PROMOTED,
    State.UPDATING: State.UPDATED,
    State.CLEANING_UP: State.CLEANED_UP,
}


def landed_on(now: Any, journal: Journal, by: str) -> Landed:
    """The judgement for the workload `now` (as the command `by` read it) of the entries of a
    change stopped on it, each recorded finished in `journal` when all are proven: its last
    write landed, with the etag and generation read (as a fix that saw its answer records
    it), so a later rollback chains drift's changes through it (helper-554 F1)."""

    def judge(entries: list[Entry]) -> str:
        if entries and all(e.state == State.PINNED and held_write(e) for e in entries):
            # its held write proven and recorded (by the fix, or under the lock's other name)
            return "its held write had landed (recorded pinned: held by --no-promote)"
        if not entries or not all(_landed(e, now) for e in entries):
            return ""
        generation = int(now.generation)
        cleanup = all(e.state == State.CLEANING_UP for e in entries)
        note = (
            f"finished by {by}: its last write had landed, the workload read at generation "
            f"{generation} exactly as drift wrote it"
        )
        try:
            for entry in entries:
                state = State.PINNED if held_write(entry) else _FINISHES[entry.state]
                journal.landed(entry, state, note, etag=now.etag, generation=generation)
        except JournalError:
            return ""  # not recorded: the change stays unfinished, its lock held
        if cleanup:
            return (
                f"its clean-up had landed (generation {generation}, exactly as drift wrote it: "
                "the canary's tag removed, what served before serving again)"
            )
        held = " (held by --no-promote: its new revision with no instances)"
        pinned = held if all(held_write(e) for e in entries) else ""
        return (
            f"its last write had landed (generation {generation}, exactly as drift wrote "
            f"it{pinned})"
        )

    return judge


def _landed(entry: Entry, now: Any) -> bool:
    """Whether `entry` stopped with its last write begun and `now` is that write landed and
    nothing after it, settled and ready, traffic (instances) where it sent them: a canary's
    promotion judged by its template and traffic (`routing.landed`) and the canary serving
    its share; an update in place — a job's, a pool's, a service's own settings — by the
    configuration it sent (`restored.carries_kind`, as `drift.fix.workload` journals it:
    helper-554 F2), a pool's instances all on the revision it made; a canary's clean-up by
    the configuration and traffic it sent (`routing.landed`), what served before serving
    again and the service's own fields as recorded (`restore.already_restored`)."""
    if entry.problem or entry.state not in _FINISHES or not entry.writes:
        return False
    if (entry.state == State.UPDATING) != in_place(entry):
        return False
    write = Write.read(entry.writes[-1])
    if write.landed is False or not complete(now):
        return False
    if now.client != CLIENT:  # the last write is someone else's (invariant 12: drift's say
        return False  # `client: drift`), however alike: helper-607 F1
    if entry.state == State.CLEANING_UP:  # a service's clean-up (its `restore` write)
        return write.step == "cleanup" and landed(now, write) and already_restored(now, entry)
    kind = Kind(entry.kind)
    if held_write(entry):  # its revision held with no instances: never all on it
        return carries_kind(now, write, kind) and held_landed(now, entry, write)
    if in_place(entry):
        placed = kind is not Kind.WORKER_POOL or not write.revision
        return carries_kind(now, write, kind) and (placed or not runs_only(now, write.revision))
    share = canary_percent(before_service(entry), entry.base_revision)
    return landed(now, write) and not promotion_problem(now, entry.canary_revision, share)


log = logging.getLogger(__name__)
UNFINISHED = frozenset({State.PROMOTING, State.UPDATING, State.CLEANING_UP})
"""The states of a change stopped after its last write was sent (its outcome not had): a
promotion, an update in place, a clean-up (a second Ctrl-C while it was written)."""
BY = "a later `drift fix`"


def stopped_notes(journal: Path, workloads: dict[str, str]) -> list[str]:
    """What `drift check` says of each checked workload (key -> full resource name) whose
    lock a process that is gone left in the middle of a write (helper-601 F1: the check said
    "no drift" while every later `fix` of it was refused) — a rollback's too (`rolling-back`,
    helper-711: killed or interrupted, its lock refuses every later fix the same way).
    Nothing when the journal is not there or cannot be read: a check never fails on it."""
    present = _locks(journal)
    noted = UNFINISHED | {State.ROLLING_BACK}
    found = {k: _stopped(journal, name, present, noted) for k, name in workloads.items()}
    return [_note(key, *stopped) for key, stopped in found.items() if stopped is not None]


HOW = "stopped mid-change, or ended with its write not read back or still settling"
"""Why a change's lock is left (helper-827 R3; the lock's own words, `lockholder`)."""


def _note(key: str, holder: lockholder.Holder, states: set[str]) -> str:
    """The check's note on a workload whose lock a stopped change left (its entries' states:
    stopped while its clean-up was written, a second Ctrl-C: helper-661 B4, no note was
    said; stopped while it rolled back: helper-711)."""
    change = holder.change_id
    if states == {State.ROLLING_BACK}:
        return (
            f"{key}: the rollback of change {change} did not finish: its outcome is not known "
            f"({HOW}), and its lock is left: `drift rollback {change}` finishes it (a `drift "
            f"fix` of {key} is refused until then)"
        )
    if states == {State.CLEANING_UP}:
        return (
            f"{key}: change {change} did not finish: the outcome of its clean-up (the canary's "
            f"tag removed, the routing that served restored) is not known ({HOW}), and its lock "
            "is left: the next `drift fix` settles it if it reads the clean-up landed; else "
            f"`drift rollback {change}` finishes it"
        )
    return (
        f"{key}: change {change} did not finish: the outcome of its last write is not known "
        f"({HOW}), and its lock is left: the next `drift fix` settles it if it reads that "
        f"write landed; else `drift rollback {change}`"
    )


def stopped_on(journal: Path, services: Sequence[ServicePlan]) -> list[ServicePlan]:
    """The workloads of `services` whose lock (either name, either form of the project) was
    left by a process that is gone, in the middle of a write (`UNFINISHED`)."""
    present = _locks(journal)
    return [
        sp
        for sp in services
        if sp.live is not None and _stopped(journal, sp.full_name, present, UNFINISHED)
    ]


def _locks(journal: Path) -> list[str]:
    try:
        return [p.name for p in listed(journal / "locks", ".lock", "the journal's locks")]
    except JournalError:
        return []


def _stopped(
    journal: Path, full_name: str, present: list[str], states: frozenset[str]
) -> tuple[lockholder.Holder, set[str]] | None:
    """The holder of a lock of the workload (either name, either form of the project) left
    by a process that is gone, in the middle of a write (its entries in one of `states`),
    and which of those states they are in."""
    own = set(names(full_name)) | set(other_forms(full_name, present))
    for name in sorted(own & set(present)):
        holder = lockholder.read(journal / "locks" / name)
        if holder is None or not holder.stale:
            continue
        found = {e.state for e in left_by(journal, holder) or []} & states
        if found:
            return holder, found
    return None


def settle(
    journal: Path,
    services: Sequence[ServicePlan],
    unsaid: Collection[str],
    say: Callable[[str], None],
) -> bool:
    """Take over and release the stale lock on each of `services` whose stopped change's last
    write is what the workload holds as read (`landed_on`: recorded finished); say why each
    other one stays, but for the workloads named in `unsaid` (their fix's own lock refuses
    them, and says so). Whether it found any landed (the journal a plan read before it is not
    the journal now: `drift.fix.fix_plan` makes the plan again). A journal that cannot take a
    lock now leaves the stale one as it was (logged)."""
    stopped = stopped_on(journal, services)
    if not stopped:
        return False
    found: list[str] = []

    def counted(judge: Landed) -> Landed:  # each judgement, kept: any landed?
        def judged(entries: list[Entry]) -> str:
            found.append(why := judge(entries))
            return why

        return judged

    try:
        changes = [p.name.split("--", 1)[0] for p in listed(journal, ".json", "the journal")]
        with Locks(journal, new_change_id(after=changes), "fix", say=say) as locks:
            for sp in stopped:
                judge = counted(landed_on(sp.live, Journal(journal), BY))
                try:
                    locks.acquire(sp.full_name, sp.label, landed=judge)
                except Locked as exc:
                    if sp.full_name not in unsaid:
                        say(exc.message)
    except JournalError as exc:
        log.warning("the stale locks of %s stay: %s", ", ".join(s.label for s in stopped), exc)
    return any(found)
