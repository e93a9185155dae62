"""An annotation keeps what it is for within the 4,096 UTF-16 units the runner keeps of its
message (actions/runner ExecutionContext.cs `AddIssue`, `_maxIssueMessageLength`: the rest is
dropped unmarked), whatever a name quoted in it holds. Cloud Run takes a variable's name of
up to 32,768 characters (google.cloud.run.v2.EnvVar `name`: "Must not exceed 32768
characters"): an item that could not be verified at such a name lost why (the reason comes
after the target), and the notice of what was resolved lost the others it names and its
count (revout88 F4). Findings' messages were cut already (revgha F2)."""

from __future__ import annotations

import dataclasses

from drift.findings import Unverified
from drift.format import OutputFormat, formatter_for
from drift.format.github import MESSAGE_UNITS
from drift.report import Report
from tests.format.conftest import MISSING, make_report
from tests.runner_commands import commands

LONG = "N" * 32_768


def _annotations(report: Report) -> list[tuple[str, dict[str, str], str]]:
    return commands(formatter_for(OutputFormat.GITHUB).render(report))


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_an_unverified_item_at_a_long_name_says_why() -> None:
    why = "PERMISSION_DENIED: caller lacks secretmanager.versions.access"
    item = Unverified("api", f"env.{LONG}", why)
    [(level, _, message)] = _annotations(dataclasses.replace(make_report(), unverified=(item,)))
    assert level == "warning"
    assert _units(message) <= MESSAGE_UNITS
    assert message.endswith(f"could not be verified: {why}")
    assert "more characters" in message


def test_the_resolved_notice_names_each_and_counts_the_rest() -> None:
    gone = tuple(
        dataclasses.replace(MISSING, id=f"{i:016x}", target=f"env.{i:02d}{LONG}") for i in range(25)
    )
    report = dataclasses.replace(make_report(), baseline="last.json", resolved=gone)
    [(level, props, message)] = _annotations(report)
    assert (level, props["title"]) == ("notice", "drift resolved")
    assert _units(message) <= MESSAGE_UNITS
    assert all(f"env.{i:02d}N" in message for i in range(20))
    assert message.endswith("and 5 more")


def test_a_finding_on_a_long_name_still_says_expected_and_actual() -> None:
    """The message of a finding quotes its variable's name: a 32,768-character one left no
    room, and the whole text was cut at its end, expected and actual with it."""
    finding = dataclasses.replace(
        MISSING,
        target=f"env.{LONG}",
        message=f"{LONG} is set on api but the profile does not name it",
        expected=None,
        actual="https://attacker.example/collect",
    )
    [(level, _, message)] = _annotations(make_report((finding,)))
    assert level == "error"
    assert _units(message) <= MESSAGE_UNITS
    lines = message.split("\n")
    assert lines[0].startswith("NNNN") and "more characters" in lines[0]
    assert lines[1:] == ["expected: (not set)", "actual: https://attacker.example/collect"]
