"""`drift check` against a sandbox that enforces Cloud Run's per-minute read quota (option
`quotas`, refused as Google refuses: RESOURCE_EXHAUSTED, ErrorInfo RATE_LIMIT_EXCEEDED,
QuotaFailure, no RetryInfo). ListServices is denied, so drift reads each of the 30 services
with GetService against a quota of 10 a minute. drift's waits and the sandbox's minute pass
on one warped time (`Synced`): minutes of waiting pass at once, and the sandbox's quota
refills exactly as drift's clock says a minute went by.

- DRIFT_RUN_RPM below the quota: drift paces its calls, the sandbox refuses none, the check
  completes clean;
- DRIFT_RUN_RPM unset (900, above this quota): drift meets the quota; whatever it cannot read
  within its retry budget is unverified, named with the API call and its status, and the check
  is incomplete (exit 3), never clean, never an exception."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from typing import TypeVar

import pytest

from benchmarks.world import ENVIRONMENT, write_profile
from drift.check import CheckResult, run_check
from drift.errors import ExitCode
from drift.live.calls import Api, CallRunner, Limits, RateLimiter
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox, generate
from drift.settings import load_settings
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.live.runners import Attempt, WatchingRunner
from tests.timewarp import Warp

T = TypeVar("T")
SERVICES = 30
QUOTA = 10


class Synced(Warp):
    """A warp whose waits move the sandbox's clock by as much: one time for both sides. Time
    moves only when no call is on its way (`Counting`): a call sent before a minute went by
    reaches the sandbox before it, as it would in real time."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.in_flight = 0

    async def sleep(self, seconds: float) -> None:
        """As `Warp.sleep`, the sandbox moved first: no call goes out on the new time before
        the sandbox is there too."""
        self.slept.append(seconds)
        # the time it wakes at is the time it fell asleep plus `seconds`, whatever it waited
        # for meanwhile: sleepers of one pause wake together, as in real time, not one window
        # after another (each reading the clock the previous one moved)
        wake = self.clock() + max(seconds, 0.0)
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:
            while self.in_flight and time.monotonic() < give_up:
                await asyncio.sleep(0.001)
            # an answer is in once its caller has acted on it: `asyncio.wait_for` runs the
            # attempt as a task of its own, whose caller resumes a few turns of the loop after
            # it ended (a refusal taken in after the clock moved would be one of a later minute)
            for _ in range(8):
                await asyncio.sleep(0)
            if not self.in_flight:
                break
        offset = max(self.offset, wake - time.monotonic())
        if offset > self.offset:
            self.sandbox.advance(offset - self.offset)
            self.offset = offset
        await asyncio.sleep(0)


class Counting(WatchingRunner):
    """Tells its `Synced` time how many calls are on their way."""

    def __init__(self, limits: Limits, time: Synced) -> None:
        super().__init__(limits, seed=1)
        self.time = time

    def take_counted(self, limiter: RateLimiter) -> None:
        """A call is on its way from the moment it takes its turn."""
        take = limiter.take

        def counted() -> bool:
            taken = take()
            self.time.in_flight += taken
            return taken

        limiter.take = counted  # type: ignore[method-assign]

    def attempt(self, api: Api, method: str, resource: str, fn: Attempt[T]) -> Attempt[T]:
        async def counted(timeout: float) -> T:
            try:
                return await fn(timeout)
            finally:
                self.time.in_flight -= 1

        return counted


def _world(make_sandbox: MakeSandbox, tmp_path: Path, services: int = SERVICES) -> Sandbox:
    scenario = generate(services=services, vars=2, secret_refs=0, secrets=0)
    options = scenario.options.model_copy(update={"quotas": {"run": QUOTA}})
    scenario = scenario.model_copy(update={"options": options})
    sandbox = make_sandbox(scenario)
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_profile(scenario, tmp_path, value_rules=0)
    sandbox.inject(Fault("ListServices", "PERMISSION_DENIED"))  # one GetService per service
    return sandbox


def counted(synced: Synced, limits: Limits) -> CallRunner:
    """A runner on `synced` time, each of its calls on its way from the moment it takes its
    turn (`Counting`)."""
    runner = synced.install(Counting(limits, synced))
    for limiter in runner.limiters.values():
        runner.take_counted(limiter)
    return runner


def to_fix(make_sandbox: MakeSandbox, profiles: Path, quotas: dict[str, int]) -> Sandbox:
    """Two services under `quotas`, and a profile in `profiles` with one variable for `fix`
    to change (PLAIN_VAR_03 of each)."""
    scenario = generate(services=2, vars=4, secret_refs=0, secrets=0)
    options = scenario.options.model_copy(update={"quotas": quotas})
    sandbox = make_sandbox(scenario.model_copy(update={"options": options}))
    profile = write_profile(scenario, profiles, value_rules=0)
    text = profile.read_text()
    profile.write_text(text.replace('PLAIN_VAR_03: "value-0-3"', 'PLAIN_VAR_03: "fixed"'))
    return sandbox


