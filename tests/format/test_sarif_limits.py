"""SARIF within GitHub code scanning's limits (revbaseline 4): a run of more than 25,000
results is refused whole and only the top 5,000 are shown, so a log carries at most 5,000,
the most severe first and the ignored last, and says how many it left out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drift.findings import FailOn, Finding, Severity, finding_id
from drift.format import OutputFormat, formatter_for
from drift.format.sarif import FINGERPRINT, sarif_log
from drift.report import Report

KEPT = 5_000
TRUNCATED = "drift.truncated"

SERVICES = tuple(f"svc-{s:04d}" for s in range(1000))


def _finding(service: str, var: str, severity: Severity, *, ignored: bool = False) -> Finding:
    return Finding(
        id=finding_id("prod", service, "env.unexpected", f"env.{var}"),
        rule="env.unexpected",
        severity=severity,
        service=service,
        revision=f"{service}-00001-abc",
        target=f"env.{var}",
        message=f"{var} is set but the profile does not name it",
        expected=None,
        actual="x",
        location=None,
        ignored=ignored,
        ignore_reason="OPS-1" if ignored else None,
    )


def _fleet() -> Report:
    """A first check of 1,000 services with `unexpected_env: warn` (the size `make bench`
    measures): 30 unexpected variables each, an error on every tenth service, and one
    variable silenced by `ignore` on each."""
    findings = [
        _finding(s, f"VAR_{v:02d}", Severity.WARNING, ignored=v == 0)
        for s in SERVICES
        for v in range(30)
    ]
    findings += [_finding(s, "PLAIN", Severity.ERROR) for s in SERVICES[::10]]
    return Report(
        environment="prod",
        project="acme-prod",
        region="us-central1",
        services=SERVICES,
        findings=tuple(findings),
        fail_on=FailOn.ERROR,
    )


def test_sarif_keeps_the_top_results_code_scanning_shows() -> None:
    report = _fleet()
    (run,) = sarif_log(report)["runs"]
    results: list[dict[str, Any]] = run["results"]
    assert len(results) == KEPT
    levels = [r["level"] for r in results]
    assert levels.count("error") == 100  # every error kept
    assert not any("suppressions" in r for r in results)  # the ignored go first
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"] == {"id": TRUNCATED}
    assert note["message"]["text"].startswith(
        "the SARIF log carries the 5,000 most severe of 30,100 results (GitHub code scanning "
        "shows at most 5,000 per run and refuses a run of more than 25,000): 25,100 left out"
    )
    assert run["invocations"][0]["executionSuccessful"] is True  # the check read all it was asked
    assert TRUNCATED in {n["id"] for n in run["tool"]["driver"]["notifications"]}


def test_a_run_within_the_limit_says_nothing_of_it() -> None:
    small = Report(
        environment="prod",
        project="acme-prod",
        region="us-central1",
        services=SERVICES[:1],
        findings=tuple(_finding("svc-0000", f"V{v}", Severity.WARNING) for v in range(10)),
    )
    (run,) = sarif_log(small)["runs"]
    assert len(run["results"]) == 10
    assert "toolExecutionNotifications" not in run["invocations"][0]


def test_the_other_formats_say_what_the_sarif_log_left_out() -> None:
    """`drift check --format github --sarif FILE` (the Action): the note is in the run's own
    output and in the JSON report, not only inside the SARIF log."""
    from drift.cli.check import _sarif_capped

    report = _sarif_capped(_fleet())
    (note,) = [n for n in report.notes if "SARIF" in n]
    assert "25,100 left out" in note
    github = formatter_for(OutputFormat.GITHUB).render(report)
    assert f"drift: note: {note}" in github
    json_report = formatter_for(OutputFormat.JSON).render(report)
    assert "25,100 left out" in json_report
    within = Report(environment="prod", project="acme-prod", region="us-central1", services=())
    assert _sarif_capped(within) is within


def test_results_that_share_an_id_get_a_fingerprint_each_stably() -> None:
    """Two results of one id (findings carried from an older drift's baseline) would be one
    code-scanning alert: each gets a fingerprint of its own, by the rule ids are made unique
    with (drift.same_drift.unique_ids), the same on every run; a lone one keeps its bare id."""
    from drift.format.sarif import _fingerprinted

    one = _finding("api", "MODE", Severity.ERROR)
    other = replace(one, actual="y")
    lone = _finding("web", "MODE", Severity.ERROR)
    runs = [
        [r["partialFingerprints"][FINGERPRINT] for r in _fingerprinted(
            [(f, {"partialFingerprints": {FINGERPRINT: f.id}}) for f in (one, other, lone)]
        )]
        for _ in range(2)
    ]  # fmt: skip
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 3 and runs[0][0] == one.id and runs[0][2] == lone.id
