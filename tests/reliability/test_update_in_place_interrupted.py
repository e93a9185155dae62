"""helper-661 B2: a signal while an update in place (a service's own settings: one
UpdateService, no canary) was sent and its write had not applied — the sandbox holds the
request before applying it (a `Fault` with latency), and a cancelled request is never applied.
Before, Ctrl-C stopped the fix at once with exit 3 ("it may have landed") and its lock kept,
and after Ctrl-C or kill -9 the next `fix` refused ("stopped mid-change … run `drift rollback
CHANGE`") until the operator ran a rollback that wrote nothing. Now Ctrl-C reads the service
once, as an interrupted promotion does: at the generation drift read, nothing in progress, it
never applied — an abort, journaled so, its lock released, exit 4 "nothing was changed"; and
the next `fix` takes over the lock of a killed one whose last write provably never applied
(the generation and etag it was sent on), records it aborted, and fixes."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from google.cloud import run_v2

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


@pytest.mark.parametrize("signal_", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_a_signal_before_the_update_applied_is_an_abort(
    sandbox: Sandbox, tmp_path: Path, signal_: signal.Signals
) -> None:
    before = sandbox.service(PROJECT, "api")
    sandbox.inject(Fault("UpdateService", None, latency_ms=60_000, first_n=1))  # held, unapplied
    argv, env = solo(sandbox, tmp_path)
    code, out, err = interrupt_when(start(argv, env, tmp_path), lambda: sent(sandbox), signal_)
    said = out + err
    (entry,) = journal(tmp_path).entries()
    assert code == 4, said  # was 3, "the update was being sent (it may have landed)"
    line = err.strip().splitlines()[-1]
    assert "while the update was being sent; it had not been applied (api read back at " in line
    assert line.endswith("nothing was changed"), line
    assert "drift keeps its lock" not in said and "may have landed" not in said, said
    assert entry.state == State.ABORTED and entry.writes[-1]["landed"] is False, entry.history
    assert not entry.wrote
    assert locks(tmp_path) == []
    now = sandbox.service(PROJECT, "api")
    assert (now.generation, now.ingress) == (before.generation, before.ingress)

    sandbox.clear_faults()
    again = drift(*argv, env=env, cwd=tmp_path)  # nothing in the way: it fixes
    assert again.returncode == 0, again.stdout + again.stderr
    assert sandbox.service(PROJECT, "api").ingress == INTERNAL_LB


def test_the_next_fix_takes_over_a_killed_update_that_never_applied(
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
    assert sandbox.service(PROJECT, "api").generation == before.generation  # never applied

    sandbox.clear_faults()
    done = drift(*argv, env=env, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == 0, said  # was 4: "was stopped mid-change … `drift rollback`"
    assert f"took over the lock left by change {stopped.change_id}" in said, said
    assert "its last write never applied (generation " in said, said
    assert "was stopped mid-change" not in said, said
    first = next(e for e in journal(tmp_path).entries() if e.change_id == stopped.change_id)
    assert first.state == State.ABORTED and not first.wrote, first.history
    assert sandbox.service(PROJECT, "api").ingress == INTERNAL_LB
    assert locks(tmp_path) == []
