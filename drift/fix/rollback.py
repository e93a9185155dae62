"""`drift rollback`: put back what served before a change, from its journal (SPEC invariant
10). It refuses an entry that is not what drift recorded (its checksum), a service someone else
changed since drift's last write (unless `--force`), and a service another drift command holds
(its lock); it shows the full difference between what is live and what it will restore; and it
succeeds only when what serves afterwards — `traffic_statuses` and the revisions' readiness,
not the spec — is what served before.

Plain `drift rollback` takes the latest change; once that is rolled back (or was cleaned up
after an abort) there is nothing left to roll back: it says so and exits 0, and never reaches
for an older change on its own (that could undo a change made on top of it). A change that
wrote nothing but left its lock (a fix killed at its prompt) is finished by removing it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from drift.errors import DriftError, ExitCode, Interrupted, JournalError, UsageError
from drift.fields import FIELDS, Source, read_settings, text
from drift.fix import workload_restore
from drift.fix.context import FixUI
from drift.fix.differences import template_differences
from drift.fix.journal import DONE, Entry, Journal, State
from drift.fix.lock import Locked, Locks, clear_stale
from drift.fix.restore import (
    Restored,
    before_service,
    changed_since,
    never_sent,
    restore,
    restore_request,
)
from drift.fix.routing import describe_serving, traffic_key
from drift.fix.update import get_workload
from drift.kinds import Kind, label
from drift.live.normalize import raw
from drift.live.session import Session
from drift.settings import Settings
from drift.textsafe import visible

STATES = (State.ROLLING_BACK, State.ROLLED_BACK, State.ROLLBACK_FAILED)


@dataclass
class RollbackResult:
    change_id: str
    restored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.OK
    message: str = ""

    def summary(self) -> str:
        lines = []
        if self.message:
            lines.append(self.message)
        if self.change_id and (self.restored or self.failed):
            restored = ", ".join(self.restored) or "nothing"
            lines.append(f"rollback of {visible(self.change_id)}: restored {restored}")
        lines += self.failed
        return "\n".join(lines)


async def run_rollback(
    settings: Settings, ui: FixUI, change_id: str | None, *, yes: bool, force: bool = False
) -> RollbackResult:
    """Roll back a change (the latest by default); Ctrl-C ends at once with one line."""
    where = ["nothing was changed"]
    try:
        return await _run(settings, ui, change_id, yes=yes, force=force, where=where)
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise Interrupted(ExitCode.ABORTED, where[0]) from None


async def _run(
    settings: Settings,
    ui: FixUI,
    change_id: str | None,
    *,
    yes: bool,
    force: bool,
    where: list[str],
) -> RollbackResult:
    journal = Journal(settings.journal())
    entries = journal.entries()
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
    wanted = change_id or (entries[-1].change_id if entries else "")
    found = [e for e in entries if e.change_id == wanted]
    if not found:
        raise UsageError(_not_found(wanted, journal, entries))
    unreadable = [e.problem for e in found if e.unreadable]
    if unreadable:  # not an entry drift can roll back from: one clear error (invariant 7)
        raise JournalError("; ".join(unreadable))
    result = RollbackResult(wanted)
    broken = [f"{_who(e)}: journal entry refused: {visible(e.problem)}" for e in found if e.problem]
    if broken:
        return _stop(result, "; ".join(broken) + ": nothing was changed")
    todo = []
    for entry in found:
        why = _nothing_to_do(entry)
        if why:
            result.skipped.append(f"{_who(entry)}: {why}")
            ui.say(f"{_who(entry)}: skipped ({why})")
        else:
            todo.append(entry)
    if not todo:
        result.message = f"change {visible(wanted)}: nothing left to roll back" + (
            "" if change_id else " (older changes: `drift rollback --list`)"
        )
        return result
    journal.open()
    with Locks(journal.directory, wanted, "rollback", say=ui.say) as locks:
        try:
            for entry in todo:
                locks.acquire(entry.full_name, _who(entry), take_over=entry.change_id)
        except Locked as exc:
            return _stop(result, exc.message)
        async with Session(settings.access()) as session:
            done = await _roll_back(
                session, journal, todo, ui, result, yes=yes, force=force, where=where
            )
        if done.exit_code is ExitCode.ABORTED and not (done.restored or done.failed):
            # nothing was written: the stopped change's locks stay, as they were found
            kept = [path for path in locks.held if path in locks.taken]
            locks.held[:] = [path for path in locks.held if path not in locks.taken]
            if kept:
                done.message += (
                    f"; the lock change {visible(wanted)} left stays (`drift fix` is refused "
                    "on it until the change is rolled back or the lock deleted)"
                )
        return done


async def _roll_back(
    session: Session,
    journal: Journal,
    todo: list[Entry],
    ui: FixUI,
    result: RollbackResult,
    *,
    yes: bool,
    force: bool,
    where: list[str],
) -> RollbackResult:
    refused = []
    for entry in list(todo):
        kind, name = Kind(entry.kind), _who(entry)
        try:
            live = await get_workload(session, kind, entry.full_name)
            unsent = kind is Kind.SERVICE and await never_sent(session, entry, live)
        except DriftError as exc:  # ApiError, AuthError: one line each
            return _stop(
                result,
                f"{name}: cannot read the {kind.noun} ({exc.message}): nothing was changed",
            )
        if unsent:  # recorded as what it was: nothing to roll back
            journal.landed(entry, State.ABORTED, "nothing was written: the canary was never sent")
            result.skipped.append(f"{name}: nothing was written (the canary was never sent)")
            ui.say(f"{name}: skipped (nothing was written: no canary {entry.canary_revision})")
            todo.remove(entry)
            continue
        if kind is Kind.SERVICE:
            changed = changed_since(live, entry)
        else:
            changed = workload_restore.changed(live, entry)
        if changed and not force:
            refused.append(visible(changed))
        ui.say(
            f"{name}: restore what served before change {visible(entry.change_id)} in "
            f"{_where(entry)} (state: "
            f"{entry.state}; drift changed: {visible(', '.join(entry.changes))})"
            + (f"; {visible(changed)} (--force)" if changed and force else "")
        )
        lines = (
            differences(live, entry)
            if kind is Kind.SERVICE
            else workload_restore.differences(live, entry)
        )
        for line in lines:
            ui.say(f"  {line}")
    if not todo:
        result.message = f"change {visible(result.change_id)}: nothing left to roll back"
        return result
    if refused:
        return _stop(
            result,
            "; ".join(refused) + ": rolling back would undo their change too; nothing was changed "
            "(`drift rollback --force` restores anyway)",
        )
    if not yes and not ui.confirm(
        f"Roll back change {visible(result.change_id)} in "
        f"{' and '.join(dict.fromkeys(_where(e) for e in todo))} on "
        f"{', '.join(_who(e) for e in todo)}?"
    ):
        return _stop(result, "declined: nothing was changed")
    for entry in todo:
        name = _who(entry)
        where[0] = (
            f"the rollback of {name} was in progress (the journal says "
            f"{State.ROLLING_BACK}): run `drift rollback {visible(entry.change_id)}` again"
        )
        try:
            if entry.kind == Kind.SERVICE.value:
                done = await restore(
                    session, journal, entry, step="rollback", states=STATES, force=force
                )
            else:
                done = await workload_restore.restore_workload(
                    session, journal, entry, states=STATES, force=force
                )
        except JournalError as exc:  # before its write: nothing was written to it
            result.failed.append(f"{name}: {exc.message}: nothing was written to {name}")
            break
        if done.refused:  # changed while the prompt waited: read again, nothing written
            result.failed.append(
                f"{name}: refused (changed since): {visible(done.text)}; nothing was written to "
                f"{name} (`drift rollback --force` restores anyway, undoing that change too)"
            )
        elif done.unjournaled:
            result.failed.append(_unjournaled(name, entry, done))
        elif done.ok:
            result.restored.append(name)
            what = "what serves" if entry.kind == Kind.SERVICE.value else "its configuration"
            ui.say(f"{name}: restored ({what}: {done.text})")
        else:
            result.failed.append(
                f"{name}: what served before is not what serves: {done.text}; "
                f"the journal says {entry.state}"
            )
    if result.failed:
        result.exit_code = ExitCode.ABORTED
    return result


def _not_found(wanted: str, journal: Journal, entries: list[Entry]) -> str:
    """A change asked for (or any, where no journal is) that this journal does not hold:
    never "nothing to roll back" — it may be live, recorded in another journal."""
    where = journal.directory
    if entries:
        known = ", ".join(sorted({e.change_id for e in entries})[-5:])
        said = f"no change {wanted!r} in the journal {where} (latest: {known})"
    elif wanted:
        said = f"no change {wanted!r}: the journal {where} holds no change"
    else:
        said = f"no journal at {where}: no change was recorded there"
    return visible(
        f"{said}; if the change was made from another project, point at its journal with "
        "--journal DIR (or DRIFT_JOURNAL_DIR), or run drift in that project (or with its "
        "--profiles DIR)"
    )


def _who(entry: Entry) -> str:
    """The workload as messages name it: `app`, `job app`, `worker pool app`."""
    return visible(label(Kind(entry.kind), entry.service))


def _where(entry: Entry) -> str:
    """`prod (project acme-prod, region us-central1)`: what a rollback writes to."""
    return visible(f"{entry.environment} (project {entry.project}, region {entry.region})")


def _unjournaled(name: str, entry: Entry, done: Restored) -> str:
    """The rollback's write was made, but the journal could not record how it ended."""
    outcome = f"restored ({done.text})" if done.ok else f"not restored: {done.text}"
    return (
        f"{name}: the rollback was written and {outcome}, but {done.unjournaled}: the "
        f"journal still says {entry.state}; once it is writable, run `drift rollback "
        f"{visible(entry.change_id)}` again (it finds {name} as it is and records it)"
    )


