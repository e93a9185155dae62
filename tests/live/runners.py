"""CallRunners that watch the calls a check makes: a subclass wraps each attempt (`attempt`)
or sees each answer (`answered`), without restating CallRunner.call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from drift.live.calls import Api, CallRunner

T = TypeVar("T")
Attempt = Callable[[float], Awaitable[T]]


class WatchingRunner(CallRunner):
    async def call(
        self,
        api: Api,
        method: str,
        resource: str,
        fn: Attempt[T],
        *,
        retry: bool = True,
    ) -> T:
        result = await super().call(
            api, method, resource, self.attempt(api, method, resource, fn), retry=retry
        )
        self.answered(method)
        return result

    def attempt(self, api: Api, method: str, resource: str, fn: Attempt[T]) -> Attempt[T]:
        """What each attempt of this call runs (`fn`: the call itself, given its timeout)."""
        return fn

    def answered(self, method: str) -> None:
        """Called once the call succeeded."""
