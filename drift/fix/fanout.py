"""Independent steps of several workloads run concurrently, at most `limit` at a time
(`settings.concurrency`), their results in the order given (the plan's): what each says is
said in that order, never interleaved (`Said`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from enum import Enum
from typing import Any, Final, TypeVar, overload

T = TypeVar("T")
R = TypeVar("R")


class Skipped(Enum):
    NOT_STARTED = "not started"


NOT_STARTED: Final = Skipped.NOT_STARTED
"""The result of a step `halt` kept from starting."""


@overload
def in_order(
    limit: int, items: Iterable[T], step: Callable[[T], Awaitable[R]]
) -> AsyncGenerator[tuple[T, R], None]: ...


@overload
def in_order(
    limit: int, items: Iterable[T], step: Callable[[T], Awaitable[R]], halt: Callable[[], bool]
) -> AsyncGenerator[tuple[T, R | Skipped], None]: ...


async def in_order(
    limit: int,
    items: Iterable[T],
    step: Callable[[T], Awaitable[R]],
    halt: Callable[[], bool] | None = None,
) -> AsyncGenerator[tuple[T, R | Skipped], None]:
    """`step(item)` for every item, all started at once and at most `limit` running; each
    result yielded in the items' order as soon as it and those before it are done. Once
    `halt()` is true (a step aborted, the output broke), no other step starts: each is
    yielded as `NOT_STARTED`, those in flight finish. Left early (use `contextlib.aclosing`)
    or cancelled (Ctrl-C): every step still running is cancelled, and has ended (its own
    cancellation handled) before this returns or raises."""
    gate = asyncio.Semaphore(max(1, limit))
    me = asyncio.current_task()
    stopped: list[KeyboardInterrupt] = []

    async def one(item: T) -> R | Skipped:
        async with gate:
            if halt is not None and halt():  # asked once its slot is free: as one at a time
                return NOT_STARTED
            try:
                return await step(item)
            except KeyboardInterrupt as exc:  # out of a task it would end the event loop
                stopped.append(exc)  # itself: it is this generator's, as one step at a time
                if me is not None:
                    me.cancel()
                raise asyncio.CancelledError from None

    listed = list(items)
    tasks = [asyncio.ensure_future(one(item)) for item in listed]
    try:
        for item, task in zip(listed, tasks, strict=True):
            # waited for, not awaited: a cancellation (Ctrl-C) of this task is this task's
            # alone, never handed to the one step it waits on while the others run on; the
            # `finally` cancels every step once, all at the same moment
            await asyncio.wait((task,))
            yield item, task.result()
    except asyncio.CancelledError:
        if stopped and me is not None:
            me.uncancel()
            raise stopped[0] from None
        raise
    finally:
        for task in tasks:
            task.cancel()  # a no-op on a step that is done
        await asyncio.gather(*tasks, return_exceptions=True)


class Said:
    """A `FixUI` that keeps what a step says, to be said later in order (`replay`)."""

    def __init__(self, ui: Any) -> None:
        self.ui = ui
        self.lines: list[str] = []

    def show_plan(self, plan: Any) -> None:
        self.ui.show_plan(plan)

    def confirm(self, question: str, timeout: float | None = None) -> bool:
        return bool(self.ui.confirm(question, timeout))

    def say(self, text: str) -> None:
        self.lines.append(text)

    def replay(self) -> None:
        for line in self.lines:
            self.ui.say(line)
        self.lines.clear()
