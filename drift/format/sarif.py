"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning, results located in the profiles."""

from __future__ import annotations

import gzip
from dataclasses import replace
from functools import cache
from importlib import metadata
from typing import Any, TypeVar

from drift import __version__
from drift.findings import BaselineState, Finding, Location, sort_findings
from drift.format.interface import Formatter, masked
from drift.format.summary import (
    SEVERITY_LOOK,
    artifact_uri,
    cut,
    finding_text,
    since_text,
    sorted_unverified,
    verdict,
)
from drift.kinds import Kind
from drift.rendering import json_text
from drift.report import Report, Unchecked
from drift.rules import RULES, RuleInfo, rule_info
from drift.same_drift import unique_ids
from drift.textsafe import sarif_message

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT = "driftFindingId/v1"
UNVERIFIED = "drift.unverified"
"""The tool notification reported for each item that could not be verified."""
UNVERIFIED_LEVEL = "error"
"""Its level. SARIF 2.1.0 Appendix I ("Detecting incomplete result sets"): the results cannot
be assumed complete when an invocation's `executionSuccessful` is false or when "any
notification object in invocation.toolExecutionNotifications (§3.20.21) ... has a value of
"error" for its level property (§3.58.6)" (https://docs.oasis-open.org/sarif/sarif/v2.1.0/
errata01/os/sarif-v2.1.0-errata01-os-complete.html). A run that could not verify something
says so both ways (SPEC: exit 3 is "Never reported as clean").

GitHub code scanning reads neither: it takes the `results` of the newest analysis of a
category (`automationDetails.id`) and closes as fixed every open alert whose result is gone
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/
sarif-support-for-code-scanning; codeql-action#390, where partial uploads closed alerts that
then reappeared). So a run compared with a baseline carries the baseline's findings it could
not check again as results (`baselineState: unchanged`, the message saying why), and the
action's `status` output is `incomplete` so that a workflow can skip uploading the SARIF of
an incomplete run (README, "CI: GitHub Actions")."""
TRUNCATED = "drift.truncated"
"""The tool notification that says how many results the log leaves out (`RESULTS_KEPT`)."""
RESULTS_KEPT = 5_000
"""The most results a run carries. GitHub code scanning rejects a run of more than 25,000
results outright (hard limit: the upload fails and not one alert is raised) and, above 5,000,
includes "Only the top 5,000 results ..., prioritized by severity" ("SARIF results exceed
limit", https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/
results-exceed-limit, "Results per run: 25,000"). A first check of a large fleet finds more
(1,000 services with 30 unexpected variables each: 30,000). So drift keeps the 5,000 code
scanning would show, most severe first and what `ignore` silenced last, and says how many it
left out (a notification here, a note in the report's other formats): the JSON report keeps
every finding. The log must also stay under the upload limit of 10 MB gzip-compressed
(`UPLOAD_BYTES`), which 5,000 results of long values (certificates, tokens, 32 KiB
variables) exceed: each value is cut to `VALUE_CHARS` in a result's message, and results are
left out past the size limit too (`sarif_text`)."""
VALUE_CHARS = 500
"""The most characters of an expected or actual value a result's message carries (the value is
then marked as cut, with how many characters more; the JSON report keeps it whole)."""
UPLOAD_BYTES = 9_500_000
"""The most bytes the log takes gzip-compressed. "SARIF file is too large": code scanning
refuses a SARIF file "larger than the maximum size of 10 MB" gzip-compressed, the whole upload
(https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/
file-too-large). 10 MB read as 10,000,000 bytes, less room for what upload-sarif adds to the
log before it compresses it (its own run properties, provenance)."""
_T = TypeVar("_T")

UNCHECKED = "notCheckedAgain"
"""The property that marks a result carried forward from the baseline: the reason it could
not be checked again."""


class SarifFormat(Formatter):
    def compose(self, report: Report) -> str:
        return sarif_text(report)


def sarif_text(report: Report) -> str:
    """The SARIF log as written, within `UPLOAD_BYTES` gzip-compressed: when the log of the
    `RESULTS_KEPT` most severe results is larger, fewer are kept (the least severe and the
    ignored left out first, the truncation notification counting them), until it fits."""
    return _fitted(report)[0]


def _fitted(report: Report) -> tuple[str, int]:
    """The SARIF log as written (`sarif_text`) and how many results it carries."""
    keep = RESULTS_KEPT
    while True:
        text = json_text(sarif_log(report, keep))
        size = _gzip_size(text)
        kept = min(keep, _results_count(report))
        if size <= UPLOAD_BYTES or kept == 0:
            return text, kept
        # proportionally fewer (the results are nearly all of the log), and at least one fewer
        keep = min(kept - 1, int(kept * UPLOAD_BYTES * 0.95 / size))


