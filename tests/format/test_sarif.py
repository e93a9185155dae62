"""`--format sarif`: exact output, valid SARIF 2.1.0, locations, fingerprints, suppressions."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from drift import __version__
from drift.baseline import parse_baseline
from drift.findings import BaselineState, Location, Severity, Unverified
from drift.format import OutputFormat, formatter_for, summary
from drift.format.sarif_results import FINGERPRINT, LINE_HASH
from drift.format.summary import artifact_uri
from drift.report import Report
from drift.rules import RULES
from tests.format.conftest import (
    CLOSE_1011,
    CONSTRAINT,
    DATA,
    DISABLED,
    DRIFT_REPORT,
    IGNORED,
    INCOMPLETE_REPORT,
    MISSING,
    PLAINTEXT,
    ROLLOUT,
    SETTING,
    UNVERIFIED,
    Golden,
    make_finding,
    make_report,
)

SCHEMA: dict[str, Any] = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())


def render(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(formatter_for(OutputFormat.SARIF).render(report))
    return data


def results(report: Report) -> dict[str, dict[str, Any]]:
    """Results by their drift finding id."""
    runs = render(report)["runs"]
    return {r["partialFingerprints"][FINGERPRINT]: r for run in runs for r in run["results"]}


def test_exact_output(golden: Golden) -> None:
    # One golden file: the rule metadata would repeat in each; the others are checked below.
    golden("drift.sarif", formatter_for(OutputFormat.SARIF).render(DRIFT_REPORT))


def test_valid_against_the_official_schema(named_report: tuple[str, Report]) -> None:
    _, report = named_report
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    validator.validate(render(report))


def test_log_and_driver() -> None:
    log = render(DRIFT_REPORT)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    config, probes = log["runs"]  # the report probed: the probes are an analysis of their own
    for run in (config, probes):
        driver = run["tool"]["driver"]
        assert (driver["name"], driver["version"]) == ("drift", __version__)
        assert driver["informationUri"] == "https://drift.example/docs"
    assert config["automationDetails"] == {"id": "drift/staging/"}
    assert probes["automationDetails"]["id"] == "drift/staging/probe/"
    assert [r["ruleId"] for r in probes["results"]] == [CLOSE_1011.rule]
    assert CLOSE_1011.rule not in {r["ruleId"] for r in config["results"]}


def test_every_rule_is_described_once_and_indexed() -> None:
    runs = render(DRIFT_REPORT)["runs"]
    # each analysis describes its own rules: the configuration's, the probes'
    probing = [rule for rule in RULES if rule.startswith("probe.")]
    said = [[r["id"] for r in run["tool"]["driver"]["rules"]] for run in runs]
    assert said == [[r for r in RULES if r not in probing], probing]
    for run in runs:
        for result in run["results"]:
            assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    rules = runs[0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    plaintext = rules[ids.index("env.plaintext_secret")]
    assert plaintext["name"] == "SecretInPlainText"
    assert plaintext["properties"]["security-severity"] == "8.0"
    assert "security" in plaintext["properties"]["tags"]
    assert plaintext["defaultConfiguration"] == {"level": "error"}
    missing = rules[ids.index("env.missing")]
    assert "security-severity" not in missing["properties"]
    unexpected = rules[ids.index("env.unexpected")]
    assert unexpected["defaultConfiguration"] == {"level": "warning"}


def test_levels_messages_and_locations() -> None:
    found = results(DRIFT_REPORT)
    assert found[MISSING.id]["level"] == "error"
    assert found[CONSTRAINT.id]["level"] == "warning"
    assert found[SETTING.id]["level"] == "note"
    assert found[PLAINTEXT.id]["message"]["text"] == (
        "JWT_SECRET_KEY holds a plain value, expected a Secret Manager reference\n"
        "expected: secret jwt-secret-staging:latest\nactual: *** (changed)"
    )
    assert found[CLOSE_1011.id]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "profiles/staging.yaml"},
                "region": {"startLine": 30},
            }
        }
    ]
    odd = found[CONSTRAINT.id]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert odd == {"uri": "profiles/odd%2Cname%3Av2.yaml"}


def test_result_without_location_has_no_locations() -> None:
    assert "locations" not in results(DRIFT_REPORT)[ROLLOUT.id]


def test_code_scanning_tells_results_apart_by_finding_id_not_by_line() -> None:
    """Code scanning uses `primaryLocationLineHash` alone (sarif-support-for-code-scanning,
    `partialFingerprints`), which upload-sarif otherwise hashes from the result's line: three
    variables unexpected on one service, all placed at its entry's line, would be one alert,
    and an edit near the line a new one. Each result carries its finding id as that hash."""
    entry = Location("profiles/staging.yaml", 40)
    unexpected = tuple(
        make_finding("env.unexpected", Severity.ERROR, "web", f"env.{name}", "", location=entry)
        for name in ("A", "B", "C")
    )
    moved = replace(unexpected[0], location=Location("profiles/staging.yaml", 41))
    hashes = [
        [
            r["partialFingerprints"][LINE_HASH]
            for r in render(make_report(found))["runs"][0]["results"]
        ]
        for found in (unexpected, (moved,))
    ]
    assert hashes[0] == [f.id for f in unexpected]
    assert hashes[1] == [unexpected[0].id]  # its line moved: the same alert


def test_ignored_findings_are_suppressed_not_dropped() -> None:
    found = results(DRIFT_REPORT)
    assert found[IGNORED.id]["suppressions"] == [
        {"kind": "external", "justification": "tracked in OPS-42"}
    ]
    assert all("suppressions" not in r for i, r in found.items() if i != IGNORED.id)


def test_artifact_uri_is_relative_with_forward_slashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A separator of the system is `/`; a POSIX name's `\\` is a character (helper-755 L2)."""
    assert artifact_uri(Location("a:b.yaml", 1)) == "a%3Ab.yaml"
    monkeypatch.setattr(summary, "SEPARATORS", ("\\",))  # as on Windows
    assert artifact_uri(Location("profiles\\prod env.yaml", 1)) == "profiles/prod%20env.yaml"
    monkeypatch.setattr(summary, "SEPARATORS", ())  # as on POSIX
    assert artifact_uri(Location("pro\\files/prod.yaml", 1)) == "pro%5Cfiles/prod.yaml"


