"""Killer tests of mutation round 4 (revmutant4): every text of a report that a format can
print is masked on the data (drift.format.interface.masked), whatever part of the report holds
it: the resolved findings of a baseline, the findings it could not check again, the repair
script, a proof's note, an ignore's reason and a constraint's failures."""

from __future__ import annotations

import dataclasses

import pytest

from drift import redact
from drift.findings import BaselineState
from drift.format import OutputFormat, formatter_for
from drift.report import Proof, Report, Unchecked
from tests.format.conftest import (
    CONSTRAINT,
    FAILED_PROBE,
    IGNORED,
    MISSING,
    OK_PROBE,
    SETTING,
    make_report,
)

MARK = "qzkill4"
SECRET = f"s3cr3t-{MARK}-value"


@pytest.fixture(autouse=True)
def _registered(_process_state_of_this_test_only: None) -> None:
    redact.register(SECRET)


def _quoted_in(part: str) -> Report:
    """A report that quotes the secret in only one of its parts."""
    base = make_report((MISSING, SETTING))
    quoted = dataclasses.replace(MISSING, message=f"was set to {SECRET}", actual=SECRET)
    if part == "resolved":
        return dataclasses.replace(
            base,
            baseline="baseline.json",
            resolved=(dataclasses.replace(quoted, baseline=BaselineState.ABSENT),),
        )
    if part == "unchecked":
        carried = dataclasses.replace(quoted, baseline=BaselineState.UNCHANGED)
        return dataclasses.replace(
            base, baseline="baseline.json", unchecked=(Unchecked(carried, "not checked"),)
        )
    if part == "fix_commands":
        return dataclasses.replace(
            base, fix_commands=(f"gcloud run services update api --update-env-vars K={SECRET}",)
        )
    if part == "proof_note":
        proof = Proof(before=FAILED_PROBE, canary=OK_PROBE, note=f"the tag answered {SECRET}")
        return dataclasses.replace(base, proofs=(proof,))
    if part == "ignore_reason":
        ignored = dataclasses.replace(IGNORED, ignore_reason=f"value {SECRET} is fine")
        return make_report((MISSING, ignored))
    if part == "failed":
        failing = dataclasses.replace(CONSTRAINT, failed=(f"is {SECRET}, not one of a, b",))
        return make_report((MISSING, failing))
    raise AssertionError(part)


PARTS = ("resolved", "unchecked", "fix_commands", "proof_note", "ignore_reason", "failed")


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("part", PARTS)
def test_a_secret_quoted_in_any_part_of_a_report_reaches_no_format(
    fmt: OutputFormat, part: str
) -> None:
    report = _quoted_in(part)
    assert SECRET in repr(report)  # the data holds it: only the masking keeps it out
    assert MARK not in formatter_for(fmt, width=200).render(report)


@pytest.mark.parametrize("part", PARTS)
def test_masked_masks_every_part(part: str) -> None:
    """The data itself, whatever a format chooses to print of it."""
    from drift.format.interface import masked

    assert MARK not in repr(masked(_quoted_in(part)))


def test_an_annotation_of_few_characters_but_many_utf16_units_is_cut() -> None:
    """G02: 3,000 emoji are 3,000 characters but 6,000 UTF-16 units, what the runner counts
    (actions/runner ExecutionContext.cs `_maxIssueMessageLength = 4096`): the message must be
    cut by units, not by characters (the existing case of 5,000 emoji is over 4,096 either
    way)."""
    from tests.format.test_github import _long, _message

    message = _message(_long(None, "😀" * 3000))
    assert len(message.encode("utf-16-le")) // 2 <= 4096
    assert "more characters; the JSON report has it whole" in message


