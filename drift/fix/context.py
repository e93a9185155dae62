"""What one fix works with: the prompt UI it asks through, its options, the context its steps
share, what each service ends with, the request of its first write (the canary's), and the
frame of each workload's fix (`Fixer`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Protocol

from drift.errors import DriftError, ExitCode, JournalError, OutputLost, SecretUnrecordable
from drift.findings import ProbeResult
from drift.fix.base import Base
from drift.fix.cancel import again
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.journalfiles import unjournaled
from drift.fix.model import ServicePlan
from drift.fix.patch import canary_traffic, patched_template
from drift.fix.recorded import Tagged
from drift.fix.saved import SavedPlan
from drift.fix.update import settled_workload
from drift.fix.waiting import Deadline
from drift.live.model import LiveService
from drift.live.session import Session
from drift.live.state import LiveState
from drift.live.trap import untrap_command
from drift.profiles.model import Profile
from drift.settings import Settings


class FixUI(Protocol):
    def show_plan(self, plan: Any) -> None: ...
    def confirm(self, question: str, timeout: float | None = None) -> bool: ...
    def say(self, text: str) -> None: ...


@dataclass(frozen=True)
class FixOptions:
    yes: bool = False
    dry_run: bool = False
    verify: bool = True
    promote: bool = True
    from_template: bool = False
    saved: SavedPlan | None = None
    """`--plan FILE`: apply exactly that plan (its services and options), or nothing."""
    only: tuple[str, ...] = ()
    """`--only ID…`: the changes of the plan to apply (empty: all)."""
    report_shown: bool = True
    """The check's report is shown when nothing is patched (`drift fix` prints it with any
    format but the table): only then are the revision histories read, for its `since`."""
    began: Callable[[str], None] | None = None
    """Told the change id the fix writes under, once it has one (`drift.cli.signals.
    JournalSays`: what an interrupted fix says of its own change)."""


@dataclass
class ServiceOutcome:
    service: str
    canary: str
    tag: str
    state: str
    live_probe: ProbeResult | None = None
    canary_probe: ProbeResult | None = None
    confirmed: bool | None = None
    proof_note: str = ""
    """Why the proof's probes confirm nothing though both ran (`drift.fix.prove`)."""
    tag_url: str = ""
    message: str = ""
    aborted: bool = False
    interrupted: bool = False
    """Ctrl-C stopped it (after the cleanup, the fix ends as interrupted)."""
    unfinished: bool = False
    """Stopped past a write the journal could not record the end of: its lock stays, as an
    interrupted change's does (`drift.fix.interrupt.Where`), for `drift rollback` to finish."""
    unrecorded: bool = False
    """The journal could not record the abort of a write that changed nothing (a refusal:
    `unrecorded_refusal`): exit 4 all the same, never "recorded in" the journal."""
    unknown: bool = False
    """Stopped past a write whose outcome is not known (its answer lost, the workload written
    since by someone else: `drift.fix.promotion_lost`): exit 3, never "nothing changed"."""
    by_tag: Tagged | None = None
    """Promoted: the images its canary named by a tag (`drift.fix.base.tagged`), which the
    fix's result says once for all its services (`tags_said`)."""
    overwrote: str = ""
    """Someone else's write that drift's canary write replaced (their revision, or their
    generation): the fix exits 1, not 4 ("aborted safely … with nothing changed")."""
    read_after_probes: Any = None
    """The service as the proof read it right after its probes (`drift.fix.prove`), None
    when it did not: a failed canary's tag check is judged on it, and a promotion under
    `--yes` is built on it (its etag), neither read a second time (helper-796 N1)."""

    @property
    def tag_words(self) -> str:
        """`tag drift-…`, or `untagged` (a service name that leaves no room for a tag:
        `drift.fix.patch.canary_tag`)."""
        return f"tag {self.tag}" if self.tag else "untagged"

    @property
    def remove_tag(self) -> str:
        """gcloud's flag that removes the canary's tag, with a leading space; "" without one."""
        return f" --remove-tags {self.tag}" if self.tag else ""

    def tagged(self, row: Any) -> bool:
        """Whether a traffic target or status carries the canary's tag (never an untagged
        row: an untagged canary has none)."""
        return bool(self.tag) and getattr(row, "tag", "") == self.tag

    def untag(self, traffic: Any) -> None:
        """Take the canary's tag out of `traffic` (a repeated field, changed in place): the
        target at 0 % that only the tag made removed, the tag cleared on one with a share."""
        kept = [t for t in traffic if not (self.tagged(t) and not t.percent)]
        del traffic[:]
        traffic.extend(kept)
        for target in traffic:
            if self.tagged(target):
                target.tag = ""