def differences(live: Any, entry: Entry) -> list[str]:
    """Everything a rollback changes, live → restored: the template (image, every variable
    masked as findings mask them, settings, any other field), service-level settings, and the
    traffic (its spec, and what serves now)."""
    restored = restore_request(live, entry)
    lines = template_differences(live.template, restored.template)
    now = read_settings(Source(raw(live), raw(live.template), None))
    then = read_settings(Source(raw(restored), raw(restored.template), None))
    for name in sorted(n for n in FIELDS if FIELDS[n].level == "service" or FIELDS[n].service_part):
        if now.get(name) != then.get(name):
            lines.append(f"setting {name}: {text(now.get(name))} → {text(then.get(name))}")
    if traffic_key(live.traffic) != traffic_key(restored.traffic):
        lines.append(f"traffic: {_traffic(live.traffic)} → {_traffic(restored.traffic)}")
    lines.append(
        f"serving now: {describe_serving(live, entry.canary_revision)}; afterwards, as "
        f"before the change: {describe_serving(before_service(entry))}"
    )
    return lines


def _traffic(targets: Any) -> str:
    rows = []
    for kind, revision, percent, tag in traffic_key(targets):
        rows.append(
            (f"LATEST {percent}%" if kind == "LATEST" else f"{revision} {percent}%")
            + (f" (tag {tag})" if tag else "")
        )
    return ", ".join(rows)


