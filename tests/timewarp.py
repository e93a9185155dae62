"""Time that waits of minutes pass through at once: a clock that real time moves, and that a
sleep moves forward to when the sleeper would wake. What happens between the waits (calls to
the sandbox, their latency) keeps its real order and duration, so a test can watch a call
runner wait out a per-minute quota or a long backoff in a fraction of a second, and still
read when (on this clock) each call went out."""

from __future__ import annotations

import asyncio
import time

from drift.live.calls import CallRunner


class Warp:
    def __init__(self) -> None:
        self.offset = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        wake = self.clock() + max(seconds, 0.0)
        self.offset = max(self.offset, wake - time.monotonic())
        await asyncio.sleep(0)

    def install(self, runner: CallRunner) -> CallRunner:
        """The runner, and its per-API limiters, on this time."""
        runner.clock = self.clock
        runner.sleep = self.sleep
        for limiter in runner.limiters.values():
            limiter.clock = self.clock
            limiter._sleep = self.sleep
        return runner
