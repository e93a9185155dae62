"""What a wait on Cloud Run says while it lasts: a write's long-running operation, a service
that stays `reconciling` (`drift.fix.update`) can take up to its write's whole wait (600 s; the
setting `write_wait`, `drift.fix.update.Deadline`). One
line on stderr after `Cadence.first` seconds, then every `Cadence.every` seconds, naming the
workload, what is waited for (the operation, the revision) and the seconds so far — with or
without a terminal (CI, a pipe: a plain line, never a spinner), never on stdout (it may carry
a JSON document). Names only: no value of the workload is said."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from drift.textsafe import visible


def _stderr(text: str) -> None:
    with suppress(OSError, ValueError):  # stderr gone or closed: the wait goes on unsaid
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


@dataclass(frozen=True)
class Cadence:
    first: float = 10.0
    """Seconds before the first line: a deploy that settles sooner says nothing."""
    every: float = 30.0
    """Seconds between the lines after it."""
    say: Callable[[str], None] = _stderr


CADENCE = Cadence()
"""How often a wait speaks (a test sets a shorter one)."""


@asynccontextmanager
async def waiting(
    what: str, limit: float, began: float | None = None, whole: str = ""
) -> AsyncIterator[None]:
    """Say `{what}: N s so far (drift waits up to LIMIT s{whole})` on `CADENCE` while the
    block runs; nothing once it ends. `began` (`time.monotonic`): when the wait that `limit`
    bounds began — a write's, which its operation's wait and the read after it share
    (`drift.fix.update.Deadline`), counted from it; none: from now."""
    cadence = CADENCE
    start = time.monotonic() if began is None else began

    async def speak() -> None:
        await asyncio.sleep(cadence.first)
        while True:
            so_far = time.monotonic() - start
            with suppress(Exception):  # a sink that fails must not end the wait
                cadence.say(
                    visible(f"{what}: {so_far:.0f} s so far (drift waits up to {limit:g} s{whole})")
                )
            await asyncio.sleep(cadence.every)

    task = asyncio.create_task(speak())
    try:
        yield
    finally:
        task.cancel()  # not awaited: a Ctrl-C that ends the block is never swallowed here


POLL_FIRST = 0.5
POLL_MAX = 5.0
"""The first pause between two reads of a wait, and the longest (each doubles the last)."""
STILL = "was still reconciling when drift stopped waiting"
"""A write that landed, its workload read back still reconciling when its deadline ended."""
WRITE_WAIT = "DRIFT_WRITE_WAIT"
"""The setting that bounds a fix's whole wait for each of its writes (`Deadline`), as said."""


@dataclass(frozen=True)
class Deadline:
    """One deadline for the whole wait of one write: its operation, then the workload read
    until it settles (a deploy that never settles waited OPERATION_TIMEOUT for each in
    sequence, up to 1,200 s). `limit` seconds from `began` (when the write was sent: the
    setting `write_wait`, DRIFT_WRITE_WAIT); each wait takes what is left of it."""

    limit: float
    began: float = field(default_factory=time.monotonic)

    def left(self, cap: float) -> float:
        """The seconds left, at most `cap` (a wait's own bound); 0 once it is past."""
        return max(0.0, min(cap, self.began + self.limit - time.monotonic()))


def whole(deadline: Deadline | None) -> str:
    """How a wait's limit is said: the whole wait of a write, and the setting that sets it."""
    return f" in all for this write: {WRITE_WAIT}" if deadline is not None else ""


async def until(
    read: Callable[[], Awaitable[Any]],
    done: Callable[[Any], bool],
    timeout: float,
    said: str,
    deadline: Deadline | None,
) -> Any:
    """Read until `done` says so or `timeout` has passed (what is left of `deadline`, when
    the read follows a write: one wait with the write's own): the last read (`said`: what is
    waited for, said while it lasts, `drift.fix.waiting`)."""
    wait = deadline or Deadline(timeout)
    async with waiting(said, wait.limit, wait.began, whole(deadline)):
        return await _reads(read, done, wait.left(timeout))


async def _reads(
    read: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout: float
) -> Any:
    deadline = time.monotonic() + timeout
    pause = POLL_FIRST
    while True:
        now = await read()
        if done(now) or time.monotonic() >= deadline:
            return now
        await asyncio.sleep(min(pause, max(deadline - time.monotonic(), 0)))
        pause = min(pause * 2, POLL_MAX)
