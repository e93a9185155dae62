"""The promotion prompt's deadline. `drift.diff.unserved.CLEANUP_WINDOW` (2 h) is how long after
its canary a fix's restoration may be created and still be taken for drift's own (`since`,
history), and how long `check` and a journal-less `rollback` assume a fix may still be running.
A prompt left open past it would hold a live fix that everything else takes for ended, so the
prompt has a deadline: no answer by then is a "no", cleaned up as a decline, with room left for
the clean-up's write to create the restoration inside the window."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from drift.clock import awake_or_asleep
from drift.diff.unserved import CLEANUP_WINDOW
from drift.fix.context import FixUI, Stop
from drift.fix.update import OPERATION_TIMEOUT
from drift.interrupts import interrupt_name

CLEANUP_ROOM = OPERATION_TIMEOUT
"""Seconds kept before the window closes for the clean-up (its first write is one update,
which waits at most the setting `write_wait`, 600 s unless set: more is kept when it is more,
`window`)."""
PROMPT_WINDOW = CLEANUP_WINDOW.total_seconds() - CLEANUP_ROOM
"""Seconds after the canary's write began by which the promotion is answered, or declined."""


def window(write_wait: float) -> float:
    """`PROMPT_WINDOW`, shorter when a write may wait longer than `CLEANUP_ROOM`."""
    return CLEANUP_WINDOW.total_seconds() - max(CLEANUP_ROOM, write_wait)


clock: Callable[[], float] = awake_or_asleep
"""The clock the deadline is kept on: it counts the time the machine slept, as the window's
revision create times do (`drift.clock`; tests put their own)."""


def started() -> float:
    """When the canary's write begins: before its revision is created, so a deadline counted
    from it closes no later than one counted from the creation."""
    return clock()


def ask_promotion(
    ui: FixUI, name: str, question: str, began: float, within: float = PROMPT_WINDOW
) -> bool:
    """The answer to the promotion prompt of the canary whose write began at `began`, by the
    deadline (`within` seconds of it); Stop (cleaned up, as a decline) when the time is over
    or Ctrl-C is pressed."""
    left = began + within - clock()
    minutes = f"{within / 60:g} min of the canary's deploy"
    if left <= 0:
        raise Stop(
            f"{name}: promotion not asked: no time left to answer within {minutes}, "
            "before drift's clean-up window closes",
            cleanup=True,
        )
    try:
        go = ui.confirm(question, timeout=left)
    except KeyboardInterrupt:  # an abort like a "no" (SPEC invariant 9), then exit 4
        raise Stop(
            f"{name}: {interrupt_name()} at the promotion prompt", cleanup=True, interrupted=True
        ) from None
    if clock() >= began + within:  # a "y" typed late too: the machine slept meanwhile
        raise Stop(
            f"{name}: promotion declined: no answer within {minutes}, before drift's "
            "clean-up window closes",
            cleanup=True,
        )
    if go:
        return True
    raise Stop(f"{name}: promotion declined", cleanup=True)


async def promotion(
    ui: FixUI, name: str, question: str, began: float, within: float = PROMPT_WINDOW
) -> None:
    """`ask_promotion`, then the cancellation of a Ctrl-C that landed after the task's last
    await and before the prompt took Ctrl-C over (the prompt took it as one at the prompt,
    `drift.cli.signals.cancelled_before`), or once the answer was read: taken here, before
    any write, as Ctrl-C at the prompt. Left pending, it would cut the clean-up's first await
    (3.11's `Task.uncancel` leaves it pending; 3.13's clears it) or, after a "y", the
    promotion's write."""
    try:
        ask_promotion(ui, name, question, began, within)
    except Stop:
        await _taken_back()
        raise
    if await _taken_back():
        raise Stop(
            f"{name}: {interrupt_name()} at the promotion prompt", cleanup=True, interrupted=True
        )


async def _taken_back() -> bool:
    """Whether the task had a cancellation pending, delivered at an await of its own here
    and taken back (`Task.uncancel`), so that the next Ctrl-C cancels the task again."""
    task = asyncio.current_task()
    if task is None or not task.cancelling():
        return False
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        task.uncancel()
        return True
    return False
