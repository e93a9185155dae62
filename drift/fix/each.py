"""The fix of each workload of a plan, after the confirmation: one after another when a person
answers prompts (or `settings.concurrency` is 1), concurrently with `--yes` (no prompt to wait
for), at most `settings.concurrency` at a time (`drift.fix.fanout`). Either way each workload
keeps its own whole flow — its canary, its proof, then its promotion (SPEC invariants 4 and
9, per service) — and after the first abort no other workload starts: those already in
flight finish their own proven flow, or their own cleanup. What each flow says is kept and
said in the plan's order, never interleaved. Ctrl-C cancels every flow in flight, each
cleaned up as a single one is (`drift.fix.cancel`), each unfinished canary keeping its lock
(`drift.fix.interrupt.Where`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing, suppress
from dataclasses import dataclass, replace

from drift.errors import OutputLost
from drift.fix.context import Context, Fixer, ServiceOutcome, output_lost
from drift.fix.fanout import NOT_STARTED, Said, in_order
from drift.fix.interrupt import Where
from drift.fix.journal import State
from drift.fix.lock import Locks
from drift.fix.model import ServicePlan

Make = Callable[[Context, ServicePlan], Fixer]
"""The fixer of one workload, working with the context given (its own `ui`)."""


async def fix_each(
    ctx: Context, todo: Sequence[ServicePlan], make: Make, where: Where, locks: Locks
) -> list[ServiceOutcome]:
    """The outcome of each workload that started, in the plan's order; those after the
    first abort that had not started yet are left out (not attempted)."""
    if together(ctx.options.yes, ctx.settings.concurrency, todo):
        return await _together(ctx, todo, make, where, locks)
    outcomes: list[ServiceOutcome] = []
    for sp in todo:
        try:
            outcome = await where.run(make(ctx, sp), locks)
        except (KeyboardInterrupt, asyncio.CancelledError):
            # before the workload's first write (its read right before it, `drift.fix.reread`):
            # nothing of its own to clean up; when an earlier one was changed, the fix ends as
            # a "no" does (a re-check, exit 1), as concurrent flows do (`_as_a_no`), never 4
            if (ended := _as_a_no(todo, where)) is None:
                raise
            if (me := asyncio.current_task()) is not None:  # taken back: a next one is new
                me.uncancel()
            return ended
        outcomes.append(outcome)
        if outcome.aborted or outcome.interrupted:  # a Ctrl-C after a write that landed too
            break
    return outcomes


def together(yes: bool, concurrency: int, todo: Sequence[ServicePlan]) -> bool:
    """Whether the workloads' flows run concurrently (`--yes`, no prompt to wait for)."""
    return yes and concurrency > 1 and len(todo) > 1


@dataclass
class _Flow:
    said: Said
    outcome: ServiceOutcome | None = None
    """None: it raised `error`."""
    error: Exception | None = None


async def _together(
    ctx: Context, todo: Sequence[ServicePlan], make: Make, where: Where, locks: Locks
) -> list[ServiceOutcome]:
    halted = False  # set by the flow that aborts, before its slot frees: none starts after
    raised: list[Exception] = []  # as they happen, whether or not their turn was reached
    saids: list[Said] = []

    async def flow(sp: ServicePlan) -> _Flow:
        nonlocal halted
        said = Said(ctx.ui)
        saids.append(said)
        for note in locks.notes_of(sp.label):  # its lock taken over: said in its own place
            said.say(note)
        try:
            outcome = await where.run(make(replace(ctx, ui=said), sp), locks)
        except Exception as exc:  # raised once every flow in flight has ended
            # a DriftError before its first write (`Fixer.run`), or a bug of drift's (its lock
            # kept, `Where.run`): no other flow starts, and those in flight end their own flow
            # (never cancelled as if by a Ctrl-C nobody pressed)
            halted = True
            raised.append(exc)
            return _Flow(said, error=exc)
        halted = halted or outcome.aborted
        return _Flow(said, outcome)

    outcomes: list[ServiceOutcome] = []
    errors: list[Exception] = []
    lost: list[OutputLost] = []
    try:
        async with aclosing(
            in_order(ctx.settings.concurrency, todo, flow, lambda: halted)
        ) as flows:
            async for _, done in flows:
                if done is NOT_STARTED:  # after an abort, or once the output is lost
                    continue
                if not lost:
                    try:
                        done.said.replay()
                    except (OSError, OutputLost) as exc:
                        # `drift fix --yes | head`: no other flow starts; those in flight end
                        # their own flow, unsaid (cancelled mid-write, a promotion would be
                        # left unfinished); then exit 4 saying where each workload stands
                        lost.append(OutputLost(output_lost(exc)))
                        halted = True
                errors += [done.error] if done.error is not None else []
                if done.outcome is None:
                    continue
                outcomes.append(done.outcome)
                if done.outcome.interrupted:  # stopped as by Ctrl-C: the others stop too
                    break
    except (KeyboardInterrupt, asyncio.CancelledError):  # every flow in flight has ended
        if raised:  # a flow had failed (a bug of drift's): raised, as one at a time raises it
            raise raised[0] from None
        if lost or (ended := _as_a_no(todo, where)) is None:
            raise
        if (me := asyncio.current_task()) is not None:  # taken back: a next Ctrl-C is new
            me.uncancel()  # (`drift.cli.loop._ctrl_c_rearmed`), as `cancel.again` does
        return ended
    finally:  # what the flows cancelled said of their cleanup, in the order they started
        for said in saids if not lost else ():
            with suppress(OSError, OutputLost):
                said.replay()
    if lost:  # said with where each workload stands (`drift.fix.apply.run_fix`): exit 4
        raise lost[0]
    if errors:
        raise errors[0]
    return outcomes


def _as_a_no(todo: Sequence[ServicePlan], where: Where) -> list[ServiceOutcome] | None:
    """Ctrl-C with flows in flight, each cancelled and cleaned up (`in_order`): when some
    workload was already changed (promoted, pinned, updated), the outcomes in the plan's order,
    each unfinished one as interrupted, so that the fix ends as a "no" at a prompt does, and
    as one at a time does (`drift.fix.apply`: what moved said, a re-check, exit 1 — never 4,
    "nothing changed"). None (Ctrl-C ends it at once, exit 4, where each stands said) when
    nothing was changed, or when a flow's write was cut (`CUT`: where it stands is then not
    known)."""
    order = {sp.key: i for i, sp in enumerate(todo)}
    outcomes = []
    for fixer in sorted(where.fixes, key=lambda f: order[f.sp.key]):
        outcome, state = fixer.outcome, fixer.entry.state
        if state in CUT:
            return None
        if not (state in CHANGED and not outcome.aborted):
            outcome.aborted = outcome.interrupted = True
        outcomes.append(outcome)
    return outcomes if any(not o.aborted for o in outcomes) else None


CHANGED = frozenset({State.PROMOTED, State.PINNED, State.UPDATED})
"""The states of a workload this fix changed and left changed."""
CUT = frozenset({State.PROMOTING, State.UPDATING, State.CLEANING_UP, State.ROLLING_BACK})
"""The states of a workload whose write was cut (a second Ctrl-C during its cleanup too):
where it stands is not known, its lock is kept, and that is said at once (exit 4)."""
