"""Every `OutputFormat` member has a formatter, renders every report and never calls gaps clean."""

from __future__ import annotations

import re

import pytest

from drift.format import OutputFormat, formatter_for
from drift.format.github import GitHubFormat
from drift.format.interface import Formatter
from drift.format.json import JsonFormat
from drift.format.markdown import MarkdownFormat
from drift.format.sarif import SarifFormat
from drift.format.table import TableFormat
from drift.report import Report, Status
from tests.format.conftest import INCOMPLETE_REPORT, REPORTS, make_report

EXPECTED_CLASS: dict[OutputFormat, type[Formatter]] = {
    OutputFormat.TABLE: TableFormat,
    OutputFormat.JSON: JsonFormat,
    OutputFormat.GITHUB: GitHubFormat,
    OutputFormat.SARIF: SarifFormat,
    OutputFormat.MARKDOWN: MarkdownFormat,
}
CLEAN_WORDS = re.compile(r"no drift|(?<!not )\bclean\b", re.IGNORECASE)
"""What an incomplete report must never say ("not clean" is what it should say)."""


def test_every_member_is_covered_here() -> None:
    assert set(EXPECTED_CLASS) == set(OutputFormat)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_factory_returns_the_format_class(fmt: OutputFormat) -> None:
    formatter = formatter_for(fmt)
    assert isinstance(formatter, Formatter)
    assert type(formatter) is EXPECTED_CLASS[fmt]


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_renders_every_report(
    fmt: OutputFormat, named_report: tuple[str, Report]
) -> None:
    _, report = named_report
    text = formatter_for(fmt, width=120).render(report)
    assert text.endswith("\n")
    assert text == formatter_for(fmt, width=120).render(report), "rendering is deterministic"


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize(
    "report",
    [
        INCOMPLETE_REPORT,
        make_report(unverified=INCOMPLETE_REPORT.unverified),
        make_report(INCOMPLETE_REPORT.findings, unverified=INCOMPLETE_REPORT.unverified * 30),
    ],
    ids=["warning-and-gap", "only-gap", "many-gaps"],
)
def test_incomplete_is_never_rendered_clean(fmt: OutputFormat, report: Report) -> None:
    assert report.status is Status.INCOMPLETE
    text = formatter_for(fmt, width=120).render(report)
    assert not CLEAN_WORDS.search(text), CLEAN_WORDS.search(text)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_only_a_clean_report_may_say_no_drift(fmt: OutputFormat) -> None:
    for report in REPORTS.values():
        text = formatter_for(fmt, width=120).render(report)
        if report.status is not Status.CLEAN:
            assert "no drift" not in text


def test_color_flag_only_matters_to_the_table() -> None:
    for fmt in OutputFormat:
        if fmt is OutputFormat.TABLE:
            continue
        report = REPORTS["drift"]
        assert formatter_for(fmt, color=True).render(report) == formatter_for(fmt).render(report)


def test_a_location_without_a_line_names_the_file_only() -> None:
    """A finding carried from a baseline whose place in today's profile is not found: the
    file, never a line that now says something else (revci F2)."""
    import dataclasses
    import json

    from drift.baseline import parse_baseline
    from drift.findings import Location
    from tests.format.conftest import MISSING

    finding = dataclasses.replace(MISSING, location=Location("profiles/e2e.yaml", 0))
    report = make_report((finding,))
    github = formatter_for(OutputFormat.GITHUB).render(report).splitlines()[0]
    assert github.startswith("::error file=profiles/e2e.yaml,title=")
    sarif = json.loads(formatter_for(OutputFormat.SARIF).render(report))
    (place,) = sarif["runs"][0]["results"][0]["locations"]
    assert place["physicalLocation"] == {"artifactLocation": {"uri": "profiles/e2e.yaml"}}
    text = formatter_for(OutputFormat.JSON).render(report)
    assert json.loads(text)["findings"][0]["location"] == {"file": "profiles/e2e.yaml"}
    assert parse_baseline("last.json", text.encode()).findings[0].location == finding.location
    assert "| `profiles/e2e.yaml` |" in formatter_for(OutputFormat.MARKDOWN).render(report)


@pytest.mark.parametrize("line", [0, 7])
def test_one_place_names_a_file_and_its_line(line: int, capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON report, a finding's GitHub annotation and an input problem's annotation name a
    place with one `located` (line 0: the file, no line) (revdiff2 item 5)."""
    import dataclasses
    import json

    from drift.cli.output import annotate
    from drift.errors import Problem
    from drift.findings import Location
    from drift.format.summary import located
    from tests.format.conftest import MISSING

    where = located("profiles/e2e.yaml", line)
    assert where == (
        {"file": "profiles/e2e.yaml", "line": 7} if line else {"file": "profiles/e2e.yaml"}
    )
    finding = dataclasses.replace(MISSING, location=Location("profiles/e2e.yaml", line))
    report = make_report((finding,))
    text = formatter_for(OutputFormat.JSON).render(report)
    assert json.loads(text)["findings"][0]["location"] == where
    properties = ",".join(f"{key}={value}" for key, value in where.items())
    github = formatter_for(OutputFormat.GITHUB).render(report).splitlines()[0]
    assert github.startswith(f"::error {properties},title=")
    annotate([Problem("profiles/e2e.yaml", line, "not a mapping")])
    assert capsys.readouterr().out == f"::error {properties},title=drift::not a mapping\n"
