"""`drift rollback`'s writes: each workload's restoration is independent (its own lock and
journal entry), so they run concurrently, at most `settings.concurrency` at a time; how each
ended is recorded in the journal the moment it lands, in its own step (`Ended`), and said in
the change's order (`drift.fix.fanout.in_order`); the exit code is 0 only when every one
serves what it served before (SPEC invariant 10). A journal that cannot record a write before
it is sent starts no other; those already sent finish, those not started are named."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import Any

from drift.errors import ExitCode, JournalError, OutputLost
from drift.fix import landed_late as late
from drift.fix import workload_restore
from drift.fix.context import FixUI
from drift.fix.fanout import NOT_STARTED, Said, in_order
from drift.fix.job_running import RESTORED, still_running
from drift.fix.journal import ROLLBACK, Entry, Journal
from drift.fix.recover import again, refused_again
from drift.fix.restore import restore
from drift.fix.restored import Restored
from drift.fix.rollback_check import Checked, who
from drift.fix.rollback_refusal import as_now, forced, put_back_left, unforced
from drift.fix.since import undoes, undone
from drift.fix.update import OPERATION_TIMEOUT
from drift.kinds import Kind
from drift.live.session import Session
from drift.live.workloads import running_execution
from drift.profiles.model import Profile
from drift.textsafe import visible


@dataclass
class RollbackResult:
    change_id: str
    restored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    as_before: list[str] = field(default_factory=list)
    """Workloads already as before the change (their update never landed): nothing written."""
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the restoration cannot prove (a job's execution still running), and the
    journal's records of drift's later changes a forced rollback undid."""
    unknown: list[str] = field(default_factory=list)
    """Workloads whose restoring write's outcome is not known: sent and not read back (`unread`),
    or landed and still reconciling (each said by its own line in `failed`)."""
    unread: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Of `unknown`, those sent and not read back: what was sent, and what can be done by hand
    instead (`Restored.by_hand`; said, with its lock kept, by one line after `drift rollback
    CHANGE`: `rollback_locks.unsettled`)."""
    unrecorded: list[str] = field(default_factory=list)
    """Workloads whose rollback was written and restored them, which the journal could not
    record (each said by its own line in `failed`): neither "restored nothing" nor "not
    known" of them (helper-811 F2)."""
    exit_code: ExitCode = ExitCode.OK
    message: str = ""

    def summary(self) -> str:
        lines = []
        if self.message:
            lines.append(self.message)
        if self.change_id and (self.restored or self.failed or self.as_before or self.unknown):
            # one restored but not journaled is said by its own line, never "restored nothing";
            # every workload as before: neither (note68 §9 Q1: "restored nothing; already …")
            alone = not (self.restored or self.failed or self.unknown or self.unrecorded)
            restored = ", ".join(self.restored) or (
                "" if self.unrecorded or alone else "nothing proven" if self.unknown else "nothing"
            )
            said = [f"restored {restored}"] if restored else []
            if self.as_before:
                nothing = "nothing to restore, " if alone else ""
                said.append(
                    f"{nothing}already as before (nothing written): {', '.join(self.as_before)}"
                )
            if said:
                lines.append(f"rollback of {visible(self.change_id)}: " + "; ".join(said))
        lines += self.notes
        lines += self.failed
        return "\n".join(lines)


def stop(result: RollbackResult, message: str) -> RollbackResult:
    result.exit_code = ExitCode.ABORTED
    result.message = message
    return result


@dataclass(frozen=True)
class Ended:
    """How one workload's restoration ended, with drift's later changes of it that its write
    undid already recorded as rolled back (`drift.fix.since.undone`)."""

    done: Restored
    later: tuple[Entry, ...] = ()
    """drift's later changes of the workload that were live when its write landed."""
    unrecorded: tuple[str, ...] = ()
    """One line for each of them the journal could not record."""
    past: str = ""
    """Refused, rebuilt from the live service: why the `--force` command would be refused too
    (`Rolling.past`)."""


