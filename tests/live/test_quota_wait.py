"""drift waits out a spent per-minute quota (`drift.live.quota`, DRIFT_QUOTA_WAIT) against the
sandbox's quota model (`drift.sandbox.quotas`): ListServices denied, one GetService per service
over a read quota of 10 a minute, on one warped time for drift and the sandbox (`Synced`), so
minutes of waiting pass at once.

- the server's RetryInfo is honoured when a refusal carries one (the sandbox's `retry_info`),
  else a whole window is waited from the refusal;
- the waiting budget spent: what is still refused is unverified, naming the call, its status
  and DRIFT_QUOTA_WAIT, exit 3; DRIFT_QUOTA_WAIT=0: refusals are retried within the retry
  budget only, as before quota waits;
- a bad DRIFT_QUOTA_WAIT is one usage error, exit 2;
- `fix` reads wait as `check`'s do; its writes keep their own handling (no wait);
- Ctrl-C during a wait ends the run as any interrupt does (real time: the wait is cut)."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2

from benchmarks.world import ENVIRONMENT
from drift.errors import ApiError, AuthError, ExitCode
from drift.live.calls import CallRunner, Limits, translate
from drift.live.clients import make_clients
from drift.live.quota import FRUITLESS, QuotaRefused, QuotaWaits
from drift.progress import ProgressView
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.live.test_quota_sandbox import (
    QUOTA,
    SERVICES,
    Synced,
    _check,
    _world,
    counted,
    fix,
    to_fix,
    world,
)
from tests.reliability.test_interruption import interrupt_when, start

SERVICE = "projects/bench-project/locations/us-central1/services/svc-0000"
__all__ = ["world"]  # the fixture, shared


async def _spend(world: Sandbox, reads: int) -> None:
    clients = make_clients(None)
    try:
        for _ in range(reads):
            await clients.services.get_service(name=SERVICE)
    finally:
        await clients.close()


def _read(world: Sandbox) -> set[str]:
    return {
        c.request.name.rsplit("/", 1)[-1]
        for c in world.calls
        if c.short == "GetService" and c.code == "OK"
    }


@pytest.mark.parametrize("retry_info", [True, False])
def test_a_quota_spent_by_another_client_is_waited_for_as_the_server_says(
    world: Sandbox, tmp_path: Path, retry_info: bool
) -> None:
    """Another client spent the minute's quota 30 s before drift starts: with a RetryInfo
    (the time until the window has room) drift's first wait is those 30 s; without one, a
    whole window from the refusal. Either way every service is read: clean, exit 0."""
    # the sandbox's `retry_info` (`QuotaBook.reset`), set as the scenario option
    # `quota_retry_info` would (the lead's diff: reports/revquota94-retry-info.diff)
    world._core.quotas.reset({"run": QUOTA}, retry_info=retry_info)
    asyncio.run(_spend(world, QUOTA))  # another client's reads
    world.advance(30)
    synced = Synced(world)
    result = _check(world, tmp_path, Limits(quota_wait=3600), synced)
    assert result.report.exit_code is ExitCode.OK, [u.reason for u in result.report.unverified]
    assert _read(world) >= {f"svc-{i:04d}" for i in range(SERVICES)}
    first = synced.slept[0]
    assert (first < 31) if retry_info else (first > 59), synced.slept


def test_past_the_quota_wait_the_reads_still_refused_are_unverified_naming_the_call(
    world: Sandbox, tmp_path: Path
) -> None:
    """DRIFT_QUOTA_WAIT=60: one window is waited for (ten more services read), the next is
    not: what is still unread is unverified with its call, status and the budget; exit 3."""
    result = _check(world, tmp_path, Limits(quota_wait=60))
    report = result.report
    read = _read(world)
    assert QUOTA < len(read) < SERVICES  # it waited once, not twice
    assert report.exit_code is ExitCode.INCOMPLETE
    unread = {f"svc-{i:04d}" for i in range(SERVICES)} - read
    assert unread <= {u.service for u in report.unverified}
    for item in report.unverified:
        assert "GetService" in item.reason and "RESOURCE_EXHAUSTED" in item.reason, item.reason
        assert "DRIFT_QUOTA_WAIT is 60 s" in item.reason, item.reason


def test_a_quota_wait_of_0_retries_within_the_retry_budget_only(
    world: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The behaviour before quota waits: no read waits for the quota; the backoff (2, 4, 8,
    16 s) is over about when the window turns, so what it did not read is unverified:
    exit 3, never clean."""
    result = _check(world, tmp_path, Limits(quota_wait=0))
    assert not [r for r in caplog.records if "quota until" in r.getMessage()]
    unread = {f"svc-{i:04d}" for i in range(SERVICES)} - _read(world)
    assert unread, "the retries read every service: nothing was left to wait for"
    assert result.report.exit_code is ExitCode.INCOMPLETE
    assert unread <= {u.service for u in result.report.unverified}
    for item in result.report.unverified:
        assert "RESOURCE_EXHAUSTED" in item.reason and "DRIFT_QUOTA_WAIT" not in item.reason