def _gzip_size(text: str) -> int:
    """The size of `text` gzip-compressed, or a bound of it above which it cannot be: a log
    well below the limit is not compressed at all (zlib's `deflateBound`: at most the input
    plus its stored blocks' headers, about 1 in 4,096, plus the gzip header and trailer)."""
    data = text.encode()
    bound = len(data) + (len(data) >> 12) + (len(data) >> 14) + 64
    if bound <= UPLOAD_BYTES:
        return bound
    return len(gzip.compress(data, compresslevel=6))  # upload-sarif's zlib.gzipSync default


def sarif_log(report: Report, keep: int = RESULTS_KEPT) -> dict[str, Any]:
    """The SARIF log: one run, every rule drift knows, one result per finding (the `keep`
    most severe: `sarif_text` keeps fewer when the log would be too large to upload)."""
    rules = _rules(report)
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": "drift", "version": __version__}
    if home := information_uri():
        driver["informationUri"] = home
    driver["rules"] = [_rule(rule) for rule in rules]
    driver["notifications"] = [
        {
            "id": UNVERIFIED,
            "name": "CouldNotVerify",
            "shortDescription": {"text": "Could not verify"},
            "fullDescription": {
                "text": "An item could not be read (permission denied, unreachable, quota): "
                "the check is incomplete, not clean."
            },
            "defaultConfiguration": {"level": UNVERIFIED_LEVEL},
        },
        {
            "id": TRUNCATED,
            "name": "ResultsLeftOut",
            "shortDescription": {"text": "Results left out"},
            "fullDescription": {
                "text": f"The run found more results than GitHub code scanning takes (the "
                f"{RESULTS_KEPT:,} it shows, a file of 10 MB gzip-compressed): the most "
                "severe are kept, the rest are in the JSON report."
            },
            "defaultConfiguration": {"level": UNVERIFIED_LEVEL},
        },
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not report.unverified,
        "exitCode": int(report.exit_code),
        "exitCodeDescription": verdict(report),
    }
    notifications = [
        {
            "level": UNVERIFIED_LEVEL,
            "message": sarif_message(f"could not be verified: {u.reason}"),
            "locations": [{**_physical(u.location), **_logical(u.key, u.target)}],
            "descriptor": {"id": UNVERIFIED},
        }
        for u in sorted_unverified(report)
    ]
    # chosen on the findings: only those kept are built (a large fleet's are many more)
    chosen = _kept(
        [*((f, None) for f in _sorted(report)), *((u.finding, u) for u in _in_scope(report))],
        keep,
    )
    results = [
        (f, _result(f, index[f.rule]) if carried is None else _carried(carried, index[f.rule]))
        for f, carried in chosen
    ]
    if left_out := _results_count(report) - len(results):
        # an "error" notification: by SARIF 2.1.0 Appendix I, the results are then not to be
        # taken as complete (a consumer must not read a left-out result as fixed)
        notifications.append(
            {
                "level": UNVERIFIED_LEVEL,
                "message": sarif_message(truncation_text(report, left_out)),
                "descriptor": {"id": TRUNCATED},
            }
        )
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": _automation(report),
                "invocations": [invocation],
                "results": _fingerprinted(results),
            }
        ],
    }


def _results_count(report: Report) -> int:
    return len(report.findings) + len(_in_scope(report))


def rendered(report: Report) -> tuple[str, int]:
    """The SARIF log as `SarifFormat().render` writes it (masked), and how many of the
    report's results it leaves out: past `RESULTS_KEPT`, and past what fits `UPLOAD_BYTES`
    (the log is rendered to know: only where a SARIF log is written, once), so that the run's
    other outputs say what the log left out (revown29 F2: code scanning closes the alerts of
    results a log no longer carries). The log does not read the report's notes: the note
    saying so leaves it as it is."""
    text, kept = _fitted(masked(report))
    return text, _results_count(report) - kept


def truncation_text(report: Report, left_out: int) -> str:
    """What a run says of the results its SARIF log left out."""
    total = _results_count(report)
    return (
        f"the SARIF log carries the {total - left_out:,} most severe of {total:,} results "
        f"(GitHub code scanning shows at most {RESULTS_KEPT:,} per run, refuses a run of "
        "more than 25,000 and a file over 10 MB gzip-compressed): "
        f"{left_out:,} left out, the least severe and the ignored first; "
        "the JSON report (--json FILE) has them all"
    )


def _kept(results: list[tuple[Finding, _T]], keep: int) -> list[tuple[Finding, _T]]:
    """At most `keep` results (each a finding and what it is carried with), in their order:
    the most severe, those that count before those an `ignore` silenced."""
    if len(results) <= keep:
        return results
    ranked = sorted(
        range(len(results)),
        key=lambda i: (results[i][0].ignored, -results[i][0].severity.rank, i),
    )
    kept = set(ranked[:keep])
    return [result for i, result in enumerate(results) if i in kept]


def category(report: Report) -> str:
    """The code-scanning category of the run (`runAutomationDetails.id`, all of it up to its
    last `/`): `drift/ENV/` for the live configuration of every workload of the profile,
    `drift/ENV/manifest/service=api/` and the like for less (`Report.scope`)."""
    return "/".join(("drift", report.environment, *report.scope, ""))


