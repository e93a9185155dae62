"""`--baseline` given a pipe the shell hands drift: `<(git show main:last.json)` (named
/dev/fd/N) or `/dev/stdin` piped is read, as `--manifest <(…)` is; it was refused as "not a
regular file (a named pipe)", the refusal meant for a named pipe in the file system that
nothing may ever write (still refused: tests/baseline/test_review.py). Offline, a manifest's
check: no Google Cloud call."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.cliutil import REPO, drift, python_module

DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = (
    "check", "prod", "--profiles", str(DATA / "profiles"), "--offline",
    "--manifest", str(DATA / "chat.service.yaml"),
)  # fmt: skip


def _baseline(tmp_path: Path) -> bytes:
    """The JSON report of a first run: one error (the manifest's), secrets not verified."""
    last = tmp_path / "last.json"
    done = drift(*OFFLINE, "--json", str(last), "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    return last.read_bytes()


def _compared(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.stderr == "", done.stderr
    assert done.returncode == 3, done.stdout  # none new; the secrets not verified (--offline)
    report: dict[str, Any] = json.loads(done.stdout)
    assert "resolved" in report and report["summary"]["new"] == 0, report["summary"]
    assert [f["baseline"] for f in report["findings"] if not f["ignored"]] == ["unchanged"]
    return report


def test_a_baseline_handed_as_a_pipe_is_read_however_slow_its_writer(tmp_path: Path) -> None:
    """`--baseline <(sleep 1; gsutil cat gs://…/last.json)`: the pipe's writer starts late."""
    text = _baseline(tmp_path)
    read, write = os.pipe()

    def slow() -> None:
        time.sleep(1)
        with contextlib.suppress(BrokenPipeError), os.fdopen(write, "wb") as out:
            out.write(text)  # (a drift that refused the pipe closed it unread)

    writer = threading.Thread(target=slow)
    writer.start()
    args = (*OFFLINE, "--baseline", f"/dev/fd/{read}", "--fail-on-new", "--format", "json")
    try:
        if os.environ.get("DRIFT_TESTS_FORK", "1") == "1":
            # in this process (`drift`: check runs in-process), where /dev/fd/N names the
            # same pipe's read end, as in the process the shell hands it to
            done = drift(*args, cwd=tmp_path, timeout=60)
        else:  # a fresh interpreter (or a zygote's run): the descriptor passed to it
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
            done = subprocess.run(
                [sys.executable, "-m", "drift", *args], pass_fds=(read,), capture_output=True,
                text=True, cwd=tmp_path, timeout=60,
                env=env | {"PYTHONPATH": str(REPO), "NO_COLOR": "1"},
            )  # fmt: skip
    finally:
        os.close(read)
        writer.join()
    _compared(done)


def test_a_baseline_piped_to_dev_stdin_is_read(tmp_path: Path) -> None:
    """`gsutil cat gs://…/last.json | drift check … --baseline /dev/stdin`: a process of its
    own, its standard input the pipe."""
    text = _baseline(tmp_path).decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    done = python_module(
        "drift", *OFFLINE, "--baseline", "/dev/stdin", "--fail-on-new", "--format", "json",
        env=env | {"PYTHONPATH": str(REPO), "NO_COLOR": "1"}, cwd=tmp_path, stdin=text,
        fork=False,
    )  # fmt: skip
    _compared(done)
