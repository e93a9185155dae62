"""The reader against the sandbox: calls equal the lower bound, secret lookups start before the
services are listed, DRIFT_CONCURRENCY bounds the calls in flight, RESOURCE_EXHAUSTED is
retried after a pause."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest

from benchmarks.bench import ENVIRONMENT, lower_bound, write_profile
from drift.check import CheckResult, run_check
from drift.live.calls import Api, CallRunner, Limits
from drift.live.changeids import canaries
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox, generate
from drift.settings import load_settings
from tests.live.runners import Attempt, WatchingRunner

T = TypeVar("T")
SCENARIO = {"services": 12, "vars": 6, "secret_refs": 3, "secrets": 7}


class CountingRunner(WatchingRunner):
    """Counts the calls really in flight (inside the semaphore, waiting for an answer)."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits, seed=1)
        self.in_flight = 0
        self.peak = 0

    def attempt(self, api: Api, method: str, resource: str, fn: Attempt[T]) -> Attempt[T]:
        async def counted(timeout: float) -> T:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                return await fn(timeout)
            finally:
                self.in_flight -= 1

        return counted


@pytest.fixture
def bench_world(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, Path]:
    scenario = generate(**SCENARIO)
    sandbox = make_sandbox(scenario)
    write_profile(scenario, tmp_path, value_rules=3)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return sandbox, tmp_path


def check(profiles: Path, runner: CallRunner | None = None) -> CheckResult:
    profile = load_profile(profiles, ENVIRONMENT)
    return asyncio.run(run_check(profile, load_settings(profiles_dir=profiles), runner=runner))


def arrivals(sandbox: Sandbox, method: str) -> list[float]:
    return [c.at for c in sandbox.calls if c.short == method]


def test_calls_equal_the_lower_bound(bench_world: tuple[Sandbox, Path]) -> None:
    sandbox, profiles = bench_world
    result = check(profiles)
    assert result.report.status.value == "clean" and not result.report.findings
    bound = lower_bound(sandbox, load_profile(profiles, ENVIRONMENT))
    assert sandbox.call_counts() == bound.calls
    assert bound.calls["AccessSecretVersion"] == 3  # the min_length rules read values
    assert bound.calls["GetSecretVersion"] == 7 and bound.calls["GetRevision"] == 0
    asked = [c.request.name for c in sandbox.calls if c.short == "GetSecretVersion"]
    assert len(asked) == len(set(asked))  # each distinct version once


def test_secret_lookups_start_before_the_services_are_listed(
    bench_world: tuple[Sandbox, Path],
) -> None:
    sandbox, profiles = bench_world
    # Long enough for the 100 secret lookups to go out on a loaded machine (at 0.5 s, the
    # last of them once arrived 0.18 s after the answer, with the suite's four workers)
    slow = 2.0
    sandbox.inject(Fault(method="ListServices", code=None, latency_ms=slow * 1000))
    check(profiles)
    (listed,) = arrivals(sandbox, "ListServices")
    answered = listed + slow  # no answer can come before the injected latency has passed
    # ListSecrets and the profile's secret versions went out while ListServices was pending
    assert max(arrivals(sandbox, "ListSecrets")) < answered
    assert max(arrivals(sandbox, "GetSecretVersion")) < answered
    # values depend on the live references, so they wait for the services
    assert min(arrivals(sandbox, "AccessSecretVersion")) >= answered


