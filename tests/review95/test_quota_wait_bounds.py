"""Quota waits (`drift.live.quota`, DRIFT_QUOTA_WAIT) as an operator relies on them: the
pauses of a run add up to at most the budget (README: "The pauses of a run add up to at most
`DRIFT_QUOTA_WAIT`"), whichever API's quota they wait for and whatever reads answer during
them; a pause spends none of a call's attempts at its transient failures; and once the budget
is spent, the polling of a write's operation (`GetOperation`, which `fix` must see through)
keeps the retries it had before quota waits (within DRIFT_RETRY_BUDGET)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from drift.errors import ApiError
from drift.live.calls import MAX_ATTEMPTS, Limits
from drift.live.quota import WINDOW, QuotaRefused, QuotaWaits
from tests.timewarp import warped


def _refused(method: str = "GetService", retry_after: float | None = None) -> QuotaRefused:
    return QuotaRefused(method, "svc", "RESOURCE_EXHAUSTED", "spent", retry_after=retry_after)


def _answers(*failures: ApiError) -> tuple[Callable[[float], Any], list[int]]:
    """A call's function: each failure in turn, then an answer."""
    left, calls = list(failures), []

    async def fn(timeout: float) -> str:
        calls.append(1)
        if left:
            raise left.pop(0)
        return "ok"

    return fn, calls


def test_a_read_answered_during_a_pause_stretches_it_no_further_than_the_budget() -> None:
    """A read sent before the refusal and answered during a pause with no RetryInfo stretches
    the pause to a window after it (a window that slides): never past DRIFT_QUOTA_WAIT."""
    waits = QuotaWaits(budget=WINDOW)
    assert waits.wait("run", _refused(), 0.0) is True  # the whole budget: one window
    waits.answered("run", "GetService", 20.0)
    assert waits.waited <= waits.budget, waits.waited
    assert 20.0 + waits.holding("run", 20.0) <= waits.budget  # held until 60 at most


def test_the_pauses_of_every_api_add_up_to_the_budget() -> None:
    """One window of the Cloud Run Admin API's quota, then one of Secret Manager's, with a
    budget of one window: the second is past the run's budget, the reads it refused fail."""
    waits = QuotaWaits(budget=WINDOW)
    assert waits.wait("run", _refused(), 0.0) is True
    assert waits.wait("secrets", _refused("GetSecret"), 100.0) is False


def test_pauses_of_two_apis_at_one_time_are_counted_once() -> None:
    """Two quotas paused over the same minute hold the run for that minute, not two."""
    waits = QuotaWaits(budget=2 * WINDOW)
    assert waits.wait("run", _refused(), 0.0) is True
    assert waits.wait("secrets", _refused("GetSecret"), 1.0) is True
    assert waits.wait("run", _refused(), 60.0) is True  # 0 to 120 s: the run held 120 s
    assert waits.wait("run", _refused(), 130.0) is False


def test_a_pause_spends_none_of_the_calls_attempts_at_a_transient_failure() -> None:
    """Two quota pauses, then UNAVAILABLE as often as a call without pauses may meet it and
    still be answered (MAX_ATTEMPTS - 1 times): answered."""
    runner = warped(Limits(), seed=1)
    blips = [ApiError("GetService", "svc", "UNAVAILABLE", "blip")] * (MAX_ATTEMPTS - 1)
    fn, calls = _answers(_refused(retry_after=1), _refused(retry_after=1), *blips)
    assert asyncio.run(runner.call("run", "GetService", "svc", fn)) == "ok"
    assert len(calls) == 2 + MAX_ATTEMPTS


def test_a_writes_operation_is_still_polled_once_the_quota_wait_is_spent() -> None:
    """The run waited all of DRIFT_QUOTA_WAIT; then a GetOperation of a write refused once
    for the quota is retried (within the retry budget), as before quota waits: `fix` sees
    its write through rather than calling its outcome unknown."""
    runner = warped(Limits(quota_wait=WINDOW), seed=1)
    spend, _ = _answers(_refused(), _refused())
    try:
        asyncio.run(runner.call("run", "GetService", "svc", spend))
    except ApiError as exc:
        assert "DRIFT_QUOTA_WAIT" in exc.detail, exc.detail
    else:
        raise AssertionError("the quota wait was not spent")
    poll, calls = _answers(_refused("GetOperation"))
    assert asyncio.run(runner.call("run", "GetOperation", "op", poll)) == "ok"
    assert len(calls) == 2
