"""Where a fix stands when it is interrupted, and the locks it keeps: a service's change that
Ctrl-C (or SIGTERM, SIGHUP: `drift.cli.signals`) left unfinished — its canary not cleaned up
(`drift.fix.cancel`), or an update in place sent whose answer it never had — keeps its lock,
so that the next command on the workload refuses (or, reading the write landed, finishes it:
`drift.fix.landed_before`) and `drift rollback CHANGE` takes it over (SPEC invariant 11).

An interrupted promotion (`promotion_cut`): Ctrl-C while a service's promotion was sent and
its outcome awaited: one read of the service says whether it has landed. Landed — the
promotion exactly, one generation on (still rolling out included: its spec is drift's) — the
fix is complete: recorded `promoted`, its lock released, said so (the fix then ends as a
completed one, with its re-check). Anything else stops the fix at once, its lock kept and the
journal saying `promoting`: "the promotion was being sent (it may have landed)", exit 3, as an
interrupted update in place (`drift.fix.apply`). A read that finds it not applied proves
nothing: a server may go on processing a call its caller cancelled ("the application-provided
server handler may be busy processing the request. The gRPC library in general does not have
a mechanism to interrupt the application-provided server handler",
https://grpc.io/docs/guides/cancellation/), and the late request carries the very etag the
service still has, so no etag check refuses it. The next `fix` finishes the change once it
reads the promotion landed (`drift.fix.landed_before`); `drift rollback CHANGE` reads the
service and ends it either way. Before, a read finding it not applied cleaned up at once
(exit 4, "the promotion had not landed", lock released) while the promotion could still
land after the clean-up's read (the `where` below; helper-678, as helper-669 F2 for an update
in place); and before that every such Ctrl-C stopped at once with exit 4, "nothing changed"
(helper-601 F2)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drift.errors import ApiError, AuthError
from drift.fix.base import tagged
from drift.fix.context import Fixer, ServiceOutcome, Stop
from drift.fix.journal import DONE, State, Write
from drift.fix.lock import Locks
from drift.fix.locktakeover import FINISHED
from drift.fix.patch import canary_percent
from drift.fix.routing import describe_serving, landed, promotion_problem
from drift.fix.servicefixer import ServiceFixer
from drift.fix.update import get_service
from drift.fix.workload_restore import in_place
from drift.interrupts import interrupt_name
from drift.live.api import in_progress


@dataclass
class Where:
    """Where a fix stands, for the one line an interruption prints, and the locks of changes
    an interruption left unfinished (kept)."""

    fixes: list[Fixer] = field(default_factory=list)
    kept: dict[int, str] = field(default_factory=dict)
    """The line of each lock kept, by its fixer (`id`)."""
    settled: bool = False
    """Every flow has ended and some workload stays changed: what is left only reads (the
    re-check), so an interruption now leaves the fix incomplete (exit 3, SPEC: "After a
    completed fix, the exit code is that of the re-check"), never "aborted" (4)."""

    @property
    def sent(self) -> bool:
        """A workload's write was sent and its answer not had — an update in place (its
        journal says `updating`), a promotion (`promoting`) whose read back could not tell
        (`drift.fix.promotion_cut`), a canary's clean-up (`cleaning-up`: a second Ctrl-C):
        it may have landed, or left the canary pinned, so an interruption is no "nothing
        changed" (exit 4): its outcome is not known, exit 3 for each (helper-528 F2: exit 4
        over a job updated; helper-601 F2: 3 or 4 by the kind of write)."""
        return any(_unknown(f) for f in self.fixes)

    def line(self) -> str:
        """Where each workload stands, then each lock kept, both in the order the flows
        started (the plan's), never in the order concurrent flows happened to end."""
        kept = [self.kept[id(f)] for f in self.fixes if id(f) in self.kept]
        said = [f.where for f in self.fixes if f.where] + kept
        return "; ".join(said) if said else "nothing was changed"

    async def run(self, fixer: Fixer, locks: Locks) -> ServiceOutcome:
        """Run `fixer`; interrupted with its canary unfinished (Ctrl-C, or a bug of drift's
        that ended its flow), or stopped with its last write's end not known (`unknown`: the
        workload still reconciling when the write's wait ended), its lock stays, for `drift
        rollback CHANGE` to finish it."""
        self.fixes.append(fixer)
        try:
            outcome = await fixer.run()
        except BaseException:
            self._keep(fixer, locks)
            raise
        if outcome.interrupted or outcome.unfinished or (outcome.unknown and _unknown(fixer)):
            self._keep(fixer, locks)
        return outcome

    def _keep(self, fixer: Fixer, locks: Locks) -> None:
        entry = fixer.entry
        if not entry.wrote or entry.state in DONE or entry.state in FINISHED:
            return
        if in_place(entry) and entry.state not in SENT:  # no canary left behind
            return
        # an update in place sent, its outcome unknown, is unfinished too (helper-553 F2):
        # released, the next fix would build on it unsaid, and a rollback of that one would
        # leave this one's in place
        path = locks.keep(entry.full_name)
        if path is not None:
            self.kept[id(fixer)] = (
                f"{fixer.name}: the change is unfinished, so drift keeps its lock {path}: "
                f"`drift rollback {fixer.change_id}` takes it over to finish it (or the next "
                "`drift fix`, if it reads the last write landed)"
            )


SENT = (State.UPDATING, State.ROLLING_BACK)
"""An update in place's states while a write of it is sent, its outcome not known."""


def _unknown(fixer: Fixer) -> bool:
    """Whether `fixer`'s last write was sent and its outcome is not known: an update in
    place, a promotion, a canary's clean-up (a second Ctrl-C while it was written: the
    canary may still be there, pinned — no "nothing changed", helper-661 B4), or the canary
    still deploying when its wait ended (helper-686 M2)."""
    entry = fixer.entry
    if in_place(entry):  # its update, or its put-back (`workload._put_back`: helper-809 F2)
        return entry.state in SENT
    return entry.state in (State.PROMOTING, State.CLEANING_UP, State.CANARY_DEPLOYING)


Record = Callable[[str, str, Any], None]
"""How the promotion's landing is recorded (`ServiceFix._promotion_landed`: Stop when the
journal cannot take it)."""


async def promotion_cut(fixer: ServiceFixer, stop: Stop, record: Record) -> Stop | None:
    """Where an interrupted promotion (`stop`) ended, read once: None when it had landed and
    the fix is complete (its outcome set); the Stop to end the fix with when it landed in
    another shape; CancelledError (the fix stops at once, its lock kept, exit 3) when it is
    not read landed: not applied yet is no proof that it never will be."""
    entry, outcome, canary = fixer.entry, fixer.outcome, fixer.outcome.canary
    write = Write.read(entry.writes[-1])
    if not stop.quiet:
        fixer.ctx.ui.say(f"{stop.message}: reading whether it landed (Ctrl-C again stops this)")
    try:
        now = await get_service(fixer.ctx.session, entry.full_name)
    except (ApiError, AuthError):
        now = None  # a second Ctrl-C: CancelledError, raised from here as it is
    if now is None or not landed(now, write):  # not known: at once, the lock kept (`Where.run`)
        fixer.where = being_sent(fixer.name, canary, fixer.change_id)
        raise asyncio.CancelledError
    rolling = in_progress(now)
    share = canary_percent(fixer.live.source, fixer.base.revision)
    problem = "" if rolling else promotion_problem(now, canary, share)
    try:
        if problem:
            record(State.ABORTED, problem, now)
            return Stop(
                f"{stop.message}: the promotion was written but {problem}; "
                f"`drift rollback {fixer.change_id}` restores what served before"
            )
        note = f"traffic on {canary} (read back after {interrupt_name()})"
        record(State.PROMOTED, note, now)
    except Stop as unjournaled:  # landed, its end not recorded: lock kept, as it says
        return unjournaled
    outcome.state, outcome.interrupted = State.PROMOTED, True
    serves = f"rolling out: {rolling}" if rolling else f"what serves: {describe_serving(now)}"
    outcome.by_tag = tagged(fixer.base)
    outcome.message = (
        f"{stop.message}, but the promotion had landed: traffic moved to {canary} "
        f"({serves}); the fix is complete"
    )
    fixer.where = f"{fixer.name}: the fix is complete (traffic on {canary})"
    return None


def being_sent(name: str, canary: str, change: str) -> str:
    """Where a service stands while its promotion is sent, its outcome not known."""
    return (
        f"{name}: the promotion was being sent (it may have landed: then traffic moves to the "
        f"canary {canary}); `drift rollback {change}` restores what served before"
    )
