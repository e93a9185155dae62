"""A `kill -9` between writing a report and renaming it over its file leaves the temporary file
`.NAME.PID.partial` beside it, which `git add .` would pick up. The next write of that file
removes it — and only what is certainly a dead drift's own (`drift.partials`): its name for
that very file, another pid that runs no process, untouched for a minute, locked by no one."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.files import write_whole
from tests.cliutil import REPO, drift

V1 = "google_cloud_run_service"
PLAN = {
    "format_version": "1.2",
    "resource_changes": [
        {
            "address": f"{V1}.svc",
            "mode": "managed",
            "type": V1,
            "name": "svc",
            "change": {"actions": ["create"], "before": None, "after": {"name": "api"}},
        }
    ],
}
"""A plan `check --offline` reads without a sandbox (api not verified: exit 3, a report)."""
KILLED = (
    "import os, runpy, signal, sys\n"
    "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
    "sys.argv = ['drift', *sys.argv[1:]]\n"
    "runpy.run_module('drift', run_name='__main__')\n"
)
"""drift killed (-9) as it flushes its first file to disk: after the write, before the rename."""


def _aged(path: Path) -> None:
    old = time.time() - 3600
    os.utime(path, (old, old), follow_symlinks=False)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def test_the_next_report_removes_what_a_killed_drift_left(tmp_path: Path) -> None:
    plan, last = tmp_path / "plan.json", tmp_path / "last.json"
    plan.write_text(json.dumps(PLAN))
    args = ("check", "staging", "--manifest", str(plan), "--offline", "--json", str(last))
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED, *args], env=env, capture_output=True, cwd=REPO, check=False
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (left,) = tmp_path.glob(".last.json.*.partial")
    assert not last.exists()
    _aged(left)
    done = drift(*args)
    assert done.returncode == 3, done.stderr
    assert list(tmp_path.glob(".*.partial")) == []
    assert json.loads(last.read_text())["schema"] == "drift.report/v1"


@pytest.fixture
def sleeper() -> Iterator[int]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child.pid
    child.kill()
    child.wait()


def test_only_a_dead_drifts_own_is_removed(tmp_path: Path, sleeper: int) -> None:
    dead, target = _dead_pid(), tmp_path / "last.json"
    stale = tmp_path / f".last.json.{dead}.partial"
    kept = {
        "fresh": tmp_path / f".last.json.{_dead_pid()}.partial",
        "alive": tmp_path / f".last.json.{sleeper}.partial",
        "locked": tmp_path / f".last.json.{_dead_pid()}.partial",
        "another file's": tmp_path / f".other.json.{dead}.partial",
        "tagged": tmp_path / f".last.json.{dead}.0.partial",
        "not a pid": tmp_path / ".last.json.x1.partial",
    }
    for path in (stale, *kept.values()):
        path.write_text("{")
    link = tmp_path / f".last.json.{_dead_pid()}.partial"
    link.symlink_to(tmp_path / "elsewhere")
    for path in (stale, link, *(p for k, p in kept.items() if k != "fresh")):
        _aged(path)
    with kept["locked"].open() as held:  # a writer in another pid namespace holds its lock
        fcntl.flock(held, fcntl.LOCK_EX)
        write_whole(target, "{}\n")
    assert not stale.exists()
    assert [k for k, p in kept.items() if not p.exists()] == []
    assert link.is_symlink()
    assert target.read_text() == "{}\n"
