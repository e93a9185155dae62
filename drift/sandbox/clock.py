"""The sandbox's clock: wall time plus an offset that tests move forward, and the timeline of
things that happen at a time (a deploy settling, a secret expiring, a version destroyed)."""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from google.protobuf import duration_pb2, timestamp_pb2


def duration(seconds: float) -> duration_pb2.Duration:
    out = duration_pb2.Duration()
    out.FromNanoseconds(int(seconds * 1e9))
    return out


@dataclass(order=True)
class _Event:
    due: float
    seq: int
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Clock:
    """`now()` is wall time plus `offset` (moved by `advance`); `at(due, action)` queues an
    action that `due_actions()` hands back once the clock has passed `due`."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._queue: list[_Event] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return time.time() + self.offset

    def stamp(self, offset_seconds: float = 0.0) -> timestamp_pb2.Timestamp:
        out = timestamp_pb2.Timestamp()
        out.FromNanoseconds(int((self.now() + offset_seconds) * 1e9))
        return out

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self.offset += seconds

    def at(self, due: float, action: Callable[[], None]) -> _Event:
        event = _Event(due, next(self._seq), action)
        heapq.heappush(self._queue, event)
        return event

    def due_actions(self) -> list[Callable[[], None]]:
        """The actions whose time has come, oldest first (each handed out once)."""
        now = self.now()
        out = []
        while self._queue and self._queue[0].due <= now:
            event = heapq.heappop(self._queue)
            if not event.cancelled:
                out.append(event.action)
        return out

    def clear(self) -> None:
        self._queue.clear()


def seconds_of(stamp: timestamp_pb2.Timestamp) -> float:
    return float(stamp.ToNanoseconds()) / 1e9
