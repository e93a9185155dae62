"""A baseline written by a drift from before 2026-11-29 (0bf9d3ce, 2eb9cf0f), which showed a
short plain value under a password's name (`DB_PASSWORD=hunter2`) as it was: this drift shows
such a live value as `***` however short (`drift.diff.describe.mask_plain`), and README "Drift
over time" says a baseline's text "is treated like live values". Read back, the value was
carried unmasked into this run's JSON report (`resolved`, and `unchecked`, which the next run
reads again: for ever), and the same drift, now shown `***`, compared as `updated` (revdiff88
F1)."""

from __future__ import annotations

import json

from drift.baseline import parse_baseline
from drift.findings import BaselineState, Finding, Location, Severity, finding_id
from drift.format.json import report_document
from drift.redact import MASK
from drift.report import Report

ENV = "lab"


def _finding(rule: str, target: str, actual: str | None, expected: str | None = None) -> Finding:
    name = target.removeprefix("env.")
    return Finding(
        id=finding_id(ENV, "app", rule, target),
        rule=rule,
        service="app",
        revision="app-00001-abc",
        target=target,
        message=f"{name} on app-00001-abc differs from the profile",
        expected=expected,
        actual=actual,
        severity=Severity.ERROR if rule == "env.value" else Severity.WARNING,
        location=Location("profiles/lab.yaml", 5),
    )


def _report(*findings: Finding, services: tuple[str, ...] = ("app",)) -> Report:
    return Report(
        environment=ENV, project="lab", region="us-central1", services=services, findings=findings
    )


OLD = (
    _finding("env.value", "env.DB_PASSWORD", "hunter2", "s3cr3t-in-profile"),
    _finding("env.unexpected", "env.ADMIN_PASS", "pa55w0rd"),
    _finding("env.forbidden", "env.SMTP_PASSWORD", "letmein", "absent"),
    # what is no value: a reference as drift shows it, and a harmless plain value
    _finding("env.value", "env.API_TOKEN", "secret api-token:2", "v1"),
    _finding("env.unexpected", "env.DEBUG", "true"),
)


def _older_baseline() -> bytes:
    return json.dumps(report_document(_report(*OLD))).encode()


def test_a_short_password_an_older_drift_showed_is_not_carried_into_this_report() -> None:
    baseline = parse_baseline("last.json", _older_baseline())
    resolved = baseline.compare(_report()).resolved  # all gone this run
    shown = json.dumps(report_document(baseline.compare(_report()))) + repr(resolved)
    for value in ("hunter2", "pa55w0rd", "letmein"):
        assert value not in shown
    actual = {f.target: f.actual for f in resolved}
    assert actual["env.DB_PASSWORD"] == MASK
    assert actual["env.API_TOKEN"] == "secret api-token:2"  # a reference, no value
    assert actual["env.DEBUG"] == "true"
    assert actual["env.SMTP_PASSWORD"] == MASK
    assert [f.expected for f in resolved if f.target == "env.DB_PASSWORD"] == ["s3cr3t-in-profile"]


def test_a_baselines_findings_left_unchecked_carry_it_no_further() -> None:
    """Not checked this run (another workload only): kept under `unchecked`, which the next
    run reads as its baseline."""
    report = parse_baseline("last.json", _older_baseline()).compare(_report(services=("web",)))
    assert len(report.unchecked) == len(OLD)
    assert "hunter2" not in json.dumps(report_document(report))


def test_the_same_drift_now_shown_masked_is_unchanged() -> None:
    baseline = parse_baseline("last.json", _older_baseline())
    now = _finding("env.value", "env.DB_PASSWORD", MASK, "s3cr3t-in-profile")
    (compared,) = baseline.compare(_report(now)).findings
    assert compared.baseline is BaselineState.UNCHANGED
