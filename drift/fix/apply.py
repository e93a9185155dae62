"""`drift fix`: plan -> confirm -> canary revision with no traffic -> probe it -> confirm ->
move traffic -> re-check. The canary is what serves plus the plan (`base`); every write is
journaled first and takes the service's lock; every abort after a canary exists puts back the
routing that served (`canary`, `restore`), Ctrl-C from the canary write to the promotion
prompt included (then exit 4; `drift.fix.cancel`); Ctrl-C while a write is sent (an update in
place, the promotion read back not landed: `drift.fix.interrupt`) stops at once, exit 3, its
outcome unknown; any other Ctrl-C stops at once; each ends with one line saying where things
stand."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from drift.check import run_check
from drift.errors import DriftError, ExitCode, Interrupted, OutputLost
from drift.fix.author import who
from drift.fix.base import describe, tagged
from drift.fix.context import Context, Fixer, FixOptions, FixUI, ServiceOutcome, abort_code
from drift.fix.dryrun import dry_run_report, validate
from drift.fix.each import fix_each, together
from drift.fix.fix_plan import fix_plan
from drift.fix.interrupt import Where
from drift.fix.journal import Journal, State
from drift.fix.journalfiles import listed, probe
from drift.fix.journalview import JournalView
from drift.fix.landed_before import landed_on
from drift.fix.lock import Locked, Locks, not_held
from drift.fix.model import Plan, ServicePlan
from drift.fix.payloads import before_fix
from drift.fix.plan import Planned
from drift.fix.recorded import Tagged, tags_said
from drift.fix.saved import check_target, promote_as_saved
from drift.fix.served import canary_record
from drift.fix.start import question, service_fix, workload_fix
from drift.fix.stops import held_pools, unbuildable, what_stops
from drift.kinds import Kind
from drift.live.changeids import new_change_id
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.report import Proof, Report
from drift.settings import Settings

__all__ = ["FixOptions", "FixResult", "FixUI", "ServiceOutcome", "run_fix"]


@dataclass
class FixResult:
    plan: Plan
    change_id: str | None = None
    outcomes: list[ServiceOutcome] = field(default_factory=list)
    recheck: Report | None = None
    exit_code: ExitCode = ExitCode.OK
    message: str = ""
    notes: list[str] = field(default_factory=list)
    """What each fix builds on, locks taken over: said before the outcome."""
    told: tuple[Tagged, ...] = ()
    """The images named by tags said before the write (`_fix`), not said again (helper-848
    F7: the same 300 characters before the canary and after the promotion)."""
    journal: Path | None = None
    wrote: bool = True
    """Whether any write of the change may have reached a service (`Entry.wrote`): else the
    journal holds the attempt, with nothing to roll back."""

    def summary(self) -> str:
        """What happened, in lines for a person (the re-check is rendered apart)."""
        lines = [o.message for o in self.outcomes if o.message]
        # what the promoted canaries cannot promise of an image named by a tag, once: where
        # it was not said before the write
        promoted = [o.by_tag for o in self.outcomes if o.by_tag and o.by_tag not in self.told]
        lines += [n for n in [tags_said(promoted, "the canary")] if n]
        if self.message:
            lines.append(self.message)
        if self.change_id is not None and self.journal is not None:
            lines.append(self._recorded(self.change_id, self.journal))
        return "\n".join(lines)

    def stopped(self) -> list[str]:
        """Why the fix stopped (an abort, exit 4; or a write whose end the journal could not
        record, exit 3: `abort_code`): each aborted service's line, then the fix's own (held
        by another change, stopped before any write, declined); none when it did not stop."""
        unknown = any(o.unknown for o in self.outcomes)
        unrecorded = self.exit_code is ExitCode.INCOMPLETE and (self.unjournaled or unknown)
        if self.exit_code is not ExitCode.ABORTED and not unrecorded:
            return []
        lines = [o.message for o in self.outcomes if o.aborted and o.message]
        return lines + ([self.message] if self.message else [])

    @property
    def unjournaled(self) -> bool:
        """A write of the change the journal could not record the end of (`unfinished`, or
        `unrecorded`: a refusal, nothing changed)."""
        return any(o.unfinished or o.unrecorded for o in self.outcomes)

    @property
    def recorded_in(self) -> Path | None:
        """The journal that records where the change stands, if it could."""
        return None if self.unjournaled else self.journal

    def _recorded(self, change: str, journal: Path) -> str:
        """What the journal holds of the change: never "recorded" when it could not be."""
        if self.unjournaled:  # the outcome's own line says which write, and the way on
            return f"change {change}: the journal {journal} could not record where it stands"
        if not self.wrote:
            return (
                f"the attempt (change {change}) is recorded in {journal}: nothing was written, "
                "nothing to roll back"
            )
        return f"change {change} recorded in {journal}"


async def run_fix(
    profile: Profile,
    settings: Settings,
    ui: FixUI,
    options: FixOptions,
    *,
    services: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> FixResult:
    environ = dict(environ or {})
    where = Where()
    saved = options.saved
    if saved is not None:  # its selection, before anything is judged of the services
        check_target(saved, profile)
        services = list(saved.services) or None
        promote, note = promote_as_saved(saved, options.promote)  # the plan reviewed's
        if note:
            ui.say(note)
        options = replace(options, promote=promote)
    if options.verify and not options.dry_run:
        from drift.probe.live import check_probe_config

        # before anything is written: a probe that cannot run would stop the fix mid-way
        check_probe_config(profile, profile.select(services), environ)
    if not options.dry_run:  # SPEC invariant 11, before the read waits on a deploy
        not_held(settings.journal(), profile, profile.select(services))
    try:  # on the journal as settled (`fix_plan`): the plan shown says where changes stand
        planned, refused = await fix_plan(
            profile, settings, ui, options, services=services, environ=environ, today=today
        )
        if refused:
            return FixResult(planned.plan, exit_code=ExitCode.ABORTED, message=refused)
        return await _fix(profile, settings, ui, options, planned, environ, today, where)
    except (KeyboardInterrupt, asyncio.CancelledError):
        if where.settled:  # every write had ended: only the re-check's reading was cut
            raise Interrupted(
                ExitCode.INCOMPLETE,
                f"{where.line()}; the re-check after the fix was cut short: "
                f"`drift check {profile.environment}` shows what drift is left",
            ) from None
        if where.sent:  # an update in place may have landed: not known, never "aborted"
            raise Interrupted(ExitCode.INCOMPLETE, where.line()) from None
        raise Interrupted(_stopped(options), where.line()) from None
    except OutputLost as exc:  # the plan or a prompt could not be written: before any write
        code = ExitCode.USAGE if options.dry_run else ExitCode.ABORTED
        raise OutputLost(f"{exc.message}: {where.line()}", code=code) from exc


def _stopped(options: FixOptions) -> ExitCode:
    """The exit of a fix stopped by Ctrl-C (SIGTERM, SIGHUP) before it changed anything: an
    abort, 4; a dry run's is incomplete, 3 (it never exits 4: nothing was aborted, README)."""
    return ExitCode.INCOMPLETE if options.dry_run else ExitCode.ABORTED


