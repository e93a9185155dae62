"""helper-601 F2: a signal (Ctrl-C, SIGTERM, SIGHUP) while the promotion's write is in flight
stopped the fix at once — no read back, no cleanup, exit 4 "nothing changed" either way: the
canary's trap (traffic pinned by name, the canary tagged) left when the promotion had not
landed, the lock and a `promoting` entry left when it had. One read of the service now says
which: landed, the fix is complete (recorded promoted, lock released, the re-check's exit);
not landed, cleaned up as at the promotion prompt (SPEC invariant 9, exit 4); not to be told,
the fix stops as before, its lock kept — exit 3, as an interrupted update in place (a write
sent, its outcome unknown)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.test_interruption import FIX_WEB, fix_web, interrupt_when

PROJECT = "acme-chat-staging"


def updates(sandbox: Sandbox) -> list[object]:
    return [c for c in sandbox.calls if c.short == "UpdateService"]


def at_the_promotion(
    sandbox: Sandbox, tmp_path: Path, promotion: Fault
) -> tuple[object, dict[str, str]]:
    """`drift fix e2e --yes -s web` started, `promotion` injected for its second UpdateService
    (the canary's operation slowed meanwhile, so that it applies to no other), and the
    promotion sent: the process and its environment."""
    sandbox.inject(Fault("GetOperation", None, latency_ms=1500, first_n=1))  # the canary's
    proc, env = fix_web(sandbox, tmp_path)
    deadline = time.monotonic() + 60
    while not updates(sandbox):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    sandbox.inject(promotion)
    while len(updates(sandbox)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    return proc, env


def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / ".drift" / "journal")


def locks(tmp_path: Path) -> list[Path]:
    return list((journal(tmp_path).directory / "locks").glob("*.lock"))


@pytest.mark.parametrize(
    "sent", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_a_promotion_that_landed_completes_the_fix(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    promotion = Fault("UpdateService", None, after=True, latency_ms=60_000, first_n=1)
    proc, env = at_the_promotion(sandbox, tmp_path, promotion)
    time.sleep(0.3)  # carried out, its answer delayed
    code, out, err = interrupt_when(proc, lambda: True, sent)
    said = out + err
    (entry,) = journal(tmp_path).entries()
    assert code == 0, said  # the re-check's: web is clean (it was 4, "it may serve")
    assert "the promotion had landed: traffic moved to " in said, said
    assert "the fix is complete" in said and "drift keeps its lock" not in said, said
    assert entry.state == State.PROMOTED
    assert locks(tmp_path) == []
    served = sandbox.service(PROJECT, "web").traffic_statuses
    assert [s.revision for s in served if s.percent] == [entry.canary_revision]
    again = drift(*FIX_WEB, env=env, cwd=tmp_path)
    assert again.returncode == 0 and "nothing to patch" in again.stdout, again.stdout


def test_a_promotion_still_rolling_out_completes_the_fix(sandbox: Sandbox, tmp_path: Path) -> None:
    """The promotion accepted and its operation running (helper-601 F1's realistic case):
    its spec is drift's, so the fix is complete; the re-check waits for it to settle."""
    sandbox.inject(Fault("GetOperation", None, latency_ms=1500, first_n=1))  # the canary's
    proc, env = fix_web(sandbox, tmp_path)
    deadline = time.monotonic() + 60
    while not updates(sandbox):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    sandbox.hold_deploys(True)  # from the promotion on: it reconciles until finished
    while len(updates(sandbox)) < 2 or not sandbox.service(PROJECT, "web").reconciling:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    while journal(tmp_path).entries()[0].state != State.PROMOTED:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    sandbox.hold_deploys(False)
    sandbox.finish_deploy(PROJECT, "web")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert "the promotion had landed" in out + err and locks(tmp_path) == [], out + err


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_promotion_that_did_not_land_is_cleaned_up(
    sandbox: Sandbox, tmp_path: Path, sent: signal.Signals
) -> None:
    before = sandbox.service(PROJECT, "web")
    promotion = Fault("UpdateService", None, latency_ms=60_000, first_n=1)  # never carried out
    proc, _ = at_the_promotion(sandbox, tmp_path, promotion)
    code, out, err = interrupt_when(proc, lambda: True, sent)
    said = out + err
    (entry,) = journal(tmp_path).entries()
    assert code == 4, said
    assert "the promotion had not landed; cleaned up: the canary's tag is removed" in said, said
    assert entry.state == State.CLEANED_UP
    assert locks(tmp_path) == []
    after = sandbox.service(PROJECT, "web")
    assert [(t.type_, t.percent, t.tag) for t in after.traffic] == [
        (t.type_, t.percent, t.tag) for t in before.traffic
    ]  # LATEST restored, the tag gone: no trap for the next deploy (it was pinned by name)


def test_a_promotion_whose_outcome_cannot_be_read_keeps_the_lock_exit_3(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    promotion = Fault("UpdateService", None, latency_ms=60_000, first_n=1)
    proc, _ = at_the_promotion(sandbox, tmp_path, promotion)
    sandbox.inject(Fault("GetService", "PERMISSION_DENIED"))  # the read back fails
    code, out, err = interrupt_when(proc, lambda: True, signal.SIGINT)
    (entry,) = journal(tmp_path).entries()
    assert code == 3, out + err  # a write sent, its outcome unknown: as an update in place's
    line = err.strip().splitlines()[-1]
    assert f"traffic was being moved to the canary {entry.canary_revision} (it may serve)" in line
    assert "drift keeps its lock" in line, err
    assert entry.state == State.PROMOTING and len(locks(tmp_path)) == 2


def test_a_second_signal_during_the_read_back_stops_at_once_exit_3(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    promotion = Fault("UpdateService", None, latency_ms=60_000, first_n=1)
    proc, _ = at_the_promotion(sandbox, tmp_path, promotion)
    sandbox.inject(Fault("GetService", None, latency_ms=60_000))  # the read back hangs
    seen = len(sandbox.calls)
    proc.send_signal(signal.SIGINT)
    reading = lambda: any(c.short == "GetService" for c in sandbox.calls[seen:])  # noqa: E731
    code, out, err = interrupt_when(proc, reading, signal.SIGINT)
    (entry,) = journal(tmp_path).entries()
    assert code == 3, out + err
    assert "reading whether it landed (Ctrl-C again stops this)" in out + err, out + err
    line = err.strip().splitlines()[-1]
    assert "(it may serve)" in line and "drift keeps its lock" in line, err
    assert entry.state == State.PROMOTING and len(locks(tmp_path)) == 2