def _nothing_to_do(entry: Entry) -> str:
    if entry.state == State.ROLLED_BACK:
        return "already rolled back"
    if entry.state == State.CLEANED_UP:
        return "cleaned up when the fix stopped: it serves what it served before"
    if entry.state in DONE or not entry.wrote:
        return "nothing was written"
    return ""


def _stop(result: RollbackResult, message: str) -> RollbackResult:
    result.exit_code = ExitCode.ABORTED
    result.message = message
    return result


@dataclass
class ChangeList:
    journal: str
    entries: list[Entry]

    def summary(self) -> str:
        if not self.entries:
            return f"no change recorded in {visible(self.journal)}"
        rows: list[tuple[str, ...]] = [
            ("CHANGE", "TIME (UTC)", "BY", "ENVIRONMENT", "SERVICE", "STATE", "CHANGED")
        ]
        for e in self.entries:
            state = _state(e)
            when = e.created_at or (e.history[0]["at"] if e.history else "")
            when = when.replace("+00:00", "")
            cells = (e.change_id, when.replace("T", " "), e.by or "unknown", e.environment)
            who = label(Kind(e.kind), e.service)
            rows.append(tuple(map(visible, (*cells, who, state, ", ".join(e.changes)))))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1]
            for r in rows
        ]
        return "\n".join(line.rstrip() for line in lines) + f"\njournal: {visible(self.journal)}"


def _state(entry: Entry) -> str:
    if entry.unreadable:
        return f"unknown (entry refused: unreadable; `drift rollback {entry.change_id}` says why)"
    if entry.problem:
        why = "edited" if "edited" in entry.problem else "no checksum"
        return f"{entry.state} (entry refused: {why})"
    return entry.state


def list_changes(settings: Settings) -> ChangeList:
    journal = Journal(settings.journal())
    return ChangeList(str(journal.directory), journal.entries())
