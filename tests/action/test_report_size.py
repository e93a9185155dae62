"""A local report the action reads is refused past the size a baseline may have, and a FIFO at
once, as a Cloud Storage object's is (it was read whole into memory first: helper-567)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.action import report as action_report
from drift.errors import UsageError


def test_a_report_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_report, "MAX_BYTES", 100)
    big = tmp_path / "big.json"
    big.write_text('{"schema": "x", "pad": "' + "a" * 200 + '"}')
    with pytest.raises(UsageError, match="is over 0 MiB: not a drift JSON report"):
        action_report.read_report(str(big))


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match=f"cannot read the report {fifo}"):
        action_report.read_report(str(fifo))


def test_an_empty_or_missing_report_is_said_so(tmp_path: Path) -> None:
    """The action's `report` output is empty when drift wrote none (exit 2): it was read as
    the working directory, "cannot read the report : not a regular file (a directory)"; a
    missing file said Python's "[Errno 2] … 'r.json'" after its own name (helper-740)."""
    with pytest.raises(UsageError, match=r"^no report named \(an empty path\)"):
        action_report.read_report("")
    missing = tmp_path / "r.json"
    with pytest.raises(UsageError) as raised:
        action_report.read_report(str(missing))
    assert str(raised.value) == f"cannot read the report {missing}: No such file or directory"
