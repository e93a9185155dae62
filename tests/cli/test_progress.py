"""A progress line on a terminal; nothing on stderr when it is not one."""

from __future__ import annotations

import os
import pty
import subprocess

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift, read_pty, zygote_drift


def test_progress_on_a_terminal_only(sandbox: Sandbox) -> None:
    quiet = drift("check", "staging", env=sandbox.environ())
    assert quiet.returncode == 1 and quiet.stderr == ""

    primary, secondary = pty.openpty()
    env = {**os.environ, **sandbox.environ(), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [str(zygote_drift()), "check", "staging"],  # a process of its own, forked
        stdout=subprocess.PIPE,
        stderr=secondary,
        cwd=REPO,
        env=env,
    )
    os.close(secondary)
    stdout, _ = proc.communicate(timeout=60)
    seen = read_pty(primary)
    assert proc.returncode == 1
    assert b"checking staging:" in seen and b"API calls" in seen
    assert b"checking staging" not in stdout  # the report itself is untouched
