"""Ctrl-C (and SIGTERM, SIGHUP: `drift.cli.signals`) once a service's canary write has begun
is an abort like a "no" at the promotion prompt (SPEC invariant 9: "After an abort (declined
at promotion, canary failed, Ctrl-C), drift cleans up"). asyncio's first Ctrl-C cancels the
command's task (`asyncio.Runner`; a second one raises KeyboardInterrupt wherever the loop
is); the fix catches that cancellation, takes it back (`Task.uncancel`) and cleans up, and
while it does a second signal cancels the cleanup (`again`), so that the fix still says
where it stands."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_cleaning: list[asyncio.Task[Any]] = []
"""The tasks cleaning up (several at once when `drift fix --yes` is cancelled with several
flows in flight, `drift.fix.each`): a second Ctrl-C cancels every one of them."""
_before: list[Any] = []
"""The SIGINT handler before the first of them, put back after the last."""


@contextmanager
def again() -> Iterator[None]:
    """Within a cleanup after the command's task was cancelled: take that cancellation back,
    and let a second Ctrl-C cancel the task again (not end the event loop), with every other
    task cleaning up meanwhile."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
    if task is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    if not _cleaning:
        current = signal.getsignal(signal.SIGINT)
        if not callable(current):  # Ctrl-C ignored, or Python's default: left as it is
            yield
            return
        loop = asyncio.get_running_loop()

        def cancel(number: int, frame: FrameType | None) -> None:
            for each in _cleaning:
                each.cancel()
            loop.call_soon_threadsafe(lambda: None)  # wake the loop, as asyncio's handler does

        signal.signal(signal.SIGINT, cancel)
        _before[:] = [current]
    _cleaning.append(task)
    try:
        yield
    finally:
        _cleaning.remove(task)
        if not _cleaning:
            signal.signal(signal.SIGINT, _before.pop())