async def _fix(
    profile: Profile,
    settings: Settings,
    ui: FixUI,
    options: FixOptions,
    planned: Planned,
    environ: dict[str, str],
    today: dt.date | None,
    where: Where,
) -> FixResult:
    plan, report = planned.plan, planned.check.report
    ui.show_plan(plan)
    todo = [s for s in plan.services if s.has_patch]
    bases = [planned.bases[s.key] for s in todo if s.key in planned.bases and s.changes_template]
    built = [b for b in bases if not (b.blocked or b.unreleased or b.unknown)]
    # each base, then what their canaries cannot promise of an image named by a tag, once
    notes = [n for b in built if (n := describe(b))]
    told = tuple(tagged(b) for b in built)
    notes += [n for n in [tags_said(told, "the canary")] if n]
    for note in notes:
        ui.say(note)
    # the journal as `fix_plan` settled it: a held pool's write it found landed is `pinned`
    if not todo and not options.dry_run and (held := held_pools(planned, planned.entries)):
        return FixResult(plan, exit_code=ExitCode.ABORTED, message=held, notes=notes)
    if not todo:
        # the plan's check read the histories and their `since` (`plan_environment`): its
        # report is the one shown, nothing listed again
        ui.say("nothing to patch" + (" (see the manual steps above)" if plan.manual else ""))
        return FixResult(plan, exit_code=report.exit_code, recheck=report)
    if options.dry_run:  # every service validated, or said why a fix would stop at it
        stops = what_stops(
            planned, todo, entries=planned.entries, promote=options.promote
        )  # as the fix reads them
        code, message = await validate(profile, settings, planned, todo, ui, stops)
        shown = dry_run_report(planned, todo, code, message) if options.report_shown else None
        return FixResult(plan, recheck=shown, exit_code=code, message=message, notes=notes)
    journal = Journal(settings.journal()).open()
    change_id = new_change_id(after=_changes(journal))
    if options.began is not None:
        options.began(change_id)
    with Locks(journal.directory, change_id, "fix", say=ui.say) as locks:
        if together(options.yes, settings.concurrency, todo):  # said in each flow's output
            locks.deferred = {}
        try:  # first: another drift command at work on a service explains everything else
            for sp in todo:  # a change stopped after its write landed is finished here
                done = landed_on(sp.live, journal, f"change {change_id}")
                locks.acquire(sp.full_name, sp.label, landed=done)
        except Locked as exc:
            locks.flush()
            return FixResult(plan, exit_code=ExitCode.ABORTED, message=exc.message, notes=notes)
        # read again, under the locks (another drift may have written since): only what
        # judges the fix's stops, the entries of the changes their canaries name
        stopped = unbuildable(
            planned, todo, entries=JournalView(journal.directory), promote=options.promote
        )
        if stopped:
            locks.flush()
            return FixResult(plan, exit_code=ExitCode.ABORTED, message=stopped, notes=notes)
        probe(journal.directory)  # entries writable, before a "yes" that only fails there (841)
        # every secret version the entries will record read first: a copy of one is withheld
        for line in await before_fix(settings.access(), profile.project, planned, todo):
            ui.say(line)
        if not options.yes and not ui.confirm(
            question(todo, planned.check.state, promote=options.promote)
        ):
            return FixResult(
                plan, exit_code=ExitCode.ABORTED, message="declined: nothing was changed"
            )
        result = FixResult(plan, change_id=change_id, notes=notes, journal=journal.directory)
        result.told = told
        user = who(settings.impersonate_service_account)

        def make(ctx: Context, sp: ServicePlan) -> Fixer:
            return (  # a service's own settings alone: in place, as a pool's
                service_fix(ctx, planned, sp, change_id, user)
                if sp.kind is Kind.SERVICE and sp.changes_template
                else workload_fix(ctx, planned, sp, change_id, user)
            )

        async with Session(settings.access()) as session:
            known = planned.check.state
            ctx = Context(profile, settings, ui, options, session, journal, environ, known)
            try:
                result.outcomes = await fix_each(ctx, todo, make, where, locks)
            finally:  # the locks of workloads that never started were taken over all the same
                with suppress(OSError, OutputLost):
                    locks.flush()
            where.settled = bool(_applied(result))
    if not any(journal.file(f.entry).is_file() for f in where.fixes):
        result.journal = None  # no entry could be written: nothing is recorded
    result.wrote = any(f.entry.wrote for f in where.fixes)
    if any(o.interrupted for o in result.outcomes) and not _applied(result):  # else: as a "no"
        unknown = any(o.unknown for o in result.outcomes)  # a clean-up's write may have landed
        raise Interrupted(ExitCode.INCOMPLETE if unknown else _stopped(options), where.line())
    if any(o.aborted for o in result.outcomes) and not _applied(result):
        result.exit_code = abort_code(result.outcomes)
        return _after_abort(result, todo)
    try:
        recheck = await run_check(
            profile,
            settings,
            services=list(report.services),
            probe=options.verify and any(profile.services[p.key].probe for p in todo),
            environ=environ,
            today=today,
            canaries=canary_record(journal.directory),
        )
    except DriftError as exc:  # written already: say what, never "nothing was checked"
        return _unchecked(result, todo, exc, profile.environment)
    except (KeyboardInterrupt, asyncio.CancelledError):  # exit 3 (`run_fix`), said after what
        _said(result, todo, ui)  # the fix wrote, as when the re-check cannot be read
        raise
    # the canary's proof (SPEC: `confirmed` when the live revision fails and the canary
    # passes) is the fix's to report, taken before the traffic moved: beside the re-check's
    # own probes, never among them (a failure of before is not the re-check's)
    proofs = tuple(
        Proof(o.live_probe, o.canary_probe, o.proof_note)
        for o in result.outcomes
        if o.live_probe is not None and o.canary_probe is not None
    )
    result.recheck = replace(recheck.report, proofs=proofs)
    result.exit_code = recheck.report.exit_code
    if _cut(result, todo):
        _partial(result, todo)
    return result


