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
    FINDINGS,
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


def test_the_day_a_drift_began_is_the_utc_day_whatever_offset_it_was_read_with() -> None:
    """A baseline edited by hand (or written elsewhere) may carry `2026-09-08T23:30:00-05:00`:
    the JSON report says `2026-09-09T04:30:00Z`, and the words said 2026-09-08; and they say
    it is UTC's day, as `drift history` says its times (helper-835 F5: no zone was named)."""
    import datetime as dt

    from drift.findings import Since
    from drift.format.summary import since_text

    late = dt.datetime(2026, 9, 8, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    since = Since("api-00005-a05", late, "bob@acme.example", None, "api-00004-a04")
    text = since_text(replace(FINDINGS[0], since=since))
    assert text is not None and text.startswith("since api-00005-a05, 2026-09-09 UTC, by bob@")
    destroyed = since_text(replace(FINDINGS[0], since=replace(since, revision=None)))
    assert destroyed == "since 2026-09-09 UTC (when the version was destroyed)"
