"""`drift rollback`: put back what served before a change, from its journal (SPEC invariant
10). It refuses an entry that is not what drift recorded (its checksum), a service someone else
changed since drift's last write (unless `--force`), and a service another drift command holds
(its lock); it shows the full difference between what is live and what it will restore; and it
succeeds only when what serves afterwards — `traffic_statuses` and the revisions' readiness,
not the spec — is what served before.

Plain `drift rollback` takes the latest change; once that is rolled back (or was cleaned up
after an abort) it says nothing is left, exit 0 (4 where services the journal lacks carry its
canary: `recover_left`), and never takes an older change on its own (that could undo a change
made on top of it). A change that wrote nothing but left its lock is finished by removing it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import replace

from drift.errors import DriftError, ExitCode, Interrupted, JournalError, UsageError
from drift.fix import landed_late as late
from drift.fix.context import FixUI
from drift.fix.fanout import Said, in_order
from drift.fix.journal import DONE, Entry, Journal, State
from drift.fix.journalfiles import probe
from drift.fix.journalview import change_and_workloads
from drift.fix.lock import Locked, Locks
from drift.fix.locktakeover import clear_stale
from drift.fix.recorded import tags_said
from drift.fix.recover import from_live
from drift.fix.recover_left import left_live, with_left
from drift.fix.rollback_check import Checked, check, not_found, who
from drift.fix.rollback_check import where as place
from drift.fix.rollback_locks import STAYS, interrupted, unsent, unsettled
from drift.fix.rollback_refusal import forced, refusal, the_rest
from drift.fix.rollback_restore import RollbackResult, Rolling, restore_all
from drift.fix.rollback_restore import stop as _stop
from drift.fix.rollback_view import ChangeList, gone_note, list_changes
from drift.fix.since import later_changes
from drift.fix.update import GONE, deleted
from drift.fix.withheld import fill
from drift.kinds import Kind, workload_key
from drift.live.backendid import elsewhere
from drift.live.clients import backend
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.settings import Settings
from drift.textsafe import visible

__all__ = ["ChangeList", "RollbackResult", "list_changes", "run_rollback"]


async def run_rollback(
    settings: Settings,
    ui: FixUI,
    change_id: str | None,
    *,
    yes: bool,
    force: bool = False,
    services: Sequence[str] | None = None,
    live: Profile | None = None,
    deployable: bool = False,
    stopped: bool = False,
) -> RollbackResult:
    """Roll back a change (the latest by default; of `services` only, when named); Ctrl-C
    ends at once with one line. `live`: the change is not in the journal, and is rebuilt from
    that environment's live services (`drift.fix.recover`). Each override lifts only its own
    refusal: `force` someone's change since drift's last write, `deployable` what a failed
    canary found missing, `stopped` (with `live`) a canary a fix may still be working on."""
    where = ["nothing was changed"]
    try:  # what the journal does not hold of the change is read before anything is written
        return with_left(await left_live(settings, change_id, services, live), await _run(
            settings, ui, change_id, yes=yes, force=force, services=services, where=where,
            live=live, deployable=deployable, stopped=stopped,
        ))  # fmt: skip
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise Interrupted(ExitCode.ABORTED, where[0]) from None


async def _run(
    settings: Settings,
    ui: FixUI,
    change_id: str | None,
    *,
    yes: bool,
    force: bool,
    services: Sequence[str] | None,
    where: list[str],
    live: Profile | None = None,
    deployable: bool = False,
    stopped: bool = False,
) -> RollbackResult:
    named = None  # a change named: its files and its workloads' alone
    if change_id and live is None:
        named = change_and_workloads(settings.journal(), change_id)
    journal = Journal(settings.journal(), named)
    entries = journal.entries()
    kept: list[str] = []  # jobs and pools drift wrote in place, which --from-live leaves
    rebuilt: list[Entry] = []
    if live is not None:
        rebuilt, kept = await from_live(
            settings, ui, live, change_id, entries, services, stopped=stopped
        )
        entries += rebuilt
    if change_id and (away := _made_elsewhere([e for e in entries if e.change_id == change_id])):
        return _stop(RollbackResult(change_id), away)  # its locks are not this drift's to clear
    cleared = clear_stale(journal.directory, change_id) if change_id else []
    for note in cleared:
        ui.say(note)
    if change_id and cleared and all(e.change_id != change_id for e in entries):
        # a fix stopped before its first write: its lock was all it left
        return RollbackResult(
            change_id,
            message=f"change {change_id} stopped before its first write: nothing to roll back",
        )
    if not entries and not change_id and journal.directory.is_dir():
        return RollbackResult(
            "", message=f"no change recorded in {journal.directory}: nothing to roll back"
        )
    wanted = change_id or _latest(entries, services, journal)
    result = RollbackResult(wanted)
    picked = _pick(entries, wanted, services, journal, result, ui, named=bool(change_id))
    if isinstance(picked, RollbackResult):
        return picked
    probe(journal.open().directory)  # entries writable, before its question (task 841)
    with Locks(journal.directory, wanted, "rollback", say=ui.say) as locks:
        try:
            for entry in picked:
                locks.acquire(entry.full_name, who(entry), take_over=entry.change_id)
        except Locked as exc:
            locks.give_back()  # nothing was written: a lock taken over stays as found
            return _stop(result, f"{exc.message}: nothing was changed")
        # what another command finished between the read above and these locks (a rollback, a
        # fix on top) is judged, never written over: read again (same bytes: `Journal.again`)
        journal.again = entries
        try:
            entries = _journaled(journal.entries(), rebuilt)
            todo = _pick(entries, wanted, services, journal, result, ui, named=bool(change_id))
        except DriftError:  # refused as it is now: nothing was written
            locks.give_back()
            raise
        if isinstance(todo, RollbackResult):
            locks.give_back()  # nothing was written: a lock taken over stays as found
            return todo
        if unlocked := [who(e) for e in todo if locks.path(e.full_name) not in locks.held]:
            locks.give_back()  # recorded since the first read: never written without its lock
            return _stop(
                result,
                f"{', '.join(unlocked)}: recorded under change {visible(wanted)} while this "
                f"rollback read the journal; nothing was changed: run `drift rollback "
                f"{visible(wanted)}` again",
            )
        try:
            async with Session(settings.access()) as session:
                run = Rolling(
                    session, journal, ui, yes, force, settings.concurrency, deployable,
                    settings.write_wait, bool(services),
                    live if any(e is r for e in todo for r in rebuilt) else None, stopped,
                )  # fmt: skip
                done = await _roll_back(run, entries, todo, result)
        except (KeyboardInterrupt, asyncio.CancelledError):
            where[0] = interrupted(locks, todo)
            raise
        except DriftError:  # its clients could not start (credentials, a variable), say
            unsent(locks, todo)
            raise
        done.notes += unsettled(locks, todo, done.unrecorded, done.unread)  # lock kept (h689 L1)
        if kept:  # never "rolled back" (exit 0) while a job or pool may keep drift's change
            done.notes += kept
            done.exit_code = ExitCode.INCOMPLETE if done.unknown else ExitCode.ABORTED
        if done.exit_code is ExitCode.ABORTED and not (done.restored or done.failed):
            # nothing was written: the stopped change's locks stay, byte for byte as they
            # were found (they name the command that stopped, never this rollback)
            if locks.give_back():
                done.message += f"; {STAYS.format(visible(wanted))}"
        elif given := unsent(locks, todo):  # refused or failed there: still unfinished
            names = ", ".join(who(e) for e in todo if locks.path(e.full_name) in given)
            done.notes.append(f"{names}: {STAYS.format(visible(wanted))}")
        return done


async def _roll_back(
    run: Rolling, entries: list[Entry], todo: list[Entry], result: RollbackResult
) -> RollbackResult:
    """Read every workload of the change concurrently (what each check says is said in the
    change's order), ask, then restore them (`restore_all`)."""
    session, journal, ui, force = run.session, run.journal, run.ui, run.force
    payloads: dict[str, bytes | str] = {}  # each version read once
    unread: list[str] = []
    for entry in todo:
        unread += [f"{who(entry)}: {p}" for p in await fill(entry, session.access_secret, payloads)]
    if unread:  # the values the journal refers to, read again first (`drift.fix.withheld`)
        return _stop(
            result,
            "cannot restore the plain values the journal recorded by their secret version: "
            + "; ".join(unread)
            + ": nothing was changed",
        )
    # `since.judge` compares what serves with what the later change found; `--force` restores
    # whatever it finds, so it needs no comparison (`_as_found`: cannot be told, unread)
    compared = {id(e): e for t in todo for e in later_changes(t, entries)[:1]}.values()
    uncompared = [
        f"{who(later)}: whether drift's later change {visible(later.change_id)} left it as it "
        f"found it cannot be told: {'; '.join(missed)}"
        for later in compared
        if (missed := await fill(later, session.access_secret, payloads))
    ]
    only = todo if run.selected else None  # what `--force` names
    if uncompared and not force:
        return _stop(
            result,
            "; ".join(uncompared)
            + f": nothing was changed ({forced(result.change_id, only, run.live)} restores anyway)",
        )

    async def read(entry: Entry) -> tuple[Said, Checked | DriftError]:
        said = Said(ui)
        try:
            return said, await check(
                session, journal, entries, entry, said, force=force, deployable=run.deployable
            )
        except DriftError as exc:  # ApiError, AuthError: one line each
            return said, exc

    checked: list[Checked] = []
    async with aclosing(in_order(run.limit, list(todo), read)) as reads:
        async for entry, (said, found) in reads:
            said.replay()
            if deleted(found):  # it no longer exists: nothing to roll back, the entry closed
                try:
                    line = _closed(journal, entry)
                except JournalError as exc:
                    return _stop(result, f"{who(entry)}: {exc.message}: nothing was changed")
                ui.say(f"{who(entry)}: skipped ({line})")
                result.skipped.append(f"{who(entry)}: {line}")
                todo.remove(entry)
            elif isinstance(found, DriftError):
                noun = Kind(entry.kind).noun
                return _stop(
                    result,
                    f"{who(entry)}: cannot read the {noun} ({found.message}): nothing was changed",
                )
            elif found.settled:  # proven rolled back already, and recorded so now
                result.skipped.append(f"{who(entry)}: {found.settled}")
                todo.remove(entry)
            elif found.unsent:
                result.skipped.append(
                    f"{who(entry)}: nothing was applied (the canary was never created)"
                )
                todo.remove(entry)
            else:
                checked.append(found)
    if not todo:
        result.message = f"change {visible(result.change_id)}: nothing left to roll back"
        return result
    blocked = [c for c in checked if c.blocked]
    if blocked:  # and what is not held back may go alone (helper-538 F3)
        # those someone changed since are refused next, unforced: not offered
        held = [*blocked, *(c for c in checked if c.since.blocks and not force)]
        rest = "".join(f" ({w})" for w in the_rest(held, checked, result.change_id, run.live))
        return _stop(result, "; ".join(c.blocked for c in blocked) + ": nothing was changed" + rest)
    refused = [c for c in checked if c.since.blocks and not force]
    if refused:
        past = await run.past(result.change_id, refused)  # from live: would a rerun be refused?
        why = refusal(refused, checked, result.change_id, run.selected, run.live, past)
        return _stop(result, why)
    # what no workload's new revision can promise of an image named by a tag, said once
    if tags := tags_said([c.by_tag for c in checked if c.by_tag], "the new revision", "ran"):
        ui.say(f"note: {tags}")
    if all(c.back for c in checked):  # nothing is written: nothing to confirm, and the read
        run = replace(run, yes=True)  # just made is what `restore` judges (no prompt waited)
    elif not run.yes and not ui.confirm(
        f"Roll back change {visible(result.change_id)} in "
        f"{' and '.join(dict.fromkeys(place(e) for e in todo))} on "
        f"{', '.join(who(e) for e in todo)}?"
    ):
        return _stop(result, "declined: nothing was changed")
    return await restore_all(run, checked, result)


def _pick(
    entries: list[Entry],
    wanted: str,
    services: Sequence[str] | None,
    journal: Journal,
    result: RollbackResult,
    ui: FixUI,
    *,
    named: bool,
) -> list[Entry] | RollbackResult:
    """The entries of change `wanted` left to roll back, or the result that stops it (an entry
    refused, made elsewhere, nothing left). Judged once before the locks are taken (which to
    take) and again under them, from the journal read again: a workload skipped is said
    once."""
    found = [e for e in entries if e.change_id == wanted]
    if not found:
        raise not_found(wanted, journal, entries)
    found = _only(found, services, wanted)
    unreadable = [e.problem for e in found if e.unreadable]
    if unreadable:  # not an entry drift can roll back from: one clear error (invariant 7)
        raise JournalError("; ".join(unreadable))
    broken = [f"{who(e)}: journal entry refused: {visible(e.problem)}" for e in found if e.problem]
    if broken:
        return _stop(result, "; ".join(broken) + ": nothing was changed")
    if elsewhere := _made_elsewhere(found):
        return _stop(result, elsewhere)
    todo = []
    for entry in found:
        why = _nothing_to_do(entry)
        if not why:
            todo.append(entry)
        elif (line := f"{who(entry)}: {why}") not in result.skipped:
            result.skipped.append(line)
            ui.say(f"{who(entry)}: skipped ({why})")
    if not todo:
        result.message = f"change {visible(wanted)}: nothing left to roll back" + (
            "" if named else " (older changes: `drift rollback --list`)"
        )
        return result
    return todo


def _journaled(entries: list[Entry], rebuilt: list[Entry]) -> list[Entry]:
    """The journal's entries and those `--from-live` rebuilt that it does not hold (one that
    another rollback journaled meanwhile is the journal's)."""
    held = {e.identity for e in entries}
    return entries + [e for e in rebuilt if e.identity not in held]


def _latest(entries: list[Entry], services: Sequence[str] | None, journal: Journal) -> str:
    """The latest change (of `services`, when named)."""
    mine = [e for e in entries if _named(e, services)] if services else entries
    if services and entries and not mine:
        raise UsageError(
            f"no change of {visible(', '.join(map(repr, services)))} in the journal "
            f"{journal.directory} "
            "(`drift rollback --list` lists the changes)"
        )
    return mine[-1].change_id if mine else ""


def _named(entry: Entry, services: Sequence[str] | None) -> bool:
    keys = (entry.service, workload_key(Kind(entry.kind), entry.service))
    return not services or any(name in keys for name in services)


def _only(found: list[Entry], services: Sequence[str] | None, change: str) -> list[Entry]:
    """The entries of the change for the workloads named (all when none is)."""
    if not services:
        return found
    unknown = [n for n in services if not any(_named(e, [n]) for e in found)]
    if unknown:
        known = ", ".join(dict.fromkeys(who(e) for e in found))
        raise UsageError(
            f"change {visible(change)} did not change {visible(', '.join(map(repr, unknown)))} "
            f"(it changed: {known})"
        )
    return [e for e in found if _named(e, services)]


def _made_elsewhere(found: list[Entry]) -> str:
    """Why a change made against another backend is not rolled back here ("" when it was made
    here, or by a drift that did not record where): the sandbox's services share their names
    with real ones, and a uid or generation that differs would only offer `--force` — which
    would deploy the sandbox's configuration on the real service. Not overridden by --force."""
    here = backend()
    there = sorted({e.backend for e in found if elsewhere(e.backend, here)})
    if not there:
        return ""
    return (
        f"change {visible(found[0].change_id)} was made against {visible(there[0])}, and this "
        f"drift talks to {here}: nothing was changed (roll it back where it was made: the same "
        "CLOUD_RUN_EMULATOR_HOST / SECRET_MANAGER_EMULATOR_HOST, or none for Google Cloud)"
    )


def _closed(journal: Journal, entry: Entry) -> str:
    """Close the entry of a workload deleted since the change (NOT_FOUND, a definite answer; its
    revisions went with it), recorded rolled back with why; one created again is refused (uid)."""
    noun = Kind(entry.kind).noun
    line = (
        f"{who(entry)} {GONE} (the {noun} was deleted since change {visible(entry.change_id)}): "
        "nothing is left to roll back; its journal entry is closed"
    )
    journal.record(entry, State.ROLLED_BACK, line)
    return line


def _nothing_to_do(entry: Entry) -> str:
    if gone := gone_note(entry):
        return gone
    if entry.state == State.ROLLED_BACK and entry.undone_by:
        return f"already rolled back, by the rollback of change {visible(entry.undone_by)}"
    if entry.state == State.ROLLED_BACK:  # read again over a lost update (`landed_late`)
        return "" if late.overwritten(entry) else "already rolled back"
    if entry.state == State.CLEANED_UP:
        return "cleaned up when the fix stopped: it serves what it served before"
    if entry.state in DONE or not entry.wrote:
        return "nothing was written"
    return ""
