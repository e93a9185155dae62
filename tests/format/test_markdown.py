"""`--format markdown`: exact output, escaping, and the capped, append-only step summary."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from drift.findings import BaselineState, Severity, Unverified
from drift.format import OutputFormat, formatter_for
from drift.format.markdown import (
    STEP_SUMMARY_LIMIT,
    MarkdownFormat,
    append_step_summary,
    md_code,
    md_fence,
    md_text,
)
from drift.next_steps import not_enabled
from drift.report import Report
from tests.format.conftest import DRIFT_REPORT, MISSING, Golden, make_finding, make_report


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
        # GitHub's math: text between two `$` would be rendered as an expression
        ("$(HOST):$(PORT)", "<span>$</span>(HOST):<span>$</span>(PORT)"),
    ],
)
def test_md_text(raw: str, escaped: str) -> None:
    assert md_text(raw) == escaped


def test_md_code() -> None:
    assert md_code("env.A|B") == "`env.A\\|B`"
    assert md_code("has`tick") == "has\\`tick"
    assert md_code("") == ""


def test_cells_never_break_the_table() -> None:
    finding = dataclasses.replace(
        MISSING, message="a | b `c`\nd", target="env.X|`Y`", expected="p|q\nr", actual="`s`"
    )
    row = next(x for x in render(make_report((finding,))).splitlines() if x.startswith("| error"))
    assert row == (
        "| error | `env.missing` | env.X\\|\\`Y\\` | a \\| b \\`c\\`\\\\nd"
        "<br>expected: `p\\|q\\nr`<br>actual: \\`s\\` | `profiles/e2e.yaml:6` |"
    )


def test_expected_and_actual_are_said_as_in_the_table() -> None:
    """revformats 4: the summary said "NEXT_PUBLIC_WS_URL differs from the profile" without
    the values the table, the annotations and SARIF give; they are said, masked as there."""
    text = render(DRIFT_REPORT)
    assert "<br>expected: `pattern ^https://`<br>actual: `http://localhost:8081`" in text
    assert "JWT\\_SECRET\\_KEY holds a plain value" in text
    assert "<br>actual: `*** (changed)`" in text  # masked on the data, as in the table


def test_fix_commands_fence_outgrows_backticks() -> None:
    assert md_fence(["echo ```x```"], "sh") == ["````sh", "echo ```x```", "````"]


def fleet(services: int, warnings: int) -> Report:
    """One error and `warnings` warnings per service, a gap in the last service."""
    findings = []
    for i in range(services):
        name = f"svc-{i:04d}"
        findings.append(make_finding("env.value", Severity.ERROR, name, "env.A", f"on {name}-x"))
        findings += [
            make_finding("env.unexpected", Severity.WARNING, name, f"env.W{w}", "set, not expected")
            for w in range(warnings)
        ]
    gap = Unverified(f"svc-{services - 1:04d}", "service", "PERMISSION_DENIED")
    report = make_report(tuple(findings), unverified=(gap,), fix_commands=("gcloud run ...",))
    return dataclasses.replace(report, notes=("a note",))


def cut(report: Report, limit: int) -> str:
    return MarkdownFormat(limit).render(report)


def test_a_summary_that_fits_is_the_whole() -> None:
    assert cut(DRIFT_REPORT, STEP_SUMMARY_LIMIT) == render(DRIFT_REPORT)
    assert len(render(DRIFT_REPORT).encode()) < 10_000


def test_a_cut_summary_keeps_every_error_then_gaps_then_warnings() -> None:
    """Too large: the rows of every service in one table, errors first across services, then
    what could not be verified, then warnings, cut from the least severe end, with a line
    counting what was left out and where it is (revci F1)."""
    report = fleet(60, 20)
    whole = len(render(report).encode())
    text = cut(report, whole // 3)
    assert len(text.encode()) <= whole // 3
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    kinds = [row.split(" | ")[0][2:] for row in rows[1:]]
    assert kinds[:61] == ["error"] * 60 + ["could not verify"]
    assert set(kinds[61:]) == {"warning"} and 0 < len(kinds) - 61 < 60 * 20
    assert all(f"on svc-{i:04d}-x" in text for i in range(60))
    left = 60 * 20 - (len(kinds) - 61)
    assert text.endswith(
        f"{left} warnings left out, the least severe; the repair script too. The JSON report "
        "(`--json FILE`; the GitHub Action's `report-file`, kept as an artifact or in the "
        "cache) has them all.\n"
    )
    assert "> note: a note" in text


def test_when_even_the_errors_do_not_fit_they_are_counted() -> None:
    text = cut(fleet(60, 2), 4000)
    assert len(text.encode()) <= 4000
    assert re.search(r"\d+ errors, 1 unverified item, 120 warnings left out", text), text
    assert "| error | `env.value` | svc-0000 |" in text


def test_a_cut_summary_keeps_a_new_warning_over_unchanged_ones() -> None:
    """Within a level, what is new or updated since the baseline comes first, as in the GitHub
    annotations: a cut summary does not leave out the warning that fails a --fail-on-new run
    while keeping unchanged ones (revdiff2 item 3; the warnings of a service with an error
    came first)."""
    old = fleet(40, 5).findings
    new = make_finding("env.unexpected", Severity.WARNING, "aaa", "env.NEW_ONE", "new drift")
    findings = (
        *(dataclasses.replace(f, baseline=BaselineState.UNCHANGED) for f in old),
        dataclasses.replace(new, baseline=BaselineState.NEW),
    )
    report = dataclasses.replace(
        make_report(findings), baseline="last.json", fail_on_new=True, unverified=()
    )
    whole = len(render(report).encode())
    text = cut(report, whole // 2)
    assert "warnings left out" in text
    assert "env.NEW_ONE" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    warnings = [row for row in rows if row.startswith("| warning ")]
    assert warnings[0].startswith("| warning **new** | `env.unexpected` | aaa | `env.NEW_ONE` |")


def test_a_cut_summary_keeps_the_hint_its_rows_send_the_reader_to() -> None:
    """A SERVICE_DISABLED row says '… is not enabled in project P (see the hint)' (143c332,
    `condensed`): the cut summary printed no hint, so the command to enable the API was
    nowhere in it (revown33 F2)."""
    said = not_enabled("secretmanager.googleapis.com", "acme-staging")
    reason = (
        "GetSecretVersion projects/acme-staging/secrets/k/versions/latest: PERMISSION_DENIED: "
        f"{said}. Secret Manager API has not been used in project 1 before or it is disabled."
    )
    gap = Unverified("api", "secret.k", reason)
    findings = tuple(
        make_finding("env.missing", Severity.WARNING, "api", f"env.V{i}", "x" * 200)
        for i in range(400)
    )
    text = cut(make_report(findings, unverified=(gap,)), 20_000)
    assert len(text.encode()) <= 20_000
    assert "this summary is cut" in text
    assert "(see the hint)" in text
    command = "gcloud services enable secretmanager.googleapis.com --project acme-staging"
    lines = text.splitlines()
    hints = [line for line in lines if line.startswith("- hint: ") and command in line]
    assert len(hints) == 1, text[-3000:]
    hint = hints[0]
    assert hint in render(make_report(findings, unverified=(gap,))).splitlines()  # as whole
    # after the table, not in it: a blank line ends it
    at = lines.index(hint)
    assert lines[at - 1] == "" and lines[at - 2].startswith("| ")


def test_a_summary_is_empty_when_not_even_the_count_fits() -> None:
    assert cut(fleet(3, 3), 300) == ""


def test_step_summary_is_appended_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("## earlier step\n")
    append_step_summary(path, DRIFT_REPORT)
    append_step_summary(path, DRIFT_REPORT)
    text = path.read_text()
    assert text.startswith("## earlier step\n\n## drift · staging")
    assert text.endswith("\n\n" + render(DRIFT_REPORT))


def test_step_summary_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new.md"
    append_step_summary(path, DRIFT_REPORT)
    assert path.read_text() == render(DRIFT_REPORT)


def test_step_summary_stays_under_the_limit(tmp_path: Path) -> None:
    """What an earlier step wrote leaves less room: the summary is cut to what is left."""
    path = tmp_path / "summary.md"
    path.write_bytes(b"x" * (STEP_SUMMARY_LIMIT - 200_000) + b"\n")
    report = fleet(300, 30)
    append_step_summary(path, report)
    size = path.stat().st_size
    assert STEP_SUMMARY_LIMIT - 200_000 < size <= STEP_SUMMARY_LIMIT
    text = path.read_text()
    assert "has them all.\n" in text and all(f"on svc-{i:04d}-x" in text for i in range(300))
    append_step_summary(path, report)
    assert path.stat().st_size == size, "a full file gets nothing more"


def test_notes_are_quoted() -> None:
    report = dataclasses.replace(make_report(), notes=("probes skipped", "a|b"))
    assert render(report).endswith("\n\n> note: probes skipped\n\n> note: a\\|b\n")


@pytest.mark.parametrize(("probes", "headline"), [((), "nothing to probe"), (1, "all passed")])
def test_a_probe_runs_headline_says_what_the_probes_did(probes: object, headline: str) -> None:
    """helper-533 F5: `drift probe --format markdown` with no probe said `clean` above "0
    probes … nothing to probe"; a probe run compares no configuration."""
    from tests.format.conftest import OK_PROBE

    report = dataclasses.replace(make_report(probes=(OK_PROBE,) if probes else ()), compared=False)
    assert render(report).splitlines()[0] == f"## drift · staging: {headline}"


def test_a_cut_that_keeps_every_row_says_so() -> None:
    """Over the limit whole, but every row fits in the one table across services: the note
    says what was cut (the sections), not "no row left out" (helper-603 F4)."""
    report = fleet(60, 1)
    whole = len(render(report).encode())
    text = cut(report, whole - 1)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) - 1 == 60 + 1 + 60  # every error, the gap, every warning
    assert "left out, the least severe" not in text and "no row" not in text
    assert text.endswith(
        "every row kept, in one table across services; the repair script left out. The JSON "
        "report (`--json FILE`; the GitHub Action's `report-file`, kept as an artifact or in "
        "the cache) has them all.\n"
    )
