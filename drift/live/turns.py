"""CPU-bound steps of many tasks taken one a turn of the event loop."""

from __future__ import annotations

import asyncio
from collections import deque


class Turns:
    """`await turns.take()` returns when it is the caller's turn: one caller a turn of the
    event loop, in the order they asked. Between two callers' steps the loop takes what has
    arrived (gRPC answers: their concurrency slots freed, the calls waiting for one sent), so
    a read's calls go out while a List's workloads are described, not after the last of them
    (all ready at once, they were described in one turn: 0.15 s of CPU for 200 services, every
    answer of the read held behind it). A turn costs about 10 µs."""

    def __init__(self) -> None:
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._scheduled = False

    async def take(self) -> None:
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        self._waiting.append(turn)
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._next, loop)
        await turn

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Let the next caller go (it runs in the loop's next turn, and so does this again)."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():  # its caller was cancelled meanwhile: its turn passes
                turn.set_result(None)
                break
        self._scheduled = bool(self._waiting)
        if self._scheduled:
            loop.call_soon(self._next, loop)
