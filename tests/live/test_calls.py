"""The call runner: retries with backoff on transient errors only, honours RetryInfo, stays
inside its budget, translates errors once, counts calls."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2

from drift.errors import AuthError
from drift.live.calls import CallFailure, CallRunner, Limits, TokenBucket, translate


def flaky(errors: list[Exception], result: str = "ok") -> tuple[Callable[[float], Any], list[int]]:
    calls: list[int] = []

    async def fn(timeout: float) -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return fn, calls


def runner(**kw: Any) -> CallRunner:
    return CallRunner(Limits(**kw), seed=1)


@pytest.fixture(autouse=True)
def fast_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        slept.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("drift.live.calls.asyncio.sleep", sleep)
    return slept


@pytest.mark.parametrize(
    "error",
    [gexc.ServiceUnavailable("down"), gexc.DeadlineExceeded("slow"), gexc.ResourceExhausted("q")],
)
def test_transient_errors_are_retried(error: Exception, fast_sleep: list[float]) -> None:
    fn, calls = flaky([error, error])
    r = runner()
    assert asyncio.run(r.call("run", "GetService", "svc", fn)) == "ok"
    assert len(calls) == 3 and r.counts["GetService"] == 3 and r.retries["GetService"] == 2
    assert len(fast_sleep) == 2 and fast_sleep[1] > fast_sleep[0] / 2  # backoff grows


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (gexc.PermissionDenied("no"), "PERMISSION_DENIED"),
        (gexc.NotFound("gone"), "NOT_FOUND"),
        (gexc.InternalServerError("boom"), "INTERNAL"),
    ],
)
def test_permanent_errors_are_not_retried(error: Exception, status: str) -> None:
    fn, calls = flaky([error])
    with pytest.raises(CallFailure) as caught:
        asyncio.run(runner().call("secrets", "GetIamPolicy", "projects/p/secrets/s", fn))
    assert len(calls) == 1
    assert caught.value.status == status
    assert caught.value.reason.startswith(f"GetIamPolicy projects/p/secrets/s: {status}: ")


def test_attempts_are_bounded() -> None:
    fn, calls = flaky([gexc.ServiceUnavailable("down")] * 10)
    with pytest.raises(CallFailure, match="UNAVAILABLE"):
        asyncio.run(runner().call("run", "GetService", "svc", fn))
    assert len(calls) == 5


def test_retry_info_is_honoured(fast_sleep: list[float]) -> None:
    info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=7))
    error = gexc.ResourceExhausted("quota", details=[info])
    fn, _ = flaky([error])
    asyncio.run(runner(retry_budget=60).call("secrets", "AccessSecretVersion", "v", fn))
    assert fast_sleep == [7.0]


def test_retry_budget_is_respected() -> None:
    info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=120))
    fn, calls = flaky([gexc.ResourceExhausted("quota", details=[info])])
    with pytest.raises(CallFailure, match="RESOURCE_EXHAUSTED"):
        asyncio.run(runner(retry_budget=60).call("secrets", "GetSecretVersion", "v", fn))
    assert len(calls) == 1


def test_unauthenticated_is_an_auth_error() -> None:
    with pytest.raises(AuthError, match="UNAUTHENTICATED"):
        translate(gexc.Unauthenticated("bad token"), "GetService", "svc")


def test_server_misbehaviour_is_a_failure_not_a_crash() -> None:
    failure = translate(TypeError("cannot parse"), "GetService", "svc")
    assert failure.status == "INVALID_RESPONSE" and "TypeError" in failure.reason


def test_token_bucket_allows_a_burst_then_paces() -> None:
    now = [0.0]
    bucket = TokenBucket(per_minute=60, clock=lambda: now[0])

    async def take(n: int) -> None:
        for _ in range(n):
            await bucket.acquire()

    asyncio.run(take(60))  # the burst is free
    assert bucket.tokens < 1
    now[0] += 2.0
    asyncio.run(take(2))  # refilled at one per second
    assert bucket.tokens < 1
