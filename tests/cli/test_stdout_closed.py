"""A command whose output is the point of running it (`drift profiles schema > schema.json`,
`drift profiles validate`, `drift rollback --list`), started with standard output closed
(`>&-`, a service manager that gives it none), says so on stderr and exits 2: click's echo
writes into nothing when there is no stream, and these exited 0 having printed nothing — a
schema never written read as one written (revcli88 F8). `drift check` and `--version` said so
already."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cliutil import REPO, drift_argv

COMMANDS = [("profiles", "schema"), ("profiles", "validate", str(REPO / "profiles"))]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_closed_standard_output_is_said_and_never_exit_0(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *drift_argv(), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    first = done.stderr.splitlines()[0]
    assert first == "drift: error: cannot write the output to standard output: it is closed"
    assert "Traceback" not in done.stderr
