"""`--format markdown`: exact output, escaping, and the capped, append-only step summary."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drift.format import OutputFormat, formatter_for
from drift.format.markdown import (
    STEP_SUMMARY_LIMIT,
    append_step_summary,
    cap_markdown,
    md_code,
    md_fence,
    md_text,
)
from drift.report import Report
from tests.format.conftest import DRIFT_REPORT, MISSING, Golden, make_report


def render(report: Report) -> str:
    return formatter_for(OutputFormat.MARKDOWN).render(report)


def test_exact_output(named_report: tuple[str, Report], golden: Golden) -> None:
    name, report = named_report
    golden(f"{name}.md", render(report))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("`x`", "\\`x\\`"),
        ("*** (changed)", "\\*\\*\\* (changed)"),
        ("<b>&</b>", "\\<b\\>\\&\\</b\\>"),
        ("two\nlines", "two\\\\nlines"),  # one line, the break shown (visibly escaped)
        ("\x1b[2K\u202e", "\\\\x1b\\[2K\\\\u202e"),
        ("", ""),
    ],
)
def test_md_text(raw: str, escaped: str) -> None:
    assert md_text(raw) == escaped


def test_md_code() -> None:
    assert md_code("env.A|B") == "`env.A\\|B`"
    assert md_code("has`tick") == "has\\`tick"
    assert md_code("") == ""


def test_cells_never_break_the_table() -> None:
    finding = dataclasses.replace(MISSING, message="a | b `c`\nd", target="env.X|`Y`")
    row = next(x for x in render(make_report((finding,))).splitlines() if x.startswith("| error"))
    assert row == (
        "| error | `env.missing` | env.X\\|\\`Y\\` | a \\| b \\`c\\`\\\\nd "
        "| `profiles/e2e.yaml:6` |"
    )


def test_fix_commands_fence_outgrows_backticks() -> None:
    assert md_fence(["echo ```x```"], "sh") == ["````sh", "echo ```x```", "````"]


def test_cap_leaves_short_text_alone() -> None:
    text = render(DRIFT_REPORT)
    assert cap_markdown(text) == text


def test_cap_cuts_at_a_line_boundary_and_says_so() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    capped = cap_markdown(text, 500)
    assert len(capped.encode()) <= 500
    body, note = capped.rsplit("\n\n", 1)
    assert text.startswith(body + "\n")
    assert note.startswith("> drift: summary truncated")


def test_cap_closes_an_open_code_fence() -> None:
    text = "intro\n```sh\n" + "".join(f"cmd {i}\n" for i in range(100)) + "```\n"
    capped = cap_markdown(text, 300)
    assert len(capped.encode()) <= 300
    lines = capped.splitlines()
    assert lines.count("```") == 1 and lines[lines.index("```") - 1].startswith("cmd ")


def test_cap_counts_bytes_not_characters() -> None:
    capped = cap_markdown("é" * 100 + "\n" + "é" * 100 + "\n", 300)
    assert len(capped.encode()) <= 300 and capped.startswith("é" * 100 + "\n")


def test_cap_returns_nothing_when_not_even_the_note_fits() -> None:
    assert cap_markdown("x\n" * 100, 20) == ""


def test_step_summary_is_appended_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("## earlier step\n")
    append_step_summary(path, render(DRIFT_REPORT))
    append_step_summary(path, "second")
    text = path.read_text()
    assert text.startswith("## earlier step\n\n## drift · staging")
    assert text.endswith("\n\nsecond\n")


def test_step_summary_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    append_step_summary(path, "hello")
    assert path.read_text() == "hello\n"


def test_step_summary_stays_under_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_bytes(b"x" * (STEP_SUMMARY_LIMIT - 2000) + b"\n")
    big = "".join(f"| row {i} |\n" for i in range(10_000))
    append_step_summary(path, big)
    size = path.stat().st_size
    assert STEP_SUMMARY_LIMIT - 2000 < size <= STEP_SUMMARY_LIMIT
    assert path.read_text().endswith("the JSON report has everything.\n")
    append_step_summary(path, big)
    assert path.stat().st_size == size, "a full file gets nothing more"


def test_notes_are_quoted() -> None:
    report = dataclasses.replace(make_report(), notes=("probes skipped", "a|b"))
    assert render(report).endswith("\n\n> note: probes skipped\n\n> note: a\\|b\n")
