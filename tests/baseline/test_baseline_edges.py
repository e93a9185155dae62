"""A baseline edited by hand at the edges of what its fields can hold (revbase92): one clear
message naming the file and exit 2, never a traceback after the whole check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.format import OutputFormat
from drift.sandbox import Sandbox
from tests.baseline.test_bad_baselines import FINDING, report
from tests.cliutil import drift

OUT_OF_RANGE = {  # valid RFC 3339 times whose UTC instant is before year 1 or after 9999
    "before year 1 in UTC": "0001-01-01T00:00:00+01:00",
    "after 9999 in UTC": "9999-12-31T23:59:59-01:00",
}


@pytest.mark.sandbox
@pytest.mark.parametrize("when", OUT_OF_RANGE.values(), ids=list(OUT_OF_RANGE))
@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.JSON])
def test_a_since_no_utc_day_can_hold_is_refused(
    sandbox: Sandbox, tmp_path: Path, when: str, fmt: OutputFormat
) -> None:
    """Python's datetime holds 0001-01-01T00:00+01:00 but not its UTC instant: every format
    says the day in UTC, so the resolved finding ended the run in an OverflowError."""
    gone = {**FINDING, "since": {"revision": "api-00001-abc", "create_time": when}}
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(report(findings=[gone])))
    done = drift(
        "check", "staging", "--baseline", str(path), "--format", fmt.value, env=sandbox.environ()
    )
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stdout + done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"drift: error: the baseline {path} is not a drift.report/v1 report")
    assert "findings[0].since.create_time" in first, first
    assert done.stdout == ""


@pytest.mark.sandbox
def test_a_resolved_findings_huge_message_is_cut_in_the_table(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A baseline is untrusted input: a resolved finding's message of 50,000 characters was
    one line of 50,000 on the terminal (helper-529 F4); the table cuts it as it cuts a value,
    and the JSON report keeps it whole."""
    first = tmp_path / "first.json"
    done = drift(
        "check", "staging", "--format", "json", "--output", str(first), env=sandbox.environ()
    )
    data = json.loads(first.read_text())
    gone = {**data["findings"][0], "id": "0123456789abcdef", "target": "env.GONE"}
    gone["message"] = "GONE " + "x" * 50_000
    data["findings"].append(gone)
    first.write_text(json.dumps(data))
    done = drift("check", "staging", "--baseline", str(first), env=sandbox.environ())
    assert "Resolved since the baseline: 1 finding" in done.stdout, done.stdout
    (line,) = [line for line in done.stdout.splitlines() if "env.GONE" in line]
    assert len(line) < 1_200, len(line)
    assert "(49,005 more characters; the JSON report has it whole)" in line, line[-200:]
    as_json = drift(
        "check", "staging", "--baseline", str(first), "-f", "json", env=sandbox.environ()
    )
    (resolved,) = json.loads(as_json.stdout)["resolved"]
    assert resolved["message"] == gone["message"]