def landed(journal: Journal, c: Checked, done: Restored) -> Ended:
    """Record what a restoration that landed undid, the moment it lands, in the workload's own
    step: an earlier workload still in flight (its outcome said first, in the change's order)
    must not keep it unrecorded, or a Ctrl-C or a kill -9 then leaves a later change it undid
    recorded as live, which the next `drift rollback --force` would undo by re-applying the
    older fix (`drift.fix.since`)."""
    if not (done.ok or done.then) or done.unjournaled or done.untouched:  # untouched: unwritten
        return Ended(done)
    later = undoes(c.since.later)
    return Ended(done, later, tuple(undone(journal, c.entry, later)))


@dataclass(frozen=True)
class Rolling:
    """What every step of one rollback shares."""

    session: Session
    journal: Journal
    ui: FixUI
    yes: bool
    force: bool
    limit: int
    """At most this many workloads read or written at once (`settings.concurrency`)."""
    deployable: bool = False
    """`--deployable`: what a failed canary could not deploy is usable again (`check`)."""
    write_wait: float = OPERATION_TIMEOUT
    """Each write's whole wait, its operation and the read until it settles (`write_wait`)."""
    selected: bool = False
    """`--service` named the workloads: the commands said name them (`forced`)."""
    profile: Profile | None = None
    """The change is rebuilt from these live services, its journal holds none of it."""
    stopped: bool = False
    """`--stopped` was given (with `profile`)."""

    @property
    def live(self) -> str:
        """The flags that rebuild the change (`drift.fix.recover.again`), which the commands
        said carry (`forced`): "" where the journal holds it."""
        return again(self.profile, self.stopped)

    def rebuilt(self, entry: Entry) -> bool:
        """Whether `entry` was rebuilt from the live services by this rollback: the journal
        does not hold it (one an earlier rollback from here journaled, finished or not, or
        this one's once its write was journaled, is the journal's: its `--force` restores
        from what the journal recorded, not from the service as it is now)."""
        return self.profile is not None and not self.journal.file(entry).is_file()

    async def past(
        self, change: str, refused: Sequence[Checked], now: Any = None
    ) -> dict[str, str]:
        """Why the `--force` command with `live` would be refused too, run now on each of the
        workloads `refused` this rollback rebuilt from the live services (`rebuilt`;
        `drift.fix.recover.refused_again`: a deploy since the canary), by service name: ""
        where it would rebuild it; none for those the journal holds (helper-771 R1).
        Judged from the read that refused it (`now`, else the check's), not read again."""
        refused = [c for c in refused if self.rebuilt(c.entry)]
        if not refused:
            return {}
        assert self.profile is not None  # `rebuilt`
        names = [c.entry.service for c in refused]
        read = {c.entry.service: now if now is not None else c.live for c in refused}
        return await refused_again(
            self.session, self.profile, change, names, self.stopped, self.limit, read
        )


