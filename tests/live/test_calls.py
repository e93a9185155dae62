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

from drift.errors import ApiError, AuthError
from drift.live.calls import (
    MAX_ATTEMPTS,
    CallRunner,
    Limits,
    RateLimiter,
    api_errors,
    translate,
)
from tests.timewarp import Warp


def flaky(errors: list[Exception], result: str = "ok") -> tuple[Callable[[float], Any], list[int]]:
    calls: list[int] = []

    async def fn(timeout: float) -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return fn, calls


WARP = Warp()


def google_auth_error(text: str) -> Exception:
    from google.auth import exceptions as auth_exc

    return auth_exc.RefreshError(text)


def runner(**kw: Any) -> CallRunner:
    """A runner whose waits pass at once (`fast_sleep` lists them)."""
    return WARP.install(CallRunner(Limits(**kw), seed=1))


@pytest.fixture(autouse=True)
def fast_sleep() -> list[float]:
    WARP.slept.clear()
    return WARP.slept


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
    with pytest.raises(ApiError) as caught:
        asyncio.run(runner().call("secrets", "GetIamPolicy", "projects/p/secrets/s", fn))
    assert len(calls) == 1
    assert caught.value.status == status
    assert caught.value.reason.startswith(f"GetIamPolicy projects/p/secrets/s: {status}: ")


def test_attempts_are_bounded() -> None:
    fn, calls = flaky([gexc.ServiceUnavailable("down")] * 10)
    with pytest.raises(ApiError, match="UNAVAILABLE"):
        asyncio.run(runner().call("run", "GetService", "svc", fn))
    assert len(calls) == 5


def test_retry_info_is_honoured(fast_sleep: list[float]) -> None:
    info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=7))
    error = gexc.ResourceExhausted("quota", details=[info])
    fn, _ = flaky([error])
    asyncio.run(runner(retry_budget=60).call("secrets", "AccessSecretVersion", "v", fn))
    assert fast_sleep == pytest.approx([7.0], abs=0.05)  # the pause, less what has passed


def test_a_quota_error_without_retry_info_backs_off_until_the_budget_ends(
    fast_sleep: list[float],
) -> None:
    """As Google's generated clients retry RESOURCE_EXHAUSTED (google-cloud-secret-manager
    transports/base.py: initial=2.0, maximum=60.0, multiplier=2.0, deadline=60.0): from 2 s,
    doubling, at most 60 s, for as long as the retry budget lasts, not a number of attempts
    (a per-minute quota refills with time)."""
    fn, calls = flaky([gexc.ResourceExhausted("quota")] * 50)
    with pytest.raises(ApiError, match="RESOURCE_EXHAUSTED"):
        asyncio.run(runner(retry_budget=60).call("secrets", "GetSecretVersion", "v", fn))
    assert len(calls) > MAX_ATTEMPTS and sum(fast_sleep) <= 60
    for n, delay in enumerate(fast_sleep):
        ceiling = min(60.0, 2.0 * 2**n)
        assert ceiling / 2 <= delay <= ceiling, fast_sleep


def test_retry_budget_is_respected() -> None:
    info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=120))
    fn, calls = flaky([gexc.ResourceExhausted("quota", details=[info])])
    with pytest.raises(ApiError, match="RESOURCE_EXHAUSTED"):
        # the retry budget's handling alone (DRIFT_QUOTA_WAIT=0): quota waits are
        # tests/live/test_quota_wait.py's
        run = runner(retry_budget=60, quota_wait=0)
        asyncio.run(run.call("secrets", "GetSecretVersion", "v", fn))
    assert len(calls) == 1


def test_unauthenticated_is_an_auth_error() -> None:
    with pytest.raises(AuthError, match="UNAUTHENTICATED"), api_errors("GetService", "svc"):
        raise gexc.Unauthenticated("bad token")


@pytest.mark.parametrize(
    "error",
    [
        gexc.Unauthenticated("bad token\n::error::FORGED\x1b]0;t\x07"),
        google_auth_error("refresh failed\n::error::FORGED\x1b]0;t\x07"),
    ],
    ids=["server-message", "credentials-message"],
)
def test_an_auth_error_quotes_its_cause_on_one_line(error: Exception) -> None:
    """The server's (or google.auth's) words in an auth error are shown visibly: a line
    break in them never starts a line of drift's error (a CI runner would run `::error`)."""
    failure = translate(error, "GetService", "svc")
    assert isinstance(failure, AuthError)
    assert "\n" not in failure.message and "\x1b" not in failure.message
    assert "\\n::error::FORGED\\x1b]0;t\\x07" in failure.message


def test_server_misbehaviour_is_a_failure_not_a_crash() -> None:
    failure = translate(TypeError("cannot parse"), "GetService", "svc")
    assert failure.status == "INVALID_RESPONSE" and "TypeError" in failure.reason


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


def test_rate_limiter_lets_its_budget_through_at_once_then_paces_by_the_minute() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=5, clock=fake.clock, sleep=fake.sleep)
    granted: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        granted.append(fake.now)

    async def burst() -> None:
        await asyncio.gather(*(one() for _ in range(12)))

    asyncio.run(burst())
    # the budget is the burst; a window after, with a second's slack for the way a call
    # takes to reach the server (`RateLimiter.SLACK`): then the next budget
    assert granted == [0.0] * 5 + [61.0] * 5 + [122.0] * 2
    for start in granted:  # no 60 s window, late by up to the slack, holds more than the budget
        assert sum(start <= t < start + 60 + RateLimiter.SLACK for t in granted) <= 5
    assert limiter.waited == 122.0


def test_rate_limiter_window_slides() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=3, clock=fake.clock, sleep=fake.sleep)

    async def spaced() -> list[float]:
        out = []
        for _ in range(5):
            await limiter.acquire()
            out.append(fake.now)
            fake.now += 10.0
        return out

    # 0, 10, 20 pass; the 4th waits until the first leaves the window (and its slack), the
    # 5th the second
    assert asyncio.run(spaced()) == [0.0, 10.0, 20.0, 61.0, 71.0]


def test_rate_limiter_pause_holds_every_caller() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=100, clock=fake.clock, sleep=fake.sleep)
    limiter.pause(7.0)
    limiter.pause(3.0)  # a shorter pause never cuts a longer one short
    asyncio.run(limiter.resumed())
    assert fake.slept == [7.0] and fake.now == 7.0
    asyncio.run(limiter.resumed())
    assert fake.slept == [7.0]


def test_resource_exhausted_pauses_that_api_only() -> None:
    info = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=7))
    fn, calls = flaky([gexc.ResourceExhausted("quota", details=[info])])
    r = runner(retry_budget=60, quota_wait=0)  # the limiter's pause (no quota wait)
    before = WARP.clock()
    asyncio.run(r.call("secrets", "GetSecretVersion", "v", fn))
    assert len(calls) == 2
    assert before + 7 <= r.limiters["secrets"].resume_at <= WARP.clock()  # waited out
    assert r.limiters["run"].resume_at < 0 and r.limiters["access"].resume_at < 0


def test_each_api_has_its_own_budget() -> None:
    r = runner(run_rpm=900, secrets_rpm=540, access_rpm=81_000)
    assert {api: lim.limit for api, lim in r.limiters.items()} == {
        "run": 900,
        "secrets": 540,
        "access": 81_000,
        "resources": 300,
    }