def _changes(journal: Journal) -> list[str]:
    """The change ids the journal's files are named after (`CHANGE--KIND--NAME.json`)."""
    return [p.name.split("--", 1)[0] for p in listed(journal.directory, ".json", "the journal")]


def _applied(result: FixResult) -> list[ServiceOutcome]:
    """The services this fix changed and left changed (promoted, pinned, updated)."""
    return [o for o in result.outcomes if not o.aborted]


def _cut(result: FixResult, todo: list[ServicePlan]) -> bool:
    """Whether the fix stopped before all it planned: an abort, or Ctrl-C after a write that
    landed (`drift.fix.interrupt.promotion_cut`), the workloads after it not attempted."""
    if any(o.aborted for o in result.outcomes):
        return True
    return any(o.interrupted for o in result.outcomes) and len(result.outcomes) < len(todo)


def _partial(result: FixResult, todo: list[ServicePlan]) -> None:
    """A fix that stopped after changing earlier services: say per service what was applied
    and what was not. It exits with the re-check's code (1: the aborted service still
    drifts), never 4 (SPEC: an abort with nothing changed; here something was) and never 0:
    a fix that stopped is not a success, so when the aborted service's drift is below
    --fail-on it is still the drift this fix left, 1."""
    said = {State.PROMOTED: "promoted", State.PINNED: "canary ready, not promoted"}
    parts = []
    for o in result.outcomes:
        if not o.aborted:
            parts.append(f"{o.service}: {said.get(o.state, o.state)}")
        elif o.state == State.CLEANED_UP:
            parts.append(f"{o.service}: aborted, cleaned up")
        elif o.state == State.ABORTED:  # said once (helper-811 N1)
            parts.append(f"{o.service}: aborted")
        else:
            parts.append(f"{o.service}: aborted ({o.state})")
    done = {o.service for o in result.outcomes}
    parts += [f"{s.label}: not attempted" for s in todo if s.label not in done]
    result.message = (
        f"partial fix: {'; '.join(parts)}. What was applied stays applied "
        f"(`drift rollback {result.change_id}` undoes it)"
    )
    if result.exit_code is ExitCode.OK:
        result.exit_code = ExitCode.DRIFT


