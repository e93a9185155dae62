"""The environment input is the name of an environment, never one of drift's options: the
step passed it before them, so `environment: --help` (a matrix value, a dispatch input) made
`drift check --help`, which printed the usage and exited 0: a green step, `exit-code` 0,
that had checked nothing (revaction92 F2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.test_action import run_action


@pytest.mark.parametrize("environment", ["--help", "--fail-on=never"])
def test_an_environment_that_looks_like_an_option_is_refused(
    sandbox: Sandbox, tmp_path: Path, environment: str
) -> None:
    done = run_action(sandbox, tmp_path, environment=environment)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not an environment name" in done.stdout + done.stderr
    assert (tmp_path / "output.txt").read_text().splitlines()[-1] == "exit-code=2"


def test_an_environment_is_still_checked(sandbox: Sandbox, tmp_path: Path) -> None:
    done = run_action(sandbox, tmp_path, environment="staging", baseline=str(tmp_path / "no"))
    assert done.returncode == 1, done.stderr  # the sandbox's staging drifts
    assert (tmp_path / "drift.sarif").is_file() and (tmp_path / "drift-report.json").is_file()
