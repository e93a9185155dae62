"""A signal while an update in place (a service's own settings: one UpdateService, no canary)
was sent, or a kill -9 then. A server may go on processing a request whose caller cancelled
it, and apply it afterwards: "When a server is notified of the cancellation of an RPC, the
application-provided server handler may be busy processing the request. The gRPC library in
general does not have a mechanism to interrupt the application-provided server handler"
(https://grpc.io/docs/guides/cancellation/). So a read made right after the cut proves
nothing: Ctrl-C ends the fix at once, exit 3, "the update was being sent (it may have
landed)", the entry `updating` and the lock kept (helper-669 F2: for a while drift read the
service at once, said "nothing was changed", exit 4, released the lock and journaled the
write not landed — and the write landed a moment later). The next `fix` does not take over
the lock of a killed update that has not applied as it reads it either: the late request
carries the very etag the service still has, so no etag check would refuse it; the operator's
`drift rollback CHANGE` ends it. One that has landed is finished by the next `fix`, as any
stopped write that landed (`drift.fix.landed_before`)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.sandbox.rpc as rpc
from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.test_interruption import interrupt_when, start

PROJECT = "acme-chat-staging"
SOLO = (
    f"project: {PROJECT}\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    "      ingress: internal-and-cloud-load-balancing\n"
)
INTERNAL_LB = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER
BUSY = 1.5
"""How long the server below goes on processing an UpdateService its caller cancelled."""


def solo(sandbox: Sandbox, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """`drift fix solo --yes` (api's ingress alone: an update in place) and its environment."""
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "solo.yaml").write_text(SOLO)
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    return ["fix", "solo", "--yes", "--profiles", str(folder)], env


def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / ".drift" / "journal")


def locks(tmp_path: Path) -> list[Path]:
    return list((journal(tmp_path).directory / "locks").glob("*.lock"))


def sent(sandbox: Sandbox) -> bool:
    """drift's UpdateService has reached the sandbox (held there, not applied)."""
    return any(c.short == "UpdateService" for c in sandbox.calls)


def applied_after_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox (in this process) as a server that is still processing an UpdateService
    when its caller cancels it, and applies it `BUSY` seconds on (grpc.io, above)."""
    real = rpc._answer

    async def answer(method: Any, ctx: Any, request: Any, resource: str) -> Any:
        if method.name != "UpdateService":
            return await real(method, ctx, request, resource)

        async def busy() -> Any:
            await asyncio.sleep(BUSY)
            return await method.handler(request)

        return await asyncio.shield(asyncio.ensure_future(busy()))

    monkeypatch.setattr(rpc, "_answer", answer)


def kept_as_sent(code: int, out: str, err: str, tmp_path: Path) -> str:
    """Assert the fix stopped at once as "it may have landed": exit 3, its entry `updating`
    and its lock kept; its change id."""
    said = out + err
    (entry,) = journal(tmp_path).entries()
    assert code == 3, said  # was 4, "it had not been applied … nothing was changed"
    assert "the update was being sent (it may have landed)" in said, said
    assert "nothing was changed" not in said and "had not been applied" not in said, said
    assert entry.state == State.UPDATING, entry.history
    assert entry.writes[-1].get("landed") is not False, entry.history
    assert len(locks(tmp_path)) == 2  # under both of its names
    return entry.change_id


@pytest.mark.parametrize("signal_", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_while_the_update_is_sent_keeps_the_lock_though_it_lands_later(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signal_: signal.Signals
) -> None:
    before = sandbox.service(PROJECT, "api")
    applied_after_cancel(monkeypatch)
    argv, env = solo(sandbox, tmp_path)
    code, out, err = interrupt_when(start(argv, env, tmp_path), lambda: sent(sandbox), signal_)
    change = kept_as_sent(code, out, err, tmp_path)
    deadline = time.monotonic() + 30
    while sandbox.service(PROJECT, "api").generation == before.generation:  # it lands after all
        assert time.monotonic() < deadline, "the cancelled update never landed"
        time.sleep(0.1)
    assert sandbox.service(PROJECT, "api").ingress == INTERNAL_LB

    monkeypatch.undo()
    again = drift(*argv, env=env, cwd=tmp_path)  # finishes it: its write had landed
    said = again.stdout + again.stderr
    assert again.returncode == 0, said
    assert f"took over the lock left by change {change}" in said, said
    assert "its last write had landed" in said, said
    first = next(e for e in journal(tmp_path).entries() if e.change_id == change)
    assert first.state == State.UPDATED, first.history
    assert locks(tmp_path) == []


def test_a_signal_before_the_update_applied_keeps_the_lock(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Held, then dropped when cancelled (this sandbox's lucky case): still not judged from a
    read; `drift rollback CHANGE` ends it, and the next fix writes."""
    before = sandbox.service(PROJECT, "api")
    sandbox.inject(Fault("UpdateService", None, latency_ms=60_000, first_n=1))  # held, unapplied
    argv, env = solo(sandbox, tmp_path)
    code, out, err = interrupt_when(start(argv, env, tmp_path), lambda: sent(sandbox))
    change = kept_as_sent(code, out, err, tmp_path)
    assert f"drift rollback {change}" in out + err
    assert sandbox.service(PROJECT, "api").generation == before.generation

    sandbox.clear_faults()
    ended = drift("rollback", change, "--yes", env=env, cwd=tmp_path)
    assert ended.returncode == 0, ended.stdout + ended.stderr
    assert locks(tmp_path) == []
    again = drift(*argv, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sandbox.service(PROJECT, "api").ingress == INTERNAL_LB


def test_the_next_fix_does_not_take_over_a_killed_update_not_applied_yet(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "api")
    sandbox.inject(Fault("UpdateService", None, latency_ms=60_000, first_n=1))  # held, unapplied
    argv, env = solo(sandbox, tmp_path)
    proc = start(argv, env, tmp_path)
    deadline = time.monotonic() + 60
    while not sent(sandbox):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    lock = next(p for p in locks(tmp_path) if "--services--" in p.name)
    os.kill(int(json.loads(lock.read_text())["pid"]), signal.SIGKILL)  # kill -9: nothing runs
    proc.communicate(timeout=30)
    (stopped,) = journal(tmp_path).entries()
    assert stopped.state == State.UPDATING and len(locks(tmp_path)) == 2
    assert sandbox.service(PROJECT, "api").generation == before.generation

    sandbox.clear_faults()
    refused = drift(*argv, env=env, cwd=tmp_path)
    said = refused.stdout + refused.stderr
    assert refused.returncode == 4, said  # was 0: "took over … its last write never applied"
    assert "took over the lock" not in said, said
    assert (
        "stopped mid-change, or ended with its outcome not known" in said
        and f"drift rollback {stopped.change_id}" in said
    )
    (entry,) = journal(tmp_path).entries()
    assert entry.state == State.UPDATING, entry.history
    assert sandbox.service(PROJECT, "api").generation == before.generation

    ended = drift("rollback", stopped.change_id, "--yes", env=env, cwd=tmp_path)
    assert ended.returncode == 0, ended.stdout + ended.stderr
    done = drift(*argv, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.service(PROJECT, "api").ingress == INTERNAL_LB
    assert locks(tmp_path) == []
