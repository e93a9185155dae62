"""One task per distinct item of a run's reads (`drift.live.secrets`, `drift.live.access`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Tasks:
    """One task per distinct item: the same secret version is never asked for twice."""

    def __init__(self) -> None:
        self._tasks: dict[tuple[str, Any], asyncio.Task[Any]] = {}
        self._groups: dict[Hashable, list[tuple[Any, asyncio.Task[Any]]]] = {}

    def once(
        self,
        key: tuple[str, Any],
        make: Callable[[], Awaitable[T]],
        group: Hashable | None = None,
    ) -> asyncio.Task[T]:
        """The task of `key`, started by `make` when it is the first to ask; one of `group`'s
        (`started`), when it names one."""
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(make())
            self._tasks[key] = task
            if group is not None:
                self._groups.setdefault(group, []).append((key[1], task))
        return task

    def __contains__(self, key: tuple[str, Any]) -> bool:
        return key in self._tasks

    def get(self, key: tuple[str, Any]) -> asyncio.Task[Any] | None:
        return self._tasks.get(key)

    def started(self, group: Hashable) -> list[tuple[Any, asyncio.Task[Any]]]:
        """Each item of `group` asked for so far, with its task, in the order asked (a copy:
        more may start). Kept as they start: no scan of the run's other tasks (helper-812 A-2:
        a scan each first read was quadratic in the secrets read)."""
        return list(self._groups.get(group, ()))

    async def wait(self) -> None:
        """Until every task started so far (and those they start) has finished."""
        waited = 0
        while waited < len(self._tasks):
            waited = len(self._tasks)
            await asyncio.gather(*self._tasks.values())

    def discard(self) -> None:
        """After the read was abandoned (an error that ends the run): cancel what still runs
        and collect what failed, so that no task reports its error again at exit."""
        for task in self._tasks.values():
            task.cancel()  # a task whose call answers at that moment may still end in error:
            task.add_done_callback(_collect)  # its error is collected when it ends


async def gather_all(*aws: Awaitable[Any]) -> list[Any]:
    """What each of `aws` returns, in order. On the first that raises, the others are
    cancelled and awaited to their end before it is raised: the error is said at once (never
    after a sibling's retries, helper-599 F1), and none is left failing unread at the loop's
    shutdown, where it would print a traceback after drift's one-line error (helper-598 F4).
    An error a read returns as a value (an `ApiError`) stays a value."""
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _collect(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
