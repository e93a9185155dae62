"""helper-661 A5: while a fix is running on a service (its promotion's write held by the
sandbox, the fix a live process holding the service's lock), `drift fix --dry-run` and `drift
plan` in the same journal read its entry (`promoting`) and said the canary was "left by a fix
that did not finish", with a `drift rollback` that the running fix's lock would refuse. Its
lock, held by a live process of that very change, says the change is running: they say so,
and to wait for it.

Only a holder proven alive on this host is "running" (helper-669 F3): a fix killed (kill -9) in
a container whose hostname is not this one's (`docker run` gives each its own) leaves a lock
whose process drift cannot check from here. plan, `fix --dry-run` and check said "running …
wait for it to finish" with no way out; they say the canary was left by a fix that did not
finish, with its rollback, that the lock's process may still be running on that host, and
that the lock is to be deleted first if it is gone."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO, drift
from tests.reliability.test_interruption import interrupt_when
from tests.reliability.test_promotion_interrupted import at_the_promotion, journal, locks


def test_a_fix_at_work_is_said_running(sandbox: Sandbox, tmp_path: Path) -> None:
    promotion = Fault("UpdateService", None, latency_ms=60_000, first_n=1)  # held, unapplied
    proc, env = at_the_promotion(sandbox, tmp_path, promotion)
    (entry,) = journal(tmp_path).entries()
    assert entry.state == State.PROMOTING
    change = entry.change_id
    profiles = ("--profiles", str(REPO / "profiles"))
    for args in (("fix", "e2e", "-s", "web", "--dry-run"), ("plan", "e2e", "-s", "web")):
        done = drift(*args, *profiles, env=env, cwd=tmp_path, timeout=120)
        said = " ".join((done.stdout + done.stderr).split())  # lines as wrapped, joined
        assert f"Change {change} is running (fix, pid " in said, (args, said)
        assert "wait for it to finish" in said, (args, said)
        assert "did not finish" not in said, (args, said)  # it had not stopped
    code, out, err = interrupt_when(proc, lambda: True, signal.SIGINT)  # sent: outcome unknown
    assert code == 3, out + err


def test_a_fix_killed_on_another_host_may_still_be_running(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    promotion = Fault("UpdateService", None, latency_ms=60_000, first_n=1)  # held, unapplied
    proc, env = at_the_promotion(sandbox, tmp_path, promotion)
    (entry,) = journal(tmp_path).entries()
    change = entry.change_id
    os.kill(json.loads(locks(tmp_path)[0].read_text())["pid"], signal.SIGKILL)  # kill -9
    proc.communicate(timeout=30)  # type: ignore[attr-defined]
    files = locks(tmp_path)
    assert len(files) == 2
    for lock in files:  # as a container with another hostname wrote it
        body = json.loads(lock.read_text())
        body["host"] = "3f2a9c1b7d4e"
        lock.write_text(json.dumps(body))
    profiles = ("--profiles", str(REPO / "profiles"))
    for args in (
        ("plan", "e2e", "-s", "web"),
        ("fix", "e2e", "-s", "web", "--dry-run"),
        ("check", "e2e", "-s", "web"),
    ):
        done = drift(*args, *profiles, env=env, cwd=tmp_path, timeout=120)
        said = " ".join((done.stdout + done.stderr).split())  # lines as wrapped, joined
        assert f"Change {change} is running" not in said, (args, said)
        assert "may still be running on 3f2a9c1b7d4e" in said, (args, said)
        assert "if that process is gone, delete " in said, (args, said)
        assert all(str(f) in said for f in files), (args, said)
        assert f"drift rollback {change}" in said, (args, said)  # the way on, once deleted
