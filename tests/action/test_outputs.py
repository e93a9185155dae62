"""The files `python -m drift.action` writes (the step's outputs, the issue's body) cannot be
written: one line naming the file and what to do, exit 2, never a traceback (SPEC invariant 7;
scripts/github-action.sh turns any other failure into exit 2 with the traceback shown)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from drift.errors import UsageError
from tests.cliutil import REPO, python_module

REPORT = {"schema": "drift.report/v1", "environment": "e", "status": "clean", "findings": []}


def test_an_unwritable_github_output_is_one_line(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(json.dumps(REPORT))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env |= {"PYTHONPATH": str(REPO), "GITHUB_OUTPUT": str(tmp_path / "gone" / "output")}
    done = python_module("drift.action", "outputs", str(report), env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"drift: error: cannot write the step's outputs to $GITHUB_OUTPUT "
        f"({tmp_path}/gone/output): No such file or directory\n"
    )


def test_an_issue_body_that_cannot_be_written_is_one_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from drift.action import issue

    def full(**_: str) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    with (
        pytest.raises(UsageError, match="issue's body .*No space left on device .*TMPDIR"),
        issue._body_file("body"),
    ):
        pass


def test_a_report_path_with_a_line_break_sets_no_output_of_its_own(tmp_path: Path) -> None:
    """The report's path is the step's `report` output, one `name=value` line of
    $GITHUB_OUTPUT: a second line in it would set `status` (or any output) as it says."""
    report = tmp_path / "r.json\nstatus=clean"
    report.write_text(json.dumps({**REPORT, "status": "drift", "findings": []}))
    output = tmp_path / "output"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env |= {"PYTHONPATH": str(REPO), "GITHUB_OUTPUT": str(output)}
    done = python_module("drift.action", "outputs", str(report), env=env)
    assert done.returncode == 2, done.stderr
    assert "holds a line break" in done.stderr and "r.json\\nstatus=clean" in done.stderr
    assert not output.exists()
