"""A finding as a SARIF result: its rule's descriptor, its message, where it stands in the
profiles (physical) and on the workload (logical), its fingerprint, and a finding of the
baseline carried forward unchecked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drift.findings import BaselineState, Finding, Location
from drift.format.summary import SEVERITY_LOOK, artifact_uri, cut, finding_text, since_text
from drift.kinds import Kind
from drift.report import Report, Unchecked
from drift.rules import RULES, RuleInfo, rule_info
from drift.textsafe import sarif_message, visible

FINGERPRINT = "driftFindingId/v1"
LINE_HASH = "primaryLocationLineHash"
"""The one partial fingerprint code scanning reads: "Code scanning only uses the
`primaryLocationLineHash`" (docs.github.com/en/code-security/code-scanning/
integrating-with-code-scanning/sarif-support-for-code-scanning, `result` object,
`partialFingerprints`). A result without it is given one by upload-sarif: a hash of the 100
non-blank characters from the start of its line (github/codeql-action src/fingerprints.ts),
the same for every result on that line. drift places a workload's unexpected variables on its
entry's line, so three of them were one alert (a fourth, new, was absorbed into it), and any
edit near a line (a comment) closed its alerts and opened new ones. drift gives its finding id
(`fingerprints`); upload-sarif keeps a value it finds, warning that it differs from its own."""
VALUE_CHARS = 500
"""The most characters of an expected or actual value a result's message carries (the value is
then marked as cut, with how many characters more; the JSON report keeps it whole)."""
UNCHECKED = "notCheckedAgain"
"""The property that marks a result carried forward from the baseline: the reason it could
not be checked again."""


def rules_of(report: Report) -> list[RuleInfo]:
    # Every known rule, in a fixed order, so that ruleIndex and the rule metadata do not
    # depend on which findings a run happened to have; unknown ids are appended.
    carried = (u.finding for u in report.unchecked)
    extra = sorted({f.rule for f in (*report.findings, *carried)} - RULES.keys())
    return [*RULES.values(), *(rule_info(rule) for rule in extra)]


def descriptor(rule: RuleInfo) -> dict[str, Any]:
    tags = [rule.family, "configuration"]
    properties: dict[str, Any] = {"tags": tags}
    if rule.security_severity is not None:
        tags.append("security")
        properties["security-severity"] = f"{rule.security_severity:.1f}"
    return {
        "id": rule.id,
        "name": "".join(word[:1].upper() + word[1:] for word in rule.title.split()),
        "shortDescription": sarif_message(rule.title),
        "fullDescription": sarif_message(rule.help),
        "help": sarif_message(rule.help),
        "defaultConfiguration": {"level": SEVERITY_LOOK[rule.severity].sarif},
        "properties": properties,
    }


def fingerprints(finding_id: str) -> dict[str, str]:
    """A result's `partialFingerprints`: the finding id, as drift's own and as the one code
    scanning tells results apart by (`LINE_HASH`)."""
    return {FINGERPRINT: finding_id, LINE_HASH: finding_id}


def logical(service: str, target: str) -> dict[str, Any]:
    """`api/env.X`; a job's or worker pool's key carries its kind (`job/migrate/env.X`)."""
    return {
        "logicalLocations": [
            {"name": target, "fullyQualifiedName": f"{service}/{target}", "kind": "resource"}
        ]
    }


def physical(location: Location | None) -> dict[str, Any]:
    """The profile's file and line a result or a notification is about ({} when none)."""
    if location is None:
        return {}
    region = {"region": {"startLine": location.line}} if location.line else {}
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(location)}, **region}}


def result_of(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": SEVERITY_LOOK[finding.severity].sarif,
        "message": sarif_message(_text(finding)),
    }
    if finding.location:
        result["locations"] = [physical(finding.location)]
    result["partialFingerprints"] = fingerprints(finding.id)
    if finding.ignored:
        suppression: dict[str, Any] = {"kind": "external"}
        if finding.ignore_reason:
            suppression["justification"] = finding.ignore_reason
        result["suppressions"] = [suppression]
    if finding.baseline is not None:
        result["baselineState"] = finding.baseline.value
    properties = {"service": finding.service, "target": finding.target}
    if finding.kind is not Kind.SERVICE:
        properties["kind"] = finding.kind.value
    for key in ("revision", "container", "tag"):
        if value := getattr(finding, key):
            properties[key] = value
    if finding.since is not None:
        properties["since"] = visible(since_text(finding) or "")  # names a live client
        if finding.since.revision is not None:
            properties["sinceRevision"] = finding.since.revision
    result["properties"] = properties
    return result


def carried_result(item: Unchecked, rule_index: int) -> dict[str, Any]:
    """A finding of the baseline this run could not check again, carried forward as it was
    (`unchanged`): leaving it out would close its alert as fixed. Results of the baseline
    that are gone (resolved) are left out on purpose: that closes theirs (code scanning
    ignores `kind: pass`, so an `absent` result would keep the alert open)."""
    result = result_of(item.finding, rule_index)
    result["message"] = sarif_message(
        f"{_text(item.finding)}\n(from the baseline: not checked again this run, {item.reason})"
    )
    result["baselineState"] = BaselineState.UNCHANGED.value
    result["properties"][UNCHECKED] = item.reason
    return result


def _text(finding: Finding) -> str:
    """A result's message: the finding's text, each value cut to `VALUE_CHARS` (values of
    secrets are masked already) and `visible` (its own line breaks escaped, `sarif_message`)."""
    expected, actual = finding.expected, finding.actual
    if len(expected or "") <= VALUE_CHARS and len(actual or "") <= VALUE_CHARS:
        return finding_text(finding, visible)  # the common case, without a copy of the finding
    return finding_text(
        replace(
            finding,
            expected=None if expected is None else cut(expected, VALUE_CHARS),
            actual=None if actual is None else cut(actual, VALUE_CHARS),
        ),
        visible,
    )