def fix(sandbox: Sandbox, profiles: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`drift fix --yes` of the profile in `profiles`, its journal beside it, with `env`."""
    return drift(
        "fix", ENVIRONMENT, "--profiles", str(profiles), "--yes",
        "--journal", str(profiles / "journal"), env={**sandbox.environ(), **env},
    )  # fmt: skip


def _check(
    sandbox: Sandbox, profiles: Path, limits: Limits, synced: Synced | None = None
) -> CheckResult:
    runner = counted(synced if synced is not None else Synced(sandbox), limits)
    profile = load_profile(profiles, ENVIRONMENT)
    return asyncio.run(run_check(profile, load_settings(profiles_dir=profiles), runner=runner))


@pytest.fixture
def world(make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox = _world(make_sandbox, tmp_path)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return sandbox


@pytest.mark.timeout(30)  # the minutes of pacing pass on the sandbox's warp, not the clock
def test_a_run_rpm_below_the_quota_completes_without_a_refusal(
    world: Sandbox, tmp_path: Path
) -> None:
    result = _check(world, tmp_path, Limits(run_rpm=QUOTA - 2))
    refused = [c.short for c in world.calls if c.code == "RESOURCE_EXHAUSTED"]
    assert refused == []
    assert result.report.exit_code is ExitCode.OK, [u.reason for u in result.report.unverified]
    gets = [c for c in world.calls if c.short == "GetService" and c.code == "OK"]
    assert len(gets) == SERVICES


def test_past_the_quota_what_was_refused_is_unverified_never_clean(
    world: Sandbox, tmp_path: Path
) -> None:
    result = _check(world, tmp_path, Limits())  # run_rpm 900: far above this project's quota
    report = result.report
    refused = [c for c in world.calls if c.code == "RESOURCE_EXHAUSTED"]
    assert refused, "drift never met the quota"
    read = {
        c.request.name.rsplit("/", 1)[-1]
        for c in world.calls
        if c.short == "GetService" and c.code == "OK"
    }
    unread = {f"svc-{i:04d}" for i in range(SERVICES)} - read
    if unread:
        assert report.exit_code is ExitCode.INCOMPLETE
        named = {u.service for u in report.unverified}
        assert unread <= named, (unread, named)
        for item in report.unverified:
            assert "GetService" in item.reason and "RESOURCE_EXHAUSTED" in item.reason, item.reason
    else:
        assert report.exit_code is ExitCode.OK


def test_past_the_quota_drift_waits_for_the_minute_and_completes(
    world: Sandbox, tmp_path: Path
) -> None:
    result = _check(world, tmp_path, Limits())
    assert result.report.exit_code is ExitCode.OK, [u.reason for u in result.report.unverified]


def test_the_cli_names_the_quota_and_what_to_do_and_a_lower_rpm_meets_none(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """As users run it (real time, so a few services): 12 GetService and a ListServices over a
    quota of 10 with DRIFT_RUN_RPM unset: exit 3, the refused reads named with their call
    and status, the hint to lower DRIFT_RUN_RPM, no traceback; DRIFT_RUN_RPM=8 over 6 services
    (7 calls): clean, the sandbox refused none."""
    over = _world(make_sandbox, tmp_path / "over", services=12)
    args = ("check", ENVIRONMENT, "--profiles", str(tmp_path / "over"))
    quota_wait = {"DRIFT_QUOTA_WAIT": "0"}  # the retry budget alone, as before quota waits
    done = drift(*args, env={**over.environ(), "DRIFT_RETRY_BUDGET": "3", **quota_wait})
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "GetService projects/bench-project/locations/us-central1/services/" in done.stdout
    assert "RESOURCE_EXHAUSTED: " in done.stdout and "Quota exceeded" in done.stdout
    assert "DRIFT_RUN_RPM" in done.stdout + done.stderr
    assert "not clean" in done.stdout
    paced = _world(make_sandbox, tmp_path / "paced", services=6)
    args = ("check", ENVIRONMENT, "--profiles", str(tmp_path / "paced"))
    done = drift(*args, env={**paced.environ(), "DRIFT_RUN_RPM": str(QUOTA - 2)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert [c.short for c in paced.calls if c.code == "RESOURCE_EXHAUSTED"] == []


@pytest.mark.parametrize("writes", [0, 1])
def test_a_fix_past_the_write_quota_says_what_serves_and_changes_nothing_it_does_not_say(
    make_sandbox: MakeSandbox, tmp_path: Path, writes: int
) -> None:
    """Cloud Run's write quota (`run_writes`) spent: with none left the canary is refused and
    nothing changed; with one, the canary is made but moving traffic (and removing it) is
    refused: traffic stays where it was, and drift says so, naming what serves and the
    rollback to run. Exit 4 (aborted safely) either way, never a traceback."""
    sandbox = to_fix(make_sandbox, tmp_path, {"run_writes": writes})
    before = sandbox.service("bench-project", "svc-0000").traffic_statuses
    done = fix(sandbox, tmp_path, DRIFT_RETRY_BUDGET="2")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert "Traceback" not in out
    assert "RESOURCE_EXHAUSTED" in out and "Write requests" in out
    after = sandbox.service("bench-project", "svc-0000").traffic_statuses
    assert [(t.revision, t.percent) for t in after if t.percent] == [
        (t.revision, t.percent) for t in before if t.percent
    ]
    if writes == 0:
        assert "nothing was changed" in out
    else:
        assert "what serves: svc-0000-00002-" in out and "drift rollback" in out