def test_drift_concurrency_bounds_the_calls_in_flight(
    bench_world: tuple[Sandbox, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, profiles = bench_world
    sandbox.set_latency(20)
    monkeypatch.setenv("DRIFT_CONCURRENCY", "3")
    runner = CountingRunner(load_settings(profiles_dir=profiles).access().limits)
    check(profiles, runner)
    assert runner.limits.concurrency == 3
    assert runner.peak == 3  # reached, never exceeded
    assert runner.counts.total() == sandbox.call_counts().total() > 3


def test_resource_exhausted_is_retried_after_the_hinted_delay(
    bench_world: tuple[Sandbox, Path],
) -> None:
    sandbox, profiles = bench_world
    sandbox.inject(
        Fault(method="GetSecretVersion", code="RESOURCE_EXHAUSTED", first_n=1, retry_delay_ms=500)
    )
    runner = CallRunner(load_settings(profiles_dir=profiles).access().limits, seed=1)
    result = check(profiles, runner)
    assert result.report.status.value == "clean"
    assert runner.retries == {"GetSecretVersion": 1}
    codes: dict[str, Any] = {}
    for call in sandbox.calls:
        if call.short == "GetSecretVersion":
            codes.setdefault(call.request.name, []).append(call.code)
    retried = [name for name, got in codes.items() if got == ["RESOURCE_EXHAUSTED", "OK"]]
    assert len(retried) == 1
    first, second = (
        c.at
        for c in sandbox.calls
        if c.short == "GetSecretVersion" and c.request.name == retried[0]
    )
    assert second - first >= 0.5  # the server's RetryInfo, not the shorter backoff (≤ 0.2 s)


def test_a_canary_is_a_revision_of_a_change_in_progress() -> None:
    """Tagged `drift-CHANGE`: a canary (deployed, ready, pinned); the latest created revision
    named SERVICE-drift-CHANGE serving nothing: a canary (its deploy failed untagged); the
    same revision serving untagged: a promoted fix, the serving revision and no canary."""
    change = "20261129-182232-ec43"
    canary = f"web-drift-{change}"

    def status(revision: str, percent: int, tag: str = "") -> Any:
        return SimpleNamespace(
            revision=f"projects/p/revisions/{revision}", percent=percent, tag=tag
        )

    tagged = [status("web-00002", 100), status(canary, 0, f"drift-{change}")]
    assert canaries("web", tagged, canary) == {canary: change}
    assert canaries("web", [status("web-00002", 100)], canary) == {canary: change}
    promoted = [status(canary, 90), status("web-00001", 10)]
    assert canaries("web", promoted, canary) == {}
    assert canaries("web", [status("web-00002", 100, "drift-e2e")], "web-00002") == {}
    # revown67 F2: untagged by drift, its restoration failed (the latest created): the latest
    # ready revision, serving nothing while the traffic is pinned by name
    assert canaries("web", [status("web-00001", 100)], "web-00003", canary) == {canary: change}
    assert canaries("web", promoted, "web-00003", canary) == {}


def test_the_template_secrets_do_not_wait_for_a_tagged_revision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """real-shapes: chat serves its template (LATEST), which mounts tls-cert version 2, and
    tags chat-00002-def, fetched with GetRevision. The template's secrets need no GetRevision:
    that one is answered no sooner than HOLD after it arrives, so a secret read that waited
    for it would arrive HOLD or more after it (causality, not a timing target)."""
    from tests.live.shapes import PROFILES, SHAPES, resource, run

    hold = 3.0
    with Sandbox(SHAPES) as sandbox:
        sandbox.inject(Fault("GetRevision", None, latency_ms=hold * 1000, match="chat-00002"))
        run(sandbox, monkeypatch, PROFILES, "chat")
        calls = list(sandbox.calls)
    tls = "projects/acme-prod/secrets/tls-cert/versions/2"
    [revision] = [c.at for c in calls if c.short == "GetRevision" and "chat-00002" in resource(c)]
    [secret] = [c.at for c in calls if c.short == "GetSecretVersion" and resource(c) == tls]
    assert secret - revision < hold


def test_a_lists_workloads_are_described_one_a_turn(
    bench_world: tuple[Sandbox, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Describing a workload is CPU, and a List's are ready all at once: described in one go,
    the answers that came meanwhile waited for the last of them (and so did the calls waiting
    for their concurrency slots), 0.15 s of 200 services. One a turn of the event loop, what
    else is ready runs between them: a task ticking once a turn sees each at its own tick."""
    from drift.live.resolve import SecretChecks

    _, profiles = bench_world
    turn = 0
    seen: list[int] = []
    described = SecretChecks.described

    def noted(self: SecretChecks, *args: Any) -> None:
        seen.append(turn)
        described(self, *args)

    monkeypatch.setattr(SecretChecks, "described", noted)

    async def ticking() -> CheckResult:
        async def tick() -> None:
            nonlocal turn
            while True:
                await asyncio.sleep(0)
                turn += 1

        ticker = asyncio.ensure_future(tick())
        try:
            profile = load_profile(profiles, ENVIRONMENT)
            return await run_check(profile, load_settings(profiles_dir=profiles))
        finally:
            ticker.cancel()

    result = asyncio.run(ticking())
    assert result.report.status.value == "clean"
    assert len(seen) == SCENARIO["services"]
    assert len(set(seen)) == len(seen), seen  # before: all 12 at one tick


def test_a_caller_cancelled_while_it_waits_passes_its_turn() -> None:
    """A read abandoned (`Tasks.discard`) cancels describes waiting for their turn: the ones
    behind them still get theirs, in order (a turn given to a cancelled caller would leave
    them waiting for ever)."""
    from drift.live.turns import Turns

    async def taken() -> list[int]:
        turns, order = Turns(), []

        async def one(i: int) -> None:
            await turns.take()
            order.append(i)

        tasks = [asyncio.ensure_future(one(i)) for i in range(4)]
        await asyncio.sleep(0)  # all four waiting
        tasks[1].cancel()
        tasks[2].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return order

    assert asyncio.run(taken()) == [0, 3]
