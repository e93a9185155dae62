"""The one summary line every human-readable format ends with."""

from __future__ import annotations

import pytest

from drift.findings import FailOn
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


def test_plural() -> None:
    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