def test_the_cli_past_its_quota_wait_names_the_calls_and_what_to_do(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """DRIFT_QUOTA_WAIT=1 (real time): a window is longer than the budget, so none is
    waited for: exit 3, the refused reads named, DRIFT_RUN_RPM as what to do."""
    over = _world(make_sandbox, tmp_path, services=12)
    args = ("check", ENVIRONMENT, "--profiles", str(tmp_path))
    done = drift(*args, env={**over.environ(), "DRIFT_QUOTA_WAIT": "1"})
    out = done.stdout + done.stderr
    assert done.returncode == 3, out
    assert "Traceback" not in out and "not clean" in done.stdout
    assert "GetService projects/bench-project/locations/us-central1/services/" in done.stdout
    assert "RESOURCE_EXHAUSTED" in done.stdout and "DRIFT_QUOTA_WAIT is 1 s" in done.stdout
    assert "DRIFT_RUN_RPM" in out


@pytest.mark.parametrize("value", ["abc", "-1", "25h", "nan"])
def test_a_bad_quota_wait_is_one_usage_error(tmp_path: Path, value: str) -> None:
    done = drift("check", ENVIRONMENT, "--profiles", str(tmp_path), env={"DRIFT_QUOTA_WAIT": value})
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "DRIFT_QUOTA_WAIT" in lines[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_fix_reads_wait_for_the_quota_and_the_fix_completes(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fix` over a read quota of 6 a minute (its reads, its operation's polling and its
    re-check take several windows): each refused read waits for the quota with every other
    read, on the warped time the sandbox shares; the fix is applied, exit 0."""
    sandbox = to_fix(make_sandbox, tmp_path, {"run": 6})
    synced = Synced(sandbox)

    def runner(limits: Limits, **_: object) -> CallRunner:
        return counted(synced, limits)

    monkeypatch.setattr("drift.live.session.CallRunner", runner)
    done = fix(sandbox, tmp_path, DRIFT_QUOTA_WAIT="3600")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    refused = [c.short for c in sandbox.calls if c.code == "RESOURCE_EXHAUSTED"]
    assert refused, "the fix never met the quota"
    assert all(short.startswith(("Get", "List")) for short in refused), refused  # reads only
    container = sandbox.service("bench-project", "svc-0000").template.containers[0]
    assert {e.name: e.value for e in container.env}["PLAIN_VAR_03"] == "fixed"


def test_ctrl_c_while_drift_waits_for_the_quota(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """Real time: drift meets the quota and waits a window; Ctrl-C then ends the run as every
    interrupt of a check does, at once: exit 3, one line, never clean."""
    over = _world(make_sandbox, tmp_path, services=12)
    proc = start(["check", ENVIRONMENT, "--profiles", str(tmp_path)], over.environ(), tmp_path)

    refused: list[float] = []

    def waiting() -> bool:
        """A second after the first refusal: drift is in its wait of a window by then."""
        if not refused and any(c.code == "RESOURCE_EXHAUSTED" for c in over.calls):
            refused.append(time.monotonic())
        return bool(refused) and time.monotonic() > refused[0] + 1

    code, out, err = interrupt_when(proc, waiting)
    assert code == 3, out + err
    assert "interrupted: the check is incomplete" in err
    assert "no drift" not in out and "Traceback" not in out + err


def _refusal(*details: object) -> ApiError | AuthError:
    return translate(gexc.ResourceExhausted("spent", details=list(details)), "GetService", "svc")


def test_only_a_refusal_with_quota_details_is_waited_for() -> None:
    """RESOURCE_EXHAUSTED with a QuotaFailure, or with a RetryInfo, is a quota refusal;
    without either (a message over gRPC's size limit) it is not."""
    delay = duration_pb2.Duration(seconds=7)
    assert isinstance(_refusal(error_details_pb2.QuotaFailure()), QuotaRefused)
    hinted = _refusal(error_details_pb2.RetryInfo(retry_delay=delay))
    assert isinstance(hinted, QuotaRefused)
    assert hinted.retry_after == 7
    assert not isinstance(_refusal(), QuotaRefused)
    blip = translate(gexc.ServiceUnavailable("down"), "GetService", "svc")
    assert not isinstance(blip, QuotaRefused)


def test_a_quota_that_lets_nothing_through_is_waited_for_no_more() -> None:
    """After `FRUITLESS` pauses with no read answered, a refusal is no longer waited for (a
    quota spent for the day): it is retried as any failure. A read answered: it turns."""
    waits = QuotaWaits(budget=3600)
    refusal = QuotaRefused("GetService", "svc", "RESOURCE_EXHAUSTED", "spent", retry_after=1)
    now = 0.0
    for _ in range(FRUITLESS):
        assert waits.wait("run", refusal, now) is True
        now += 1.5
    assert waits.wait("run", refusal, now) is None
    waits.answered("run", "GetService", now)
    assert waits.wait("run", refusal, now) is True


def test_the_progress_line_says_whose_quota_drift_waits_for_and_until_when() -> None:
    runner = CallRunner(Limits())
    refusal = QuotaRefused("GetService", "svc", "RESOURCE_EXHAUSTED", "spent")
    runner.waits.wait("run", refusal, runner.clock())
    said = ProgressView("checking perf", runner, started=0.0).message(1.0)
    assert re.search(r"waiting for the Cloud Run Admin API's quota until \d\d:\d\d:\d\d", said)
