"""The client side of per-minute quotas: a budget of calls per API in any 60 s window
(`RateLimiter`), one for the whole run (`run_budget`)."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from drift.live.outages import Api


class RateLimiter:
    """At most `per_minute` calls in any 60 s window, which is how Google counts per-minute
    quotas: calls within the budget never wait (the whole budget is the burst), and however
    calls bunch up, no minute ever sees more than the budget. After the server answered
    RESOURCE_EXHAUSTED, `pause` holds every call of the API not yet sent.

    A call waits in `ready` (holding nothing: no concurrency slot, no lock), then `take`s its
    turn at the moment it goes out, which fails if a pause began or the budget was spent
    meanwhile (the call then waits again)."""

    WINDOW = 60.0
    SLACK = 1.0
    """Seconds a call counts beyond its window: the server counts it when it arrives, up to a
    network's latency after drift let it go, and a call let go exactly a window after the
    first (whose way took longer) would be one too many in the server's minute."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.limit = per_minute
        self.clock = clock
        self._sleep = sleep
        self.granted: deque[float] = deque()
        self.resume_at = float("-inf")
        self.waited = 0.0

    async def acquire(self) -> None:
        """Take one call of the budget, waiting until the window has room."""
        while True:
            await self.ready()
            if self.take():
                return

    async def ready(self) -> None:
        """Wait until a call could go out: no pause, and room in the window."""
        while True:
            await self.resumed()
            now = self.clock()
            if self._room(now):
                return
            if now >= self.resume_at:  # else a pause began meanwhile: wait it out first
                await self._wait(self.granted[0] + self.WINDOW + self.SLACK - now)

    def take(self) -> bool:
        """One call of the budget now, unless the API is paused or the window is full."""
        now = self.clock()
        if now < self.resume_at or not self._room(now):
            return False
        self.granted.append(now)
        return True

    def _room(self, now: float) -> bool:
        while self.granted and self.granted[0] <= now - self.WINDOW - self.SLACK:
            self.granted.popleft()
        return len(self.granted) < self.limit

    def pause(self, seconds: float) -> None:
        """Hold callers for `seconds`: the quota is shared, so retrying one call while the
        others carry on would only earn more RESOURCE_EXHAUSTED answers."""
        self.resume_at = max(self.resume_at, self.clock() + seconds)

    async def resumed(self) -> None:
        """Wait out a pause (longer if it is extended meanwhile)."""
        while True:
            until = self.resume_at
            wait = until - self.clock()
            if wait <= 0:
                return
            await self._wait(wait)
            if self.resume_at <= until:
                return

    async def _wait(self, seconds: float) -> None:
        self.waited += seconds
        await (self._sleep or asyncio.sleep)(seconds)


K = TypeVar("K")
V = TypeVar("V")
Ledgers = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[K, V]]
"""What each running command keeps for the whole run, by key, gone with its event loop."""


def per_run(ledgers: Ledgers[K, V], key: K, make: Callable[[], V]) -> V:
    """The run's one `V` for `key` (the running event loop: one command), made at its first
    use, whichever session's runner asks."""
    ledger = ledgers.setdefault(asyncio.get_running_loop(), {})
    found = ledger.get(key)
    if found is None:
        found = ledger[key] = make()
    return found


_LEDGERS: Ledgers[tuple[Api, int], RateLimiter] = weakref.WeakKeyDictionary()


def run_budget(api: Api, per_minute: int) -> RateLimiter:
    """The per-minute budget of `api` for the whole run, whichever session's runner calls: a
    quota is the project's, counted over every call the command makes (a `fix`'s check, its
    writes and its re-check, a probe's read again), never afresh for each session
    (revperf90 F1)."""
    return per_run(_LEDGERS, (api, per_minute), lambda: RateLimiter(per_minute))
