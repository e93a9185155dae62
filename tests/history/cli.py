"""The history tests' drift: a profile folder of one `lab.yaml`, and `drift ARGS` run on it
against a sandbox (never a traceback)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import drift


def run(sandbox: Sandbox, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = drift(*args, env={**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}, cwd=folder)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def profile_folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(text)
    return folder
