"""`drift check ENV --manifest -` with standard input closed (`<&-`, a CI step or a service
manager that gives drift none) is one clear usage error naming it, exit 2 — never "internal
error: AttributeError: 'NoneType' object has no attribute 'buffer'" (revcli88 F6)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift_argv


def test_a_closed_standard_input_is_said_so(sandbox: Sandbox, tmp_path: Path) -> None:
    argv = [
        *drift_argv(),
        "check",
        "staging",
        "--manifest",
        "-",
        "--profiles",
        str(REPO / "profiles"),
    ]
    env = {**os.environ, **sandbox.environ(), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("drift: error: --manifest -: standard input is closed"), (
        done.stderr
    )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
