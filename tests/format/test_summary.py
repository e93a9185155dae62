"""The one summary line every human-readable format ends with."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drift.findings import BaselineState, FailOn, Finding
from drift.format.summary import summary_line
from drift.report import Report
from drift.textsafe import plural
from tests.format.conftest import (
    CLEAN_REPORT,
    CONSTRAINT,
    DRIFT_REPORT,
    INCOMPLETE_REPORT,
    MISSING,
    UNVERIFIED,
    make_report,
)


@pytest.mark.parametrize(
    ("report", "line"),
    [
        (
            DRIFT_REPORT,
            "staging: 4 errors, 2 warnings, 1 info in 3 services, "
            "incomplete: 1 item could not be verified — drift (exit 1)",
        ),
        (make_report((MISSING,)), "staging: 1 error, 0 warnings in 3 services — drift (exit 1)"),
        (CLEAN_REPORT, "staging: 0 errors, 0 warnings, 1 info in 3 services — no drift (exit 0)"),
        (make_report(), "staging: 0 errors, 0 warnings in 3 services — no drift (exit 0)"),
        (
            INCOMPLETE_REPORT,
            "staging: 0 errors, 1 warning in 3 services, "
            "incomplete: 1 item could not be verified — not clean (exit 3)",
        ),
        (
            make_report(unverified=(UNVERIFIED, UNVERIFIED)),
            "staging: 0 errors, 0 warnings in 3 services, "
            "incomplete: 2 items could not be verified — not clean (exit 3)",
        ),
        # Drift below --fail-on is still drift, and says that it exits 0.
        (
            make_report((CONSTRAINT,)),
            "staging: 0 errors, 1 warning in 3 services — drift (exit 0)",
        ),
        (
            make_report((MISSING,), fail_on=FailOn.NEVER),
            "staging: 1 error, 0 warnings in 3 services — drift (exit 0)",
        ),
    ],
)
def test_summary_line(report: Report, line: str) -> None:
    assert summary_line(report) == line


def gated(fail_on: FailOn, *findings: tuple[Finding, BaselineState]) -> Report:
    """A `--fail-on-new` run: each finding as it compares with the baseline."""
    report = make_report(tuple(replace(f, baseline=b) for f, b in findings), fail_on=fail_on)
    return replace(report, baseline="base.json", fail_on_new=True)


OLD, NEW = BaselineState.UNCHANGED, BaselineState.NEW


@pytest.mark.parametrize(
    ("report", "verdict"),
    [
        (gated(FailOn.ERROR, (MISSING, OLD), (CONSTRAINT, OLD)), "drift, none of it new (exit 0)"),
        # a new warning below --fail-on error: new drift, not "none of it new" (revci65 F1)
        (
            gated(FailOn.ERROR, (MISSING, OLD), (CONSTRAINT, NEW)),
            "drift, nothing new at or above --fail-on error (exit 0)",
        ),
        (gated(FailOn.NEVER, (CONSTRAINT, NEW)), "— drift (exit 0)"),
        (gated(FailOn.WARNING, (MISSING, OLD), (CONSTRAINT, NEW)), "— drift (exit 1)"),
    ],
)
def test_fail_on_new_says_whether_anything_is_new(report: Report, verdict: str) -> None:
    line = summary_line(report)
    assert line.endswith(verdict), line
    assert ("1 new or updated" in line) is (verdict != "drift, none of it new (exit 0)")


def test_plural() -> None:
    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
