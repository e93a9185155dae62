"""What a baseline's finding shown again (`resolved`, `unchecked`) holds is masked with what
this run read (helper-716, `drift.diff.older.carried`), where the output's own masking of a
finding left it whole: a registered secret too short to be searched for in text
(`secretforms.SEARCH_MIN`) that is a finding's whole `actual` (`credentials.masked_text`, as
a value read live is shown), and a secret in the `since` the baseline recorded (its creator,
client, note: each a text a server or an older drift wrote). The values are registered after
the baseline is read, as a live read registers them: the baseline comes first."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from drift import redact
from drift.baseline import parse_baseline
from drift.findings import Finding, Location, Severity, Since, finding_id
from drift.format import OutputFormat, formatter_for
from drift.format.json import report_document
from drift.report import Report

ENV = "lab"
SHORT = "pw9x"  # a secret's whole value, below SEARCH_MIN
WORD = "violetquartzfjordheron"  # one word: the final scrub of an output leaves words alone
SINCE = Since(
    revision="app-00002-abc",
    create_time=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
    creator=f"ci-{WORD}@example.com",
    client=f"deployer {WORD}",
    last_good="app-00001-abc",
    note=f"the revision before it said {WORD}",
)


def _finding(target: str, actual: str, since: Since | None = None) -> Finding:
    return Finding(
        id=finding_id(ENV, "app", "setting.value", target),
        rule="setting.value",
        service="app",
        revision="app-00002-abc",
        target=target,
        message=f"{target} on app-00002-abc differs from the profile",
        expected="something else",
        actual=actual,
        severity=Severity.WARNING,
        location=Location("profiles/lab.yaml", 5),
        since=since,
    )


def _compared(services: tuple[str, ...]) -> Report:
    old = _finding("setting.working_dir", SHORT), _finding("setting.command", "run", SINCE)
    before = Report(
        environment=ENV, project="lab", region="us-central1", services=("app",), findings=old
    )
    baseline = parse_baseline("last.json", json.dumps(report_document(before)).encode())
    redact.register(SHORT)  # as this run's live read would
    redact.register(WORD)
    now = Report(environment=ENV, project="lab", region="us-central1", services=services)
    return baseline.compare(now)


@pytest.mark.parametrize("services", [("app",), ("web",)], ids=["resolved", "unchecked"])
def test_a_value_this_run_read_is_masked_in_a_baseline_finding_shown_again(
    services: tuple[str, ...],
) -> None:
    report = _compared(services)
    shown = [*report.resolved, *(u.finding for u in report.unchecked)]
    assert len(shown) == 2
    text = formatter_for(OutputFormat.JSON).render(report)
    assert WORD not in text, text
    assert f'"{SHORT}"' not in text, text
    (working_dir,) = [f for f in shown if f.target == "setting.working_dir"]
    assert working_dir.actual == redact.MASK
    (command,) = [f for f in shown if f.target == "setting.command"]
    assert command.since is not None and command.since.revision == "app-00002-abc"
    assert command.since.creator == "ci-***@example.com"
