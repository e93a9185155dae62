"""`--format table`: exact output, grouping, colour only on request, ignored findings counted."""

from __future__ import annotations

import dataclasses

import pytest

from drift.format import OutputFormat, formatter_for
from drift.report import Report
from tests.format.conftest import (
    DRIFT_REPORT,
    IGNORED,
    MISSING,
    SETTING,
    UNVERIFIED,
    Golden,
    make_report,
)


def render(report: Report, *, color: bool = False, width: int = 120) -> str:
    return formatter_for(OutputFormat.TABLE, color=color, width=width).render(report)


def test_exact_output(named_report: tuple[str, Report], golden: Golden) -> None:
    name, report = named_report
    golden(f"{name}.txt", render(report))


def test_no_escape_codes_unless_color() -> None:
    assert "\x1b[" not in render(DRIFT_REPORT)
    colored = render(DRIFT_REPORT, color=True)
    assert "\x1b[" in colored
    assert "\x1b[1;31merror" in colored


def test_services_with_errors_come_first_and_findings_most_severe_first() -> None:
    text = render(make_report((SETTING, MISSING)))
    assert text.index("\nweb") > text.index("\napi")
    assert text.index("env.missing") < text.index("setting.value")


def test_ignored_findings_are_counted_not_listed() -> None:
    text = render(make_report((IGNORED,)))
    assert "1 finding ignored by the profile" in text
    assert IGNORED.target not in text


def test_summary_line_is_one_line_even_when_narrow() -> None:
    last = render(DRIFT_REPORT, width=40).splitlines()[-1]
    assert last.startswith("staging: 4 errors") and last.endswith("drift (exit 1)")


def test_text_is_not_read_as_markup() -> None:
    finding = dataclasses.replace(MISSING, message="[bold]x[/bold] [link=y]z")
    assert "[bold]x[/bold] [link=y]z" in render(make_report((finding,)), width=200)


def test_notes_are_shown() -> None:
    report = dataclasses.replace(make_report(), notes=("probes skipped: --probe not given",))
    assert "note: probes skipped: --probe not given" in render(report)


WORKFLOW = (
    "::stop-commands::pwn",
    "\u00a0::error file=profiles/staging.yaml,line=16::FORGED",  # NBSP: trimmed by the runner too
)


def test_no_line_begins_with_a_finding_s_data() -> None:
    """A message begins with its subject, a variable's name from the live service or a
    manifest (Cloud Run takes any name without `=`, not empty, not X_GOOGLE_…). A CI runner
    trims a line's leading white space and runs it as a workflow command when it then starts
    with `::` (actions/runner ActionCommand.TryParseV2): the message line starts with drift's
    mark, never with the data."""
    findings = [
        dataclasses.replace(MISSING, target=f"env.{name}", message=f"{name} is not set")
        for name in WORKFLOW
    ]
    text = render(make_report(tuple(findings)))
    assert "· ::stop-commands::pwn is not set" in text
    assert [line for line in text.splitlines() if line.lstrip().startswith("::")] == []


@pytest.mark.parametrize("width", [40, 120])
def test_a_long_reason_is_one_line_never_folded_onto_a_line_of_its_own(width: int) -> None:
    """A reason quotes what drift did not write (a server's words, a Terraform address whose
    `for_each` key is any string): folded at white space, its next words would begin a line,
    run by a CI runner when they start with `::`. Each item is one line, at any width."""
    reason = 'google_cloud_run_service.svc["' + " ".join(["::warning::FORGED"] * 12) + '"]'
    item = dataclasses.replace(UNVERIFIED, reason=reason)
    text = render(make_report(unverified=(item,)), width=width)
    assert [line for line in text.splitlines() if line.lstrip().startswith("::")] == []
    (row,) = [line for line in text.splitlines() if "FORGED" in line]
    assert row.startswith("auth ") and row.endswith(reason)