@dataclass(eq=False, repr=False)
class Stop(Exception):
    """The fix of a service stops here; `cleanup` when a canary may exist to be removed;
    `interrupted` when Ctrl-C stopped it (or the output broke); `quiet` when nothing more
    can be said as it goes (the output broke: the last line, on stderr, says it all).
    A dataclass for its fields alone: compared by identity and shown as its message, as any
    exception (`repr` would print `theirs` and `wrote`, services as read, values and all)."""

    message: str
    state: str = State.ABORTED
    _: KW_ONLY
    cleanup: bool = False
    interrupted: bool = False
    unfinished: bool = False
    quiet: bool = False
    theirs: Any = None
    """Someone else's write, as read, that the cleanup keeps (`untrap.left_as_pinned`):
    it is not a change since drift's last write to refuse over; None: none."""
    wrote: Any = None
    """With `theirs`: the service as drift's last write left it, so the cleanup puts
    back only what drift wrote and they left as it was (`drift.fix.keep_theirs`)."""
    readback: bool = False
    """Interrupted while a promotion's outcome was awaited: read back first, to tell
    whether it landed (`drift.fix.interrupt.promotion_cut`)."""

    def __post_init__(self) -> None:
        super().__init__(self.message)


def abort_code(outcomes: list[ServiceOutcome]) -> ExitCode:
    """A fix that aborted with nothing applied: 4 ("aborted safely … with nothing changed",
    SPEC exit codes), or 1 when a canary write replaced someone else's write (`overwrote`):
    their change is gone from the template, so the service is neither as it was nor fixed,
    and the abort is not a safe one; 1 as after a partial fix (`drift.fix.apply._partial`).
    A write the journal could not record the end of (`unfinished`: a canary left pinned, a
    promotion or an update in place that landed) is no "nothing changed" either: 3, the run
    is incomplete (the journal is behind what the workload holds), as an interrupted update
    in place's is (helper-661 B1, B3); 1 takes precedence over it (SPEC exit codes)."""
    if any(o.overwrote for o in outcomes):
        return ExitCode.DRIFT
    if any(o.unfinished or o.unknown for o in outcomes):  # `unknown`: it may have landed
        return ExitCode.INCOMPLETE
    return ExitCode.ABORTED


def unrecorded_refusal(name: str, refused: str, exc: JournalError, state: str, change: str) -> str:
    """An update in place the server refused (`refused`: it did not land, nothing was changed)
    whose abort the journal cannot record (`exc`): exit 4, as any refusal, never the exit 3 and
    "whether it landed is not recorded" of a write whose outcome is unknown (helper-669 F6)."""
    return (
        f"{name}: the update failed ({refused}): nothing was changed, but the journal could "
        f"not record its abort: {exc.message}; it still says {state} (`drift rollback {change}` "
        "finds nothing of it to undo)"
    )


def output_lost(exc: OSError | OutputLost) -> str:
    """What broke, in words: `cannot write the output to standard output: Broken pipe`."""
    if isinstance(exc, OutputLost):
        return exc.message
    return f"cannot write the output: {exc.strerror or type(exc).__name__}"


@dataclass
class Context:
    profile: Profile
    settings: Settings
    ui: FixUI
    options: FixOptions
    session: Session
    journal: Journal
    environ: dict[str, str]
    known: LiveState | None = None
    """What the fix's plan read (secret versions, access): judged again without a call where
    nothing needs to be read afresh (`drift.fix.startable`)."""


def canary_request(
    live: LiveService, sp: ServicePlan, base: Base, container: str | None, canary: str, tag: str
) -> Any:
    """The service as read, its template the configuration that serves plus the plan under
    the canary's name, and today's traffic pinned with a 0 % tag on the canary."""
    request = patched_template(live.source, sp, container, base.template)
    request.template.revision = canary
    request.traffic = canary_traffic(live.source, canary, tag)
    return request


