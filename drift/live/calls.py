"""Every Google API call goes through here: bounded concurrency, a client-side rate limit
per API, a deadline per call, retries with backoff and jitter on transient errors (honouring
RetryInfo), a count per method, and one translation of Google errors into drift's."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from drift.errors import AuthError

T = TypeVar("T")
Api = Literal["run", "secrets"]

RETRYABLE = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"})
MAX_ATTEMPTS = 5
BASE_DELAY = 0.2
MAX_DELAY = 8.0


class CallFailure(Exception):
    """A call that failed for good: what was asked, of what, and the status it got."""

    def __init__(
        self,
        call: str,
        resource: str,
        status: str,
        message: str,
        *,
        retry_after: float | None = None,
    ) -> None:
        self.call = call
        self.retry_after = retry_after
        self.resource = resource
        self.status = status
        self.message = " ".join(message.split())[:300]
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return f"{self.call} {self.resource}: {self.status}: {self.message}"


class TokenBucket:
    """Allows bursts up to `capacity` calls and `capacity` calls per minute on average."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.tokens = float(per_minute)
        self.clock = clock
        self.stamp = clock()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


@dataclass(frozen=True)
class Limits:
    concurrency: int = 16
    run_rpm: int = 900
    secrets_rpm: int = 540
    call_timeout: float = 30.0
    retry_budget: float = 60.0


class CallRunner:
    def __init__(self, limits: Limits, *, seed: int | None = None) -> None:
        self.limits = limits
        self.semaphore = asyncio.Semaphore(limits.concurrency)
        self.buckets: dict[Api, TokenBucket] = {
            "run": TokenBucket(limits.run_rpm),
            "secrets": TokenBucket(limits.secrets_rpm),
        }
        self.counts: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.random = random.Random(seed)

    async def call(
        self,
        api: Api,
        method: str,
        resource: str,
        fn: Callable[[float], Awaitable[T]],
        *,
        retry: bool = True,
    ) -> T:
        """Run `fn(timeout)`; raise CallFailure (or AuthError) when it cannot succeed."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.semaphore:
                    await self.buckets[api].acquire()
                    self.counts[method] += 1
                    return await asyncio.wait_for(
                        fn(self.limits.call_timeout), self.limits.call_timeout + 5
                    )
            except Exception as exc:  # translated once, here
                failure = translate(exc, method, resource)
            delay = self._delay(attempt, failure)
            spent = time.monotonic() - started
            if (
                not retry
                or failure.status not in RETRYABLE
                or attempt >= MAX_ATTEMPTS
                or spent + delay > self.limits.retry_budget
            ):
                raise failure
            self.retries[method] += 1
            await asyncio.sleep(delay)

    def _delay(self, attempt: int, failure: CallFailure) -> float:
        hinted = failure.retry_after
        ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1))
        jittered = self.random.uniform(ceiling / 2, ceiling)
        return max(jittered, hinted) if hinted else jittered


def translate(exc: BaseException, method: str, resource: str) -> CallFailure:
    """Map google.api_core / google.auth / timeout errors to drift's own."""
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    if isinstance(exc, auth_exc.GoogleAuthError):
        raise AuthError(
            f"{method} {resource}: credentials failed: {exc}",
            hint="run `gcloud auth application-default login`, or set "
            "GOOGLE_APPLICATION_CREDENTIALS",
        ) from None
    if isinstance(exc, gexc.Unauthenticated):
        raise AuthError(
            f"{method} {resource}: UNAUTHENTICATED: {exc.message}",
            hint="check Application Default Credentials (gcloud auth application-default login)",
        ) from None
    if isinstance(exc, gexc.GoogleAPICallError):
        code = exc.grpc_status_code
        status = code.name if code is not None else type(exc).__name__
        return CallFailure(
            method, resource, status, exc.message or "", retry_after=_retry_after(exc)
        )
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return CallFailure(method, resource, "DEADLINE_EXCEEDED", "no answer within the deadline")
    if isinstance(exc, gexc.RetryError):
        return CallFailure(method, resource, "UNAVAILABLE", str(exc))
    return CallFailure(method, resource, "INVALID_RESPONSE", f"{type(exc).__name__}: {exc}")


def _retry_after(exc: Any) -> float | None:
    from google.rpc import error_details_pb2

    for detail in getattr(exc, "details", None) or ():
        if isinstance(detail, error_details_pb2.RetryInfo):
            delay = detail.retry_delay
            return float(delay.seconds) + delay.nanos / 1e9
    return None
