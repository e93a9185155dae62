"""Time that waits of minutes pass through at once: a clock that real time moves, and that a
sleep moves forward to when the sleeper would wake. What happens between the waits (calls to
the sandbox, their latency) keeps its real order and duration, so a test can watch a call
runner wait out a per-minute quota or a long backoff in a fraction of a second, and still
read when (on this clock) each call went out."""

from __future__ import annotations

import asyncio
import time

import pytest

from drift.live.calls import CallRunner, Limits


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


def warped(limits: Limits, *, seed: int | None = None) -> CallRunner:
    """A call runner on a time of its own (`Warp`): its backoffs and quota pauses pass at once,
    while the retry budget is still spent on them (the runner's clock moves by each wait)."""
    return Warp().install(CallRunner(limits, seed=seed))


def warp_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every session the test opens without a runner of its own (`drift fix`, `drift
    rollback`) gets a `warped` one."""
    monkeypatch.setattr("drift.live.session.CallRunner", warped)