@dataclass
class Fixer:
    """One workload's fix (a service's canary, a job's or pool's update in place): what it
    works with, how it ends when stopped, and `where` — one line saying the state the
    workload is in, for an interruption."""

    ctx: Context
    sp: ServicePlan
    live: LiveService
    change_id: str
    entry: Entry
    outcome: ServiceOutcome
    where: str = field(default="", init=False)
    sent: Any = field(default=None, init=False)
    """A service's canary write as drift sent it (None before it): what drift's pin holds
    back, and what a deploy built on it would carry (`drift.fix.untrap`)."""
    wait: Deadline | None = field(default=None, init=False)
    """The whole wait of the write last sent (`write_wait`): its operation's, then the read
    until the workload settles, take what is left of it."""

    @property
    def name(self) -> str:
        return self.sp.label

    def write_wait(self) -> Deadline:
        """The deadline of the write about to be sent: the setting `write_wait` from now, for
        its operation and the read after it in all (before, each waited 600 s in turn)."""
        self.wait = Deadline(self.ctx.settings.write_wait)
        return self.wait

    async def _settled_in_place(self) -> Any:
        """A job or pool updated in place, read until it settles: in what is left of its
        update's wait (`write_wait`)."""
        kind, name = self.sp.kind, self.live.full_name
        return await settled_workload(self.ctx.session, kind, name, deadline=self.wait)

    @property
    def untag(self) -> str:
        """The gcloud command that removes the canary's tag alone ("" without a tag)."""
        if not self.outcome.tag:
            return ""
        p = self.ctx.profile
        return untrap_command(self.sp.service, "", [self.outcome.tag], p.project, p.region)

    async def run(self) -> ServiceOutcome:
        try:
            await self._steps()
        except Stop as stop:
            await self._stop(stop)
        except asyncio.CancelledError:  # Ctrl-C, SIGTERM: cleaned up as `_interrupted` says
            aborted = self._interrupted()
            if aborted is None:
                raise
            with again():  # a second one stops the cleanup
                await self._stop(aborted)
        except (OSError, OutputLost) as exc:  # `drift fix | head`, a full disk, a tee that died
            await self._stop(self._output_lost(output_lost(exc)))
        except DriftError as exc:  # e.g. credentials that expire mid-way: say where it stands
            if not self.entry.writes:
                raise
            await self._stop(
                Stop(f"{self.name}: stopped: {exc.message}. Where it stands: {self.where}")
            )
        return self.outcome

    async def _steps(self) -> None:
        raise NotImplementedError

    def _interrupted(self, why: str = "") -> Stop | None:
        """The Stop a Ctrl-C (or `why`) amounts to here, with its cleanup; None: it ends the
        fix at once."""
        return None

    def _output_lost(self, why: str) -> Stop:
        """The output could not be written (`why`): an abort as Ctrl-C is where Ctrl-C cleans
        up (SPEC invariant 9: the canary's tag removed, the routing that served restored),
        else the fix stops where it stands; either way quietly, then exit 4 with one line on
        stderr saying where each service stands (`drift.fix.apply`), never the exit 1 of
        "drift found" that click gives a closed pipe. The lock follows the Ctrl-C rules
        (`drift.fix.interrupt.Where`)."""
        stop = self._interrupted(why)
        if stop is None:
            stands = (
                f"where it stands: {self.where}" if self.entry.writes else "nothing was changed"
            )
            stop = Stop(f"{self.name}: {why}; {stands}", self.entry.state, interrupted=True)
            self.where = stop.message
        stop.quiet = True
        return stop

    async def _stop(self, stop: Stop) -> None:
        """End the fix where `stop` says: aborted, journaled as it says (unless the journal
        already does; a journal that cannot take it changes nothing more)."""
        outcome = self.outcome
        outcome.aborted, outcome.interrupted = True, stop.interrupted
        outcome.unfinished = stop.unfinished
        if self.entry.writes and self.entry.state != stop.state:
            try:
                self.ctx.journal.record(self.entry, stop.state, stop.message)
            except JournalError:
                pass
        outcome.state = self.entry.state
        outcome.message = stop.message

    def _journal_first(self, state: str, note: str, write: Write, where: str, say: str) -> None:
        """Record a write before it is made (a journal that cannot take it stops the fix
        before anything changes), then set where the workload stands while it is sent and
        say what is being done."""
        try:
            self.ctx.journal.begin(self.entry, state, note, write)
        except JournalError as exc:
            why = "" if isinstance(exc, SecretUnrecordable) else f"; {unjournaled(exc)}"
            raise Stop(f"{self.name}: {exc.message}: nothing was changed{why}") from exc
        try:
            self.ctx.ui.say(say)
        except (OSError, OutputLost) as exc:  # before the write: none was sent, the journal says
            why = output_lost(exc)
            try:
                self.ctx.journal.landed(self.entry, State.ABORTED, f"not sent: {why}")
            except JournalError:
                pass  # the entry says the write began, its outcome unknown: as careful
            self.where = f"{self.name}: {why}: nothing was changed"
            raise Stop(self.where, self.entry.state, interrupted=True, quiet=True) from exc
        self.where = where