def _unchecked(
    result: FixResult, todo: list[ServicePlan], error: DriftError, environment: str
) -> FixResult:
    """The fix wrote, then its re-check could not read (credentials expired, the API
    failing): what changed is said all the same, and the run is incomplete (SPEC invariant
    6: exit 3), never "nothing was checked" (2)."""
    if _cut(result, todo):
        _partial(result, todo)
    said = result.message + "\n" if result.message else ""
    result.message = (
        f"{said}re-check after the fix could not be read: {error.message}; "
        f"run `drift check {environment}` to see what drift is left"
    )
    result.exit_code = ExitCode.INCOMPLETE
    return result


def _said(result: FixResult, todo: list[ServicePlan], ui: FixUI) -> None:
    """The fix's report (each service's outcome, a partial fix's line, where the change is
    recorded), said before the line of an interruption of its re-check: what was written."""
    if _cut(result, todo):
        _partial(result, todo)
    with suppress(OSError, OutputLost):  # the interruption's line still says where each stands
        for line in result.summary().splitlines():
            ui.say(line)


def _after_abort(result: FixResult, todo: list[ServicePlan]) -> FixResult:
    done = {o.service for o in result.outcomes}
    left = [s.label for s in todo if s.label not in done]
    if left:
        result.message = f"not attempted: {', '.join(left)}"
    return result