def incomplete_by_sarif(invocation: dict[str, Any]) -> bool:
    """SARIF 2.1.0 Appendix I, "Detecting incomplete result sets": `executionSuccessful`
    false, or a tool execution notification of level "error"."""
    levels = [n["level"] for n in invocation.get("toolExecutionNotifications", [])]
    return invocation["executionSuccessful"] is False or "error" in levels


def test_unverified_items_are_tool_notifications() -> None:
    invocation = render(INCOMPLETE_REPORT)["runs"][0]["invocations"][0]
    assert invocation["exitCode"] == 3
    assert invocation["exitCodeDescription"] == "not clean"  # the summary line's words
    assert invocation["executionSuccessful"] is False  # the lead's and SARIF's reading alike
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"  # an incomplete run is never clean, by SARIF's own test
    assert incomplete_by_sarif(invocation)
    assert not incomplete_by_sarif(render(make_report())["runs"][0]["invocations"][0])
    assert "PERMISSION_DENIED" in note["message"]["text"]
    assert "toolExecutionNotifications" not in render(make_report())["runs"][0]["invocations"][0]


def test_the_exit_code_is_described_in_the_summary_line_words() -> None:
    """A `--fail-on-new` run whose only new finding is a warning below --fail-on error: exit
    0, and not "drift" bare, which reads as a failure (revci65 F1)."""
    new = replace(CONSTRAINT, baseline=BaselineState.NEW)
    report = replace(make_report((new,)), baseline="base.json", fail_on_new=True)
    invocation = render(report)["runs"][0]["invocations"][0]
    assert (invocation["exitCode"], invocation["exitCodeDescription"]) == (
        0,
        "drift, nothing new at or above --fail-on error",
    )


def test_what_a_baseline_run_could_not_check_again_stays_and_what_is_resolved_goes() -> None:
    """Code scanning closes an alert as fixed when its result is gone from the newest analysis
    and ignores `kind: pass` (revgh bugs 1 and 3): a finding of the baseline on a service
    this run could not read is carried forward, one that is resolved is left out."""
    before = formatter_for(OutputFormat.JSON).render(make_report((DISABLED, ROLLOUT)))
    baseline = parse_baseline("last.json", before.encode())
    denied = Unverified("auth", "service", "PERMISSION_DENIED: caller lacks run.services.get")
    report = baseline.compare(make_report((), unverified=(denied,)))
    assert [f.id for f in report.resolved] == [ROLLOUT.id]  # still listed in JSON/markdown
    log = render(report)
    found = {r["partialFingerprints"][FINGERPRINT]: r for r in log["runs"][0]["results"]}
    assert list(found) == [DISABLED.id]  # the resolved ROLLOUT is no result: its alert closes
    carried = found[DISABLED.id]
    assert (carried["baselineState"], carried["level"], carried["ruleId"]) == (
        "unchanged",
        "error",
        "secret.disabled",
    )
    # no profile to find it in today: the file, never a line that may now say something else
    assert carried["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "profiles/staging.yaml"}
    }
    assert carried["message"]["text"].endswith(
        "(from the baseline: not checked again this run, auth: service could not be "
        "verified: PERMISSION_DENIED: caller lacks run.services.get)"
    )
    assert carried["properties"]["notCheckedAgain"].startswith("auth: service could not")
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False
    jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_an_unverified_item_is_located_in_the_profile_where_drift_knows_where() -> None:
    """As its GitHub annotation and its JSON entry are: the notification of an item that
    could not be verified had only a logical location (`api/secret.X`), no file or line."""
    at = Location("profiles/prod.yaml", 46)
    report = make_report(unverified=(replace(UNVERIFIED, location=at),))
    (note,) = render(report)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    (where,) = note["locations"]
    assert where["physicalLocation"] == {
        "artifactLocation": {"uri": "profiles/prod.yaml"},
        "region": {"startLine": 46},
    }
    assert where["logicalLocations"][0]["fullyQualifiedName"] == f"auth/{UNVERIFIED.target}"
    (unlocated,) = render(INCOMPLETE_REPORT)["runs"][0]["invocations"][0][
        "toolExecutionNotifications"
    ]
    assert "physicalLocation" not in unlocated["locations"][0]
