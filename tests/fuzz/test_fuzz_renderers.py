"""revfuzz property 4: hostile strings anywhere in a report (service names, targets, values,
messages, file paths, notes, gaps) never forge a GitHub workflow command, never break SARIF's
JSON or schema or a Markdown table row, never put a raw ESC on a terminal.

BUG-FINDING tests (failed on main before its fix if any): see /work/notes/reports/revfuzz.md."""

from __future__ import annotations

import json
import re

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from drift.findings import Location, Severity, Unverified
from drift.format import OutputFormat, formatter_for
from drift.report import Report
from tests.format.conftest import make_finding, make_report
from tests.format.test_sarif import SCHEMA as SARIF_SCHEMA
from tests.fuzz.budget import examples

PIECES = [
    "\r", "\n", "\r\n", "::error::forged", "::add-mask::x", "%0A::warning::x", "%0D", "%25",
    "\x1b[31m", "\x1b]52;c;Zm9v\x07", "\u202e", "\u2066", "##[error]forged", "|", "`", "\\",
    "<script>", "@everyone", "\x00", "\x85", "\u2028", "::", ",", ":", "\t", "\ufeff",
    "[x](y)", "#1",
]  # fmt: skip
hostile = st.lists(
    st.one_of(
        st.sampled_from(PIECES), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
    ),
    max_size=6,
).map("".join)
COMMAND = re.compile(r"^\s*::")


@st.composite
def reports(draw: st.DrawFn) -> Report:
    findings = []
    for _ in range(draw(st.integers(1, 3))):
        f = make_finding(
            draw(st.sampled_from(["env.missing", "env.mismatch", "setting.mismatch"])),
            draw(st.sampled_from(list(Severity))),
            draw(hostile),
            draw(hostile),
            draw(hostile),
            expected=draw(st.one_of(st.none(), hostile)),
            actual=draw(st.one_of(st.none(), hostile)),
            location=Location(draw(hostile) or "p.yaml", draw(st.integers(0, 10**6))),
            revision=draw(hostile) or None,
        )
        findings.append(f)
    unverified = tuple(
        Unverified(service=draw(hostile), target=draw(hostile), reason=draw(hostile))
        for _ in range(draw(st.integers(0, 2)))
    )
    report = make_report(tuple(findings), unverified=unverified)
    from dataclasses import replace

    return replace(report, notes=tuple(draw(st.lists(hostile, max_size=2))))


@settings(max_examples=examples(20), deadline=None)
@given(report=reports())
def test_github_format_issues_only_drifts_own_commands(report: Report) -> None:
    out = formatter_for(OutputFormat.GITHUB).render(report)
    assert "\r" not in out
    lines = out.split("\n")
    commands = [line for line in lines if COMMAND.match(line)]
    for line in commands:
        name = line.lstrip()[2:].split(" ", 1)[0].split("::", 1)[0]
        assert name in {"error", "warning", "notice", "group", "endgroup"}, line
        # a message or property never holds a raw newline: one command per line
    for line in lines:
        assert "##[" not in line, line
    expected = len(report.findings) + len(report.unverified)
    assert len(commands) <= expected + 3, out


@settings(max_examples=examples(20), deadline=None)
@given(report=reports())
def test_sarif_is_valid_json_against_its_schema(report: Report) -> None:
    out = formatter_for(OutputFormat.SARIF).render(report)
    log = json.loads(out)
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(log)
    json.loads(formatter_for(OutputFormat.JSON).render(report))


@settings(max_examples=examples(20), deadline=None)
@given(report=reports())
def test_markdown_rows_keep_their_columns_and_text_has_no_raw_esc(report: Report) -> None:
    md = formatter_for(OutputFormat.MARKDOWN).render(report)
    in_fence = False
    width = None
    for line in md.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", line))
            if width is None or re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line):
                width = cells
            assert cells == width, (line, md)
        else:
            width = None
        assert "\r" not in line and "\x1b" not in line, line
    table = formatter_for(OutputFormat.TABLE, color=False).render(report)
    assert "\x1b" not in table and "\r" not in table, table