def test_the_resolved_notice_comes_after_the_gaps() -> None:
    """G03: the annotations run errors, then what could not be verified (it makes the run
    incomplete), then the notice of what the baseline had and is gone, then warnings
    (drift.format.github `GitHubFormat.compose`)."""
    from drift.findings import Unverified
    from drift.format.github import GitHubFormat

    gap = Unverified("auth", "secret.fernet-key", "PERMISSION_DENIED: denied")
    report = dataclasses.replace(
        make_report((MISSING, SETTING), unverified=(gap,)),
        baseline="baseline.json",
        resolved=(dataclasses.replace(CONSTRAINT, baseline=BaselineState.ABSENT),),
    )
    lines = GitHubFormat().render(report).splitlines()
    gap_at = next(i for i, line in enumerate(lines) if "could not be verified" in line)
    resolved_at = next(i for i, line in enumerate(lines) if "title=drift resolved" in line)
    error_at = next(i for i, line in enumerate(lines) if line.startswith("::error "))
    assert error_at < gap_at < resolved_at


def test_the_step_summary_is_scrubbed_whatever_the_data_masking_missed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """K07: `append_step_summary` writes a file no `emit` scrubs: its own `scrub` is the only
    defence in depth for a text the data masking does not cover (an unverified item's target
    is not masked on the data: drift.format.interface.masked)."""
    from drift.findings import Unverified
    from drift.format.markdown import append_step_summary

    gap = Unverified("auth", f"env.{SECRET}", "PERMISSION_DENIED: denied")
    summary = tmp_path / "summary.md"
    append_step_summary(summary, make_report((MISSING,), unverified=(gap,)))
    text = summary.read_text()
    assert "could not be verified" in text.lower() or "Could not verify" in text
    assert MARK not in text


def test_sarif_keeps_what_counts_before_what_an_ignore_silenced() -> None:
    """S03: past `RESULTS_KEPT` the log keeps those that count before the ignored, then the
    most severe (`_kept`): an ignored error never pushes out a warning that counts."""
    from drift.findings import Severity
    from drift.format.sarif import sarif_log

    silenced = dataclasses.replace(MISSING, ignored=True, ignore_reason="OPS-1")
    assert silenced.severity is Severity.ERROR and CONSTRAINT.severity is Severity.WARNING
    results = sarif_log(make_report((silenced, CONSTRAINT)), keep=1)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [CONSTRAINT.rule]


def test_sarif_cuts_one_long_value_beside_a_short_one() -> None:
    """S04: each value over `VALUE_CHARS` is cut in the SARIF message, whether or not the
    other is short."""
    from drift.format.sarif import sarif_log
    from drift.format.sarif_results import VALUE_CHARS

    long = dataclasses.replace(CONSTRAINT, expected="short", actual="A" * (VALUE_CHARS * 4))
    (result,) = sarif_log(make_report((long,)))["runs"][0]["results"]
    assert "more characters; the JSON report has it whole" in result["message"]["text"]
    assert "A" * (VALUE_CHARS + 1) not in result["message"]["text"]


def test_cut_marks_a_value_one_character_over() -> None:
    """D03: `cut` keeps `limit` characters; one more is cut and counted."""
    from drift.format.summary import cut

    assert cut("x" * 10, 10) == "x" * 10
    assert cut("x" * 11, 10).startswith("x" * 10 + "… (1 more characters")


def test_a_cut_step_summary_says_the_resolved_findings_are_left_out_too() -> None:
    """D02: the cut summary's note names every section it drops (the resolved findings of a
    baseline among them), so that a reader knows where to look."""
    from drift.format.markdown import MarkdownFormat
    from tests.format.conftest import DRIFT_REPORT

    report = dataclasses.replace(
        DRIFT_REPORT,
        baseline="baseline.json",
        resolved=(dataclasses.replace(CONSTRAINT, baseline=BaselineState.ABSENT),),
    )
    whole = MarkdownFormat().render(report)
    cut = MarkdownFormat(len(whole.encode()) * 3 // 4).render(report)
    assert "cut to fit" in cut
    assert "the resolved findings" in cut
