"""helper-601 F2: a signal (Ctrl-C, SIGTERM, SIGHUP) while the promotion's write is in flight
stopped the fix at once — no read back, no cleanup, exit 4 "nothing changed" either way: the
canary's trap (traffic pinned by name, the canary tagged) left when the promotion had not
landed, the lock and a `promoting` entry left when it had. One read of the service now says
whether it landed: landed, the fix is complete (recorded promoted, lock released, the
re-check's exit); anything else — not applied yet, not to be read — stops the fix at once,
its lock kept and its entry `promoting`: exit 3, "the promotion was being sent (it may have
landed)", as an interrupted update in place. A server may go on processing a call whose
caller cancelled it ("the application-provided server handler may be busy processing the
request. The gRPC library in general does not have a mechanism to interrupt the
application-provided server handler", https://grpc.io/docs/guides/cancellation/): for a while
a read finding it not applied cleaned up at once (exit 4, lock released) and the promotion
could land after it (helper-678, as helper-669 F2 for an update in place)."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import drift.sandbox.rpc as rpc
from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.test_interruption import FIX_WEB, fix_web, interrupt_when

PROJECT = "acme-chat-staging"


def updates(sandbox: Sandbox) -> list[object]:
    return [c for c in sandbox.calls if c.short == "UpdateService"]


def at_the_canary(sandbox: Sandbox, tmp_path: Path) -> tuple[Any, dict[str, str], float]:
    """`drift fix e2e --yes -s web` started, the canary's operation slowed (so that a fault
    injected now applies to no other), and the canary's UpdateService sent: the process, its
    environment, and the deadline (a minute on) of the waits that follow."""
    sandbox.inject(Fault("GetOperation", None, latency_ms=1500, first_n=1))  # the canary's
    proc, env = fix_web(sandbox, tmp_path)
    deadline = time.monotonic() + 60
    while not updates(sandbox):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    return proc, env, deadline


def at_the_promotion(
    sandbox: Sandbox, tmp_path: Path, promotion: Fault | None
) -> tuple[object, dict[str, str]]:
    """`drift fix e2e --yes -s web` started, `promotion` injected for its second UpdateService
    (the canary's operation slowed meanwhile, so that it applies to no other), and the
    promotion sent: the process and its environment."""
    proc, env, deadline = at_the_canary(sandbox, tmp_path)
    if promotion is not None:
        sandbox.inject(promotion)
    while len(updates(sandbox)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    return proc, env


def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / ".drift" / "journal")


def locks(tmp_path: Path) -> list[Path]:
    return list((journal(tmp_path).directory / "locks").glob("*.lock"))


def serving(sandbox: Sandbox) -> list[str]:
    """The revisions of web that serve traffic."""
    return [s.revision for s in sandbox.service(PROJECT, "web").traffic_statuses if s.percent]


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
    assert serving(sandbox) == [entry.canary_revision]
    again = drift(*FIX_WEB, env=env, cwd=tmp_path)
    assert again.returncode == 0 and "nothing to patch" in again.stdout, again.stdout


def test_a_promotion_still_rolling_out_completes_the_fix(sandbox: Sandbox, tmp_path: Path) -> None:
    """The promotion accepted and its operation running (helper-601 F1's realistic case):
    its spec is drift's, so the fix is complete; the re-check waits for it to settle."""
    proc, env, deadline = at_the_canary(sandbox, tmp_path)
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


def sent_as_unknown(code: int, said: str, tmp_path: Path) -> str:
    """Assert the fix stopped at once as "it may have landed": exit 3, its entry `promoting`,
    its lock kept, nothing cleaned up; its change id."""
    (entry,) = journal(tmp_path).entries()
    assert code == 3, said  # was 4, "the promotion had not landed; cleaned up"
    assert "the promotion was being sent (it may have landed: then traffic moves to the " in said
    assert f"`drift rollback {entry.change_id}` restores what served before" in said, said
    assert "had not landed" not in said and "cleaned up" not in said, said
    assert "nothing was changed" not in said and "drift keeps its lock" in said, said
    assert entry.state == State.PROMOTING, entry.history
    assert len(locks(tmp_path)) == 2  # under both of its names
    return entry.change_id


def held_past_cancel(monkeypatch: pytest.MonkeyPatch, release: threading.Event) -> None:
    """The sandbox (in this process) as a server still processing the promotion (the second
    UpdateService) when its caller cancels it, which applies it once `release` is set (the
    grpc.io guide, above); the canary's write is answered as always."""
    real, seen = rpc._answer, []

    async def answer(method: Any, ctx: Any, request: Any, resource: str) -> Any:
        if method.name != "UpdateService" or request.validate_only:
            return await real(method, ctx, request, resource)
        seen.append(resource)
        if len(seen) == 1:  # the canary
            return await real(method, ctx, request, resource)

        async def busy() -> Any:
            while not release.is_set():
                await asyncio.sleep(0.02)
            return await method.handler(request)

        return await asyncio.shield(asyncio.ensure_future(busy()))

    monkeypatch.setattr(rpc, "_answer", answer)


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_promotion_that_lands_after_the_signal_keeps_the_lock_exit_3(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: signal.Signals
) -> None:
    """drift's read right after the signal finds the promotion not applied; it lands after
    drift has ended. The next fix reads it landed and finishes the change."""
    release = threading.Event()
    held_past_cancel(monkeypatch, release)
    proc, env = at_the_promotion(sandbox, tmp_path, None)
    code, out, err = interrupt_when(proc, lambda: True, sent)
    change = sent_as_unknown(code, out + err, tmp_path)
    release.set()  # the cancelled promotion lands after all
    (entry,) = journal(tmp_path).entries()
    deadline = time.monotonic() + 30
    while serving(sandbox) != [entry.canary_revision]:
        assert time.monotonic() < deadline, "the cancelled promotion never landed"
        time.sleep(0.1)

    monkeypatch.undo()
    again = drift(*FIX_WEB, env=env, cwd=tmp_path)
    said = again.stdout + again.stderr
    assert again.returncode == 0, said
    assert f"took over the lock left by change {change}" in said, said
    assert "its last write had landed" in said, said
    (entry,) = journal(tmp_path).entries()
    assert entry.state == State.PROMOTED, entry.history
    assert locks(tmp_path) == []


def test_a_promotion_not_applied_keeps_the_lock_and_a_rollback_ends_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Held, then dropped when cancelled (this sandbox's lucky case): still not judged from a
    read; `drift rollback CHANGE` ends it: LATEST restored, the canary's tag gone."""
    before = sandbox.service(PROJECT, "web")
    promotion = Fault("UpdateService", None, latency_ms=60_000, first_n=1)  # never carried out
    proc, env = at_the_promotion(sandbox, tmp_path, promotion)
    code, out, err = interrupt_when(proc, lambda: True, signal.SIGINT)
    change = sent_as_unknown(code, out + err, tmp_path)

    sandbox.clear_faults()
    ended = drift("rollback", change, "--yes", env=env, cwd=tmp_path)
    assert ended.returncode == 0, ended.stdout + ended.stderr
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
    sent = "the promotion was being sent (it may have landed: then traffic moves to the canary"
    assert f"{sent} {entry.canary_revision})" in line, line
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
    assert "(it may have landed" in line and "drift keeps its lock" in line, err
    assert entry.state == State.PROMOTING and len(locks(tmp_path)) == 2