async def restore_all(
    run: Rolling, checked: list[Checked], result: RollbackResult
) -> RollbackResult:
    """Restore every workload `checked`, concurrently. With `yes` no prompt waited since the
    check read each one, so that read is what the write starts from (read again, it is the
    same moment) — for those that start at once: one that starts once another has ended
    (more workloads than `concurrency`) waited on it, a new revision followed until it
    settled, and is read again as after a prompt, right before its write (revfix84 F4)."""
    session, journal, ui, force = run.session, run.journal, run.ui, run.force
    halt: list[str] = []  # why no other restoration starts: the journal or the output failed
    ended: list[Checked] = []  # the restorations that have ended so far
    only = [c.entry for c in checked] if run.selected else None  # what `--force` names

    async def one(c: Checked) -> Ended | str:
        entry, now = c.entry, (c.live if run.yes and not ended else None)
        try:
            if not workload_restore.in_place(entry):
                done = await restore(
                    session, journal, entry, step="rollback", states=ROLLBACK, force=force,
                    judge=c.judge, gone=c.gone, current=now, later=undoes(c.since.later),
                    write_wait=run.write_wait,
                )  # fmt: skip
            else:
                done = await workload_restore.restore_workload(
                    session, journal, entry, force=force, judge=c.judge, now=now, gone=c.gone,
                    write_wait=run.write_wait, later=undoes(c.since.later),
                )  # fmt: skip
        except JournalError as exc:  # before its write: nothing was written to it
            halt.append(exc.message)
            return exc.message
        finally:
            ended.append(c)
        if done.refused and run.rebuilt(c.entry):  # rebuilt from live by this rollback
            past = await run.past(result.change_id, [c], done.now)
            return replace(landed(journal, c, done), past=past.get(c.entry.service, ""))
        return landed(journal, c, done)

    lost: OutputLost | None = None
    unstarted: list[str] = []
    async with aclosing(in_order(run.limit, checked, one, lambda: bool(halt))) as outcomes:
        async for c, done in outcomes:
            name = who(c.entry)
            if done is NOT_STARTED:  # as the one-at-a-time rollback stopped there
                unstarted.append(name)
            elif isinstance(done, str):
                result.failed.append(f"{name}: {done}: nothing was written to {name}")
            else:
                try:  # once the output is lost, the rest is recorded, not said
                    said = ui if lost is None else Said(ui)
                    _outcome(c, done, said, result, only, run, several=len(checked) > 1)
                except OutputLost as exc:  # `drift rollback | head`: those sent finish,
                    lost = exc  # recorded but not said; no other starts
                    halt.append(exc.message)
    if lost is not None:
        rest = [c for c in checked if who(c.entry) not in result.restored + result.as_before]
        raise _output_lost(lost, result, rest) from lost
    if unstarted:  # stopped by the journal: left as the change made them, said so
        result.failed.append(
            f"not rolled back: {', '.join(unstarted)} (not started: nothing was written) "
            f"— run `drift rollback {visible(result.change_id)}` again"
        )
    if result.failed or result.unknown:  # an outcome not known is no "rolled back" (4): 3
        result.exit_code = ExitCode.INCOMPLETE if result.unknown else ExitCode.ABORTED
    return result


def _output_lost(exc: OutputLost, result: RollbackResult, rest: list[Checked]) -> OutputLost:
    """An output that broke while the rollback said how a workload ended (its write made and
    journaled): the rest is not rolled back unseen; one line says where each stands, exit 4
    (an abort), never 2 ("nothing was done")."""
    said = f"{exc.message}: the rollback of change {visible(result.change_id)} stopped"
    if result.restored:
        said += f"; restored: {', '.join(result.restored)}"
    if rest:
        names = ", ".join(who(c.entry) for c in rest)
        said += (
            f"; not rolled back: {names} (`drift rollback {visible(result.change_id)}` finishes it)"
        )
    return OutputLost(said, code=ExitCode.ABORTED)


