"""A working directory removed since the shell entered it (a checkout deleted under a
terminal, a CI workspace cleaned between steps): one clear line and exit 2, never "internal
error: FileNotFoundError" (revown36's side note: drift/cli/destinations.py met it first)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cliutil import REPO


def test_a_working_directory_removed_since_is_one_clear_line(tmp_path: Path) -> None:
    script = (
        'mkdir gone && cd gone && rmdir ../gone && exec "$0" -m drift check staging '
        f"--profiles {REPO / 'profiles'} --sarif r.sarif"
    )
    done = subprocess.run(
        ["sh", "-c", script, sys.executable],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "the working directory no longer exists" in done.stderr, done.stderr


def test_help_needs_no_working_directory(tmp_path: Path) -> None:
    """`drift --help` and a command's `--help` print their help in a removed directory (the
    check is where a command begins, not before parsing: revown37 F3)."""
    for args in ("--help", "check --help"):
        done = subprocess.run(
            ["sh", "-c", f'mkdir gone && cd gone && rmdir ../gone && exec "$0" -m drift {args}',
             sys.executable],
            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0 and "Usage" in done.stdout, done.stderr
