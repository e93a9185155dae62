"""drift near Google's quotas, against the sandbox: a RESOURCE_EXHAUSTED pause holds every call
of that API not yet sent (those already waiting for a slot too); a call waiting for its API's
per-minute budget holds no concurrency slot, so one API's quota never stalls another's calls;
a quota error without RetryInfo is retried as Google's own clients retry it (from 2 s,
doubling, at most 60 s, within the retry budget); an API that keeps refusing ends the run
within about one retry budget, however many calls wait behind it. Waits of minutes pass at
once on a warped clock (`tests.timewarp`), on which the runner tells when each call went out."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TypeVar

import pytest

from benchmarks.bench import ENVIRONMENT, write_profile
from drift.check import CheckResult, run_check
from drift.errors import ApiError
from drift.live.calls import Api, CallRunner, Limits, NotSent
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox, generate
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.live.runners import Attempt, WatchingRunner
from tests.timewarp import Warp

T = TypeVar("T")
SECRETS_API = {"ListSecrets", "GetSecret", "GetSecretVersion", "GetIamPolicy"}


class Recorder(WatchingRunner):
    """Notes when (on the runner's clock) each attempt of each call went out."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits, seed=1)
        self.sent: list[tuple[str, str, float]] = []
        self.apis: dict[str, Api] = {}

    def attempt(self, api: Api, method: str, resource: str, fn: Attempt[T]) -> Attempt[T]:
        async def noted(timeout: float) -> T:
            self.sent.append((method, resource, self.limiters[api].clock()))
            self.apis[method + " " + resource] = api
            return await fn(timeout)

        return noted


def world(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    **shape: int,
) -> Sandbox:
    scenario = generate(**shape)
    sandbox = make_sandbox(scenario)
    write_profile(scenario, tmp_path, value_rules=0)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return sandbox


def check(profiles: Path, runner: CallRunner) -> CheckResult:
    profile = load_profile(profiles, ENVIRONMENT)
    return asyncio.run(run_check(profile, load_settings(profiles_dir=profiles), runner=runner))


def test_a_resource_exhausted_pause_holds_the_calls_already_queued(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RetryInfo: "Clients should wait until `retry_delay` amount of time has passed since
    receiving the error response before retrying" (google/rpc/error_details.proto); the quota
    is the API's, so every call of that API not yet sent waits, including those that were
    already queued for a concurrency slot (at scale: all but DRIFT_CONCURRENCY of them). Real
    time: the sandbox tells when each call arrived."""
    sandbox = world(
        make_sandbox, tmp_path, monkeypatch, services=12, vars=6, secret_refs=3, secrets=30
    )
    sandbox.set_latency(30)
    pause = 0.8
    sandbox.inject(
        Fault("GetSecretVersion", "RESOURCE_EXHAUSTED", first_n=1, retry_delay_ms=int(pause * 1000))
    )
    result = check(tmp_path, CallRunner(Limits(concurrency=2), seed=1))
    assert result.report.status.value == "clean"
    calls = sandbox.calls
    (failed,) = [c for c in calls if c.code == "RESOURCE_EXHAUSTED"]
    answered = failed.at + 0.03  # the injected latency
    during = [
        c.short
        for c in calls
        if c.short in SECRETS_API and answered + 0.1 < c.at < answered + pause - 0.1
    ]
    assert during == [], f"{len(during)} Secret Manager calls went out during the pause"
    assert any(c.short in SECRETS_API and c.at >= answered + pause for c in calls)


def test_a_secret_manager_rate_limit_does_not_hold_the_cloud_run_calls(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each API has its own per-minute budget (`Limits`). With the Secret Manager budget spent
    for the minute, its calls wait for the next one without holding a concurrency slot:
    ListServices, on the untouched Cloud Run budget, goes out at once, not a minute later
    (the run is stopped once it has: the rest would wait for the minute)."""
    world(make_sandbox, tmp_path, monkeypatch, services=6, vars=4, secret_refs=2, secrets=10)
    runner = Recorder(Limits(concurrency=4, secrets_rpm=4))
    profile = load_profile(tmp_path, ENVIRONMENT)

    async def until_listed() -> list[str]:
        run = asyncio.ensure_future(run_check(profile, load_settings(), runner=runner))
        for _ in range(100):  # a second at most
            if any(method == "ListServices" for method, *_ in runner.sent) or run.done():
                break
            await asyncio.sleep(0.01)
        run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await run
        return [method for method, *_ in runner.sent]

    sent = asyncio.run(until_listed())
    assert "ListServices" in sent, f"not sent within a second: {sent}"
    assert sum(runner.apis[c] == "secrets" for c in runner.apis) == 4  # the budget held the rest


def test_resource_exhausted_without_retry_info_backs_off_as_googles_clients_do(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quota error ("Quota exceeded for quota metric 'Read requests' and limit 'Read
    requests per minute'") need not carry RetryInfo; the quota is per minute. Google's
    generated client retries RESOURCE_EXHAUSTED on AccessSecretVersion from 2 s, doubling, up
    to 60 s, within 60 s (google-cloud-secret-manager transports/base.py default_retry:
    initial=2.0, maximum=60.0, multiplier=2.0, deadline=60.0); drift does the same within its
    retry budget (60 s): a version refused 5 times in a row is read on the 6th attempt."""
    sandbox = world(
        make_sandbox, tmp_path, monkeypatch, services=12, vars=6, secret_refs=3, secrets=30
    )
    target = "secret-0000/versions/latest"
    sandbox.inject(
        Fault(method="GetSecretVersion", code="RESOURCE_EXHAUSTED", first_n=5, match=target)
    )
    warp = Warp()
    runner = Recorder(Limits())
    warp.install(runner)
    result = check(tmp_path, runner)
    tries = [at for m, r, at in runner.sent if m == "GetSecretVersion" and r.endswith(target)]
    assert result.report.status.value == "clean", [u.reason for u in result.report.unverified]
    assert len(tries) == 6
    gaps = [b - a for a, b in zip(tries, tries[1:], strict=False)]
    for n, gap in enumerate(gaps):
        ceiling = 2.0 * 2**n  # 2, 4, 8, 16, 32 s; drift waits between half of it and all
        assert ceiling / 2 <= gap <= ceiling + 0.5, gaps


def test_a_quota_that_stays_exhausted_ends_the_run_within_about_one_retry_budget(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quota spent for the day (or a project over its limit): every GetSecretVersion is
    RESOURCE_EXHAUSTED. The budget ("the total time retries may take") runs from the API's
    first refusal for every call of the API, not from each call's own: the calls held by the
    pauses had not failed yet, and with a budget each, 600 secrets at 64 at a time took 358 s
    (revown8 3). Past the budget, the calls not yet sent are not sent, and each is reported
    unverified, naming itself and the status."""
    sandbox = world(
        make_sandbox, tmp_path, monkeypatch, services=200, vars=4, secret_refs=3, secrets=600
    )
    sandbox.inject(Fault(method="GetSecretVersion", code="RESOURCE_EXHAUSTED"))
    runner = Recorder(Limits(retry_budget=60.0))
    Warp().install(runner)
    report = check(tmp_path, runner).report
    times = [at for *_, at in runner.sent]
    assert max(times) - min(times) <= 1.25 * 60.0
    assert report.status.value == "incomplete"
    tries = sum(method == "GetSecretVersion" for method, *_ in runner.sent)
    assert tries < 600, "each call went out at least once"
    assert len(report.unverified) > 300  # the secrets the 200 services refer to
    for item in report.unverified:
        name = item.target.removeprefix("secret.")
        assert f"GetSecretVersion projects/bench-project/secrets/{name}/versions/" in item.reason
        assert "RESOURCE_EXHAUSTED" in item.reason


def test_an_api_given_up_on_is_tried_again_one_budget_later() -> None:
    """Given up on, a method's calls are not sent (the status and its last answer say why),
    other methods' and other APIs' are; a later phase of the run (`fix` after its prompt)
    tries it again, and one answer ends the run of failures."""
    warp = Warp()
    runner = warp.install(CallRunner(Limits(retry_budget=10.0), seed=1))
    refusing, sent = True, []

    async def read(timeout: float) -> str:
        sent.append(warp.clock())
        if refusing:
            raise ApiError("GetSecretVersion", "v1", "RESOURCE_EXHAUSTED", "Quota exceeded")
        return "ok"

    async def run() -> None:
        nonlocal refusing
        with pytest.raises(ApiError) as first:
            await runner.call("secrets", "GetSecretVersion", "v1", read)
        assert not isinstance(first.value, NotSent) and len(sent) > 1
        tried = len(sent)
        with pytest.raises(NotSent) as unsent:
            await runner.call("secrets", "GetSecretVersion", "v2", read)
        assert len(sent) == tried
        assert unsent.value.reason.startswith("GetSecretVersion v2: RESOURCE_EXHAUSTED: not sent")
        assert "Quota exceeded" in unsent.value.reason
        refusing = False
        assert await runner.call("run", "GetService", "api", read) == "ok"
        assert await runner.call("secrets", "GetSecret", "s2", read) == "ok"  # another method
        with pytest.raises(NotSent):
            await runner.call("secrets", "GetSecretVersion", "v2", read)
        await warp.sleep(10.5)
        assert await runner.call("secrets", "GetSecretVersion", "v3", read) == "ok"
        refusing = True  # a write is always sent, each on a budget of its own
        for _ in range(2):
            with pytest.raises(ApiError) as write:
                await runner.call("run", "UpdateService", "api", read)
            assert not isinstance(write.value, NotSent)
        assert runner.outages.failing == {} and runner.outages.given_up == {}

    asyncio.run(run())