def _outcome(
    c: Checked,
    ended: Ended,
    ui: FixUI,
    result: RollbackResult,
    only: list[Entry] | None,
    run: Rolling,
    *,
    several: bool = False,
) -> None:
    """Say how one workload's rollback ended (the journal already records it: `landed`);
    `only`: the workloads a `--service` selection named (the commands said name them);
    `several`: more workloads than this one were rolled back (a command that rebuilds the
    change from the live services names this one alone: `--service`)."""
    entry, name, done, later = c.entry, who(c.entry), ended.done, ended.later
    if done.refused:  # changed while the prompt waited: read again, nothing written
        # journaled (by an earlier rollback from here, or this one's write before a
        # collision): the journal holds it, its `--force` restores from the journal's entry
        live = run.live if run.rebuilt(entry) else ""
        # rebuilt again beside the others, one a rerun refuses (a deploy since its canary)
        # would refuse them all: the command names this one alone
        only = [entry] if live and several else only
        left = f"nothing was written to {name} ({forced(result.change_id, only, live)} "
        # rebuilt again from the live service, theirs is part of what it puts back
        anyway = as_now([name]) if live else "undoing that change too"
        left += f"restores anyway, {anyway})"
        if done.back:  # their write put it back: as the check's refusal says it (`refusal`)
            left = put_back_left(entry, result.change_id, selected=only, live=live)
        if ended.past:  # rebuilt again from the live service, refused too: no `--force`
            left = f"nothing was written to {name} ({unforced(result.change_id, ended.past)})"
        result.failed.append(f"{name}: refused (changed since): {visible(done.text)}; {left}")
    elif done.untouched:  # its update never landed: nothing was written
        result.as_before.append(name)
        ui.say(f"{name}: {done.text} (nothing was written to {name})")
        if done.unjournaled:
            result.failed.append(
                f"{name}: {done.text}, but {done.unjournaled}: the journal still says "
                f"{entry.state}; once it is writable, run `drift rollback "
                f"{visible(entry.change_id)}` again (it finds {name} as it is and records it)"
            )
    elif done.unwritten:  # the server refused the write: the entry says what it said before
        result.failed.append(
            f"{name}: not rolled back: {visible(done.text)}; nothing was written to {name} "
            f"(the journal says {entry.state}"
            + (f", though {done.unjournaled}" if done.unjournaled else "")
            + f"): `drift rollback {visible(entry.change_id)}` tries again once what refused it "
            "is fixed" + done.hints
        )
    elif done.unjournaled:
        result.failed.append(_unjournaled(name, entry, done))
        if done.ok:  # restored: its outcome is known, only not recorded
            result.unrecorded.append(name)
    elif done.unread:  # sent, not read back: it may have landed (exit 3: helper-809 F2)
        result.unknown.append(name)  # said with its lock by one line (`unsettled`)
        result.unread[name] = (done.text, done.by_hand)
    elif done.unsettled:  # landed, its wait (`write_wait`) over first: not known (exit 3)
        result.unknown.append(name)  # never "nothing changed" (4): its write landed (817 L1)
        result.failed.append(
            f"{name}: the rollback was written and {done.text}; the journal says {entry.state}: "
            f"run `drift rollback {visible(entry.change_id)}` again once it has settled"
        )
    elif done.ok:
        kept = done.back  # as read right before the write (a prompt may have waited)
        (result.as_before if kept else result.restored).append(name)
        result.notes += [f"{name}: {line}" for line in ended.unrecorded]
        service = entry.kind == Kind.SERVICE.value
        what = "what serves" if service else "its configuration"
        did = "already serves what served before: nothing was written" if kept else "restored"
        if kept and not service:  # its text says nothing was written (`workload_restore._back`)
            did = "already runs what ran before"
        ui.say(f"{name}: {done.then or did} ({what}: {done.text})")
        running = running_execution(done.now, written=True) if entry.kind == Kind.JOB.value else ""
        if running and running != c.calm:  # `calm`: it runs what the rollback restored
            result.notes.append(f"{name}: {still_running(running, RESTORED)}")
        if done.over:  # restored, but over a write of someone else's: never a success (0)
            theirs = (
                f"what they wrote of what it sets, if anything, is drift's now; {done.beside}"
                if done.beside
                else f"their change is no longer in {name}"
            )
            result.failed.append(
                f"{name}: restored, but drift's write (generation {done.over[1]}) "
                + ("landed over" if done.beside else "replaced")
                + f" someone else's write the server let its stale etag through: {theirs} (see "
                f"{name}'s line above)"
            )
        if said := late.note(name, entry):  # its lost update may still land over it
            result.notes.append(said)
        recorded = [e.change_id for e in later if e.undone_by == entry.change_id]
        if recorded:
            result.notes.append(
                f"{name}: drift's later change {visible(', '.join(recorded))}, undone too, is "
                f"recorded as rolled back by this rollback"
            )
    elif done.then:  # drift's write landed, then theirs: what serves now is not as before
        result.restored.append(name)
        result.failed.append(f"{name}: {done.then}; {done.text}" + done.hints)
    else:
        result.failed.append(
            f"{name}: not proven restored: {done.text}; the journal says {entry.state}" + done.hints
        )


def _unjournaled(name: str, entry: Entry, done: Restored) -> str:
    """The rollback's write was made, but the journal could not record how it ended."""
    outcome = f"restored ({done.text})" if done.ok else f"not restored: {done.text}"
    return (
        f"{name}: the rollback was written and {outcome}, but {done.unjournaled}: the "
        f"journal still says {entry.state}; once it is writable, run `drift rollback "
        f"{visible(entry.change_id)}` again (it finds {name} as it is and records it)"
    )
