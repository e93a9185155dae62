"""What a wait on Cloud Run says while it lasts: a write's long-running operation, a service
that stays `reconciling` (`drift.fix.update`) can take up to OPERATION_TIMEOUT (600 s). One
line on stderr after `Cadence.first` seconds, then every `Cadence.every` seconds, naming the
workload, what is waited for (the operation, the revision) and the seconds so far — with or
without a terminal (CI, a pipe: a plain line, never a spinner), never on stdout (it may carry
a JSON document). Names only: no value of the workload is said."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

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
async def waiting(what: str, limit: float) -> AsyncIterator[None]:
    """Say `{what}: N s so far (drift waits up to LIMIT s)` on `CADENCE` while the block
    runs; nothing once it ends."""
    cadence = CADENCE
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def speak() -> None:
        await asyncio.sleep(cadence.first)
        while True:
            so_far = loop.time() - began
            with suppress(Exception):  # a sink that fails must not end the wait
                cadence.say(
                    visible(f"{what}: {so_far:.0f} s so far (drift waits up to {limit:g} s)")
                )
            await asyncio.sleep(cadence.every)

    task = asyncio.create_task(speak())
    try:
        yield
    finally:
        task.cancel()  # not awaited: a Ctrl-C that ends the block is never swallowed here