def _automation(report: Report) -> dict[str, Any]:
    """GitHub's docs (sarif-support-for-code-scanning, `runAutomationDetails`): the category
    of an analysis is its `id` up to the last `/`, and an upload replaces the analysis of its
    category only. A run that checked less than the profile (`--service`, a manifest, `drift
    probe`) is an analysis of its own, stable across runs of that same scope: uploading it
    neither closes nor reopens the alerts of the full live run (codeql-action#390: results
    missing from an analysis of the same category close their alerts). Its
    `executionSuccessful` stays what it was: it read all it was asked to."""
    found: dict[str, Any] = {"id": category(report)}
    if report.scope:
        found["description"] = sarif_message(
            f"drift of {report.environment}, not all of it: {', '.join(report.scope)}"
        )
    return found


def _fingerprinted(results: list[tuple[Finding, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The results, no two with one fingerprint. GitHub's docs (sarif-support-for-code-scanning,
    "Data for preventing duplicate alerts"): `partialFingerprints` is how code scanning tells
    whether two results are logically the same, so two results sharing an id would be one
    alert. A check gives no two findings one id (`drift.same_drift.unique_ids`), so every
    result keeps its bare id; a report that still holds two (a finding carried unchecked from
    a baseline of an older drift) is told apart by the same rule."""
    apart = unique_ids(finding for finding, _ in results)
    for (finding, result), told in zip(results, apart, strict=True):
        if told.id != finding.id:
            result["partialFingerprints"] = {FINGERPRINT: told.id}
    return [result for _, result in results]


def _in_scope(report: Report) -> list[Unchecked]:
    """The baseline's findings to carry forward: in a run of less than the profile, only
    those of what it covered (the others' alerts are another category's)."""
    if not report.scope:
        return list(report.unchecked)
    return [u for u in report.unchecked if u.finding.key in report.services]


@cache
def information_uri() -> str | None:
    """The project's home page from the package metadata, if it names one."""
    try:
        urls = metadata.metadata("drift").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    found = dict(url.split(", ", 1) for url in urls if ", " in url)
    return found.get("Homepage") or found.get("Source") or next(iter(found.values()), None)


def _sorted(report: Report) -> list[Finding]:
    """Active findings most severe first, then the suppressed ones."""
    return [*report.active, *sort_findings(f for f in report.findings if f.ignored)]


def _rules(report: Report) -> list[RuleInfo]:
    # Every known rule, in a fixed order, so that ruleIndex and the rule metadata do not
    # depend on which findings a run happened to have; unknown ids are appended.
    carried = (u.finding for u in report.unchecked)
    extra = sorted({f.rule for f in (*report.findings, *carried)} - RULES.keys())
    return [*RULES.values(), *(rule_info(rule) for rule in extra)]


def _rule(rule: RuleInfo) -> dict[str, Any]:
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


def _logical(service: str, target: str) -> dict[str, Any]:
    """`api/env.X`; a job's or worker pool's key carries its kind (`job/migrate/env.X`)."""
    return {
        "logicalLocations": [
            {"name": target, "fullyQualifiedName": f"{service}/{target}", "kind": "resource"}
        ]
    }


def _physical(location: Location | None) -> dict[str, Any]:
    """The profile's file and line a result or a notification is about ({} when none)."""
    if location is None:
        return {}
    region = {"region": {"startLine": location.line}} if location.line else {}
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(location)}, **region}}


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": SEVERITY_LOOK[finding.severity].sarif,
        "message": sarif_message(_text(finding)),
    }
    if finding.location:
        result["locations"] = [_physical(finding.location)]
    result["partialFingerprints"] = {FINGERPRINT: finding.id}
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
        properties["since"] = since_text(finding) or ""
        if finding.since.revision is not None:
            properties["sinceRevision"] = finding.since.revision
    result["properties"] = properties
    return result


def _carried(item: Unchecked, rule_index: int) -> dict[str, Any]:
    """A finding of the baseline this run could not check again, carried forward as it was
    (`unchanged`): leaving it out would close its alert as fixed. Results of the baseline
    that are gone (resolved) are left out on purpose: that closes theirs (code scanning
    ignores `kind: pass`, so an `absent` result would keep the alert open)."""
    result = _result(item.finding, rule_index)
    result["message"] = sarif_message(
        f"{_text(item.finding)}\n(from the baseline: not checked again this run, {item.reason})"
    )
    result["baselineState"] = BaselineState.UNCHANGED.value
    result["properties"][UNCHECKED] = item.reason
    return result


def _text(finding: Finding) -> str:
    """A result's message: the finding's text, each value cut to `VALUE_CHARS` (values of
    secrets are masked already)."""
    expected, actual = finding.expected, finding.actual
    if len(expected or "") <= VALUE_CHARS and len(actual or "") <= VALUE_CHARS:
        return finding_text(finding)  # the common case, without a copy of the finding
    return finding_text(
        replace(
            finding,
            expected=None if expected is None else cut(expected, VALUE_CHARS),
            actual=None if actual is None else cut(actual, VALUE_CHARS),
        )
    )
