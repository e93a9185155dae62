"""SARIF within GitHub code scanning's limits (revbaseline 4): a run of more than 25,000
results is refused whole and only the top 5,000 are shown, so a log carries at most 5,000,
the most severe first and the ignored last, and says how many it left out."""

from __future__ import annotations

import base64
import gzip
import json
import random
from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from drift.findings import FailOn, Finding, Location, Severity, finding_id
from drift.format import OutputFormat, formatter_for, sarif, sarif_results
from drift.format.sarif import sarif_log
from drift.format.sarif_results import FINGERPRINT
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


@cache
def _fleet(count: int = len(SERVICES)) -> Report:
    """A first check of 1,000 services (or the first `count`) with `unexpected_env: warn` (the
    size `make bench` measures): 30 unexpected variables each, an error on every tenth
    service, and one variable silenced by `ignore` on each. Built once: a Report is frozen, no
    test changes it."""
    services = SERVICES[:count]
    findings = [
        _finding(s, f"VAR_{v:02d}", Severity.WARNING, ignored=v == 0)
        for s in services
        for v in range(30)
    ]
    findings += [_finding(s, "PLAIN", Severity.ERROR) for s in services[::10]]
    return Report(
        environment="prod",
        project="acme-prod",
        region="us-central1",
        services=services,
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
        "shows at most 5,000 per run, refuses a run of more than 25,000 and a file over 10 MB "
        "gzip-compressed): 25,100 left out"
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
    output and in the JSON report, not only inside the SARIF log. 200 services: 6,020
    results, past the 5,000 kept (the formats render every finding: 30,100 took seconds)."""
    from drift.cli.check import _sarif_capped

    report, _ = _sarif_capped(_fleet(200))
    (note,) = [n for n in report.notes if "SARIF" in n]
    assert "the 5,000 most severe of 6,020 results" in note and "1,020 left out" in note
    github = formatter_for(OutputFormat.GITHUB).render(report)
    assert f"drift: note: {note}" in github
    json_report = formatter_for(OutputFormat.JSON).render(report)
    assert "1,020 left out" in json_report
    within = Report(environment="prod", project="acme-prod", region="us-central1", services=())
    assert _sarif_capped(within)[0] is within


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


def _long_values(services: int, per_service: int, size: int) -> Report:
    """`services` x `per_service` changed values of `size` characters each, PEM- or
    token-like (random base64: they hardly compress), the last service's only errors."""
    rnd = random.Random(7)

    def value() -> str:  # base64 of random bytes: the alphabet of a PEM body or a token
        return base64.b64encode(rnd.randbytes((size + 3) // 4 * 3)).decode()[:size]

    names = tuple(f"svc-{s:03d}" for s in range(services))
    findings = [
        Finding(
            id=finding_id("prod", s, "env.changed", f"env.V{v}"),
            rule="env.changed",
            severity=Severity.ERROR if s == names[-1] else Severity.WARNING,
            service=s,
            revision=f"{s}-00001-abc",
            target=f"env.V{v}",
            message=f"V{v} differs from the profile",
            expected=value(),
            actual=value(),
            location=Location("profiles/prod.yaml", 10 + v),
        )
        for s in names
        for v in range(per_service)
    ]
    return Report(
        environment="prod",
        project="acme-prod",
        region="us-central1",
        services=names,
        findings=tuple(findings),
        fail_on=FailOn.ERROR,
    )


def _gzipped(text: str) -> int:
    return len(gzip.compress(text.encode(), compresslevel=6))


def test_sarif_of_a_large_fleet_with_long_values_stays_under_the_upload_limit() -> None:
    """docs.github.com code-scanning/troubleshooting-sarif-uploads/file-too-large: a SARIF file
    over 10 MB gzip-compressed is refused whole (no alert at all). 200 services x 30 changed
    values of 1.4 KB (a PEM certificate, a signed token): on main, 5,000 results of 10.8 MB
    gzip-compressed (revgha F1). Each value in a message is cut, marked, the rest counted."""
    report = _long_values(200, 30, 1400)
    text = formatter_for(OutputFormat.SARIF).render(report)
    assert _gzipped(text) <= 10 * 1000 * 1000
    (run,) = json.loads(text)["runs"]
    assert len(run["results"]) == KEPT  # cut values leave room for all 5,000
    message = run["results"][0]["message"]["text"]
    expected, actual = message.split("\n")[1:3]
    mark = "… (900 more characters; the JSON report has it whole)"
    assert expected.startswith("expected: ") and expected.endswith(mark)
    assert actual.startswith("actual: ") and actual.endswith(mark)
    assert len(expected) == len("expected: ") + sarif_results.VALUE_CHARS + len(mark)


def test_a_log_over_the_upload_limit_leaves_the_least_severe_out_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Values of 32 KiB (Cloud Run's EnvVar.value limit) by the thousand are over the limit
    even cut: results are left out past it too, the least severe first, and the truncation
    notification counts them (measured with a smaller limit: the same code path)."""
    monkeypatch.setattr(sarif, "UPLOAD_BYTES", 300_000)
    report = _long_values(20, 30, 600)
    text = formatter_for(OutputFormat.SARIF).render(report)
    assert _gzipped(text) <= 300_000
    (run,) = json.loads(text)["runs"]
    kept = len(run["results"])
    assert 100 < kept < 600
    assert [r["level"] for r in run["results"][:30]] == ["error"] * 30  # the errors kept
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"] == {"id": TRUNCATED}
    assert note["message"]["text"].startswith(
        f"the SARIF log carries the {kept:,} most severe of 600 results"
    )
    assert f"{600 - kept:,} left out" in note["message"]["text"]


def test_a_log_well_under_the_limit_is_not_compressed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep it fast (`make bench` renders 6,000 findings): below the bound of what gzip can
    make of it, the log is never compressed to be measured."""
    monkeypatch.setattr(sarif.gzip, "compress", None)
    text = formatter_for(OutputFormat.SARIF).render(_fleet())
    assert len(json.loads(text)["runs"][0]["results"]) == KEPT
