"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning, results located in the profiles."""

from __future__ import annotations

import gzip
from dataclasses import replace
from functools import cache
from importlib import metadata
from typing import Any, TypeVar

from drift import __version__
from drift.findings import Finding, sort_findings
from drift.format.interface import Formatter, masked
from drift.format.sarif_results import (
    carried_result,
    descriptor,
    fingerprints,
    logical,
    physical,
    result_of,
    rules_of,
)
from drift.format.summary import sorted_unverified, verdict
from drift.rendering import json_text
from drift.report import Report, Unchecked
from drift.rules import rule_info
from drift.same_drift import unique_ids
from drift.textsafe import sarif_message

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
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
UPLOAD_BYTES = 9_500_000
"""The most bytes the log takes gzip-compressed. "SARIF file is too large": code scanning
refuses a SARIF file "larger than the maximum size of 10 MB" gzip-compressed, the whole upload
(https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/
file-too-large). 10 MB read as 10,000,000 bytes, less room for what upload-sarif adds to the
log before it compresses it (its own run properties, provenance)."""
_T = TypeVar("_T")

NOTIFICATIONS = [
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
"""The notifications a run may give."""

PROBE = "probe"
"""The probes' analysis (`Report.scope`), and what a probe's `Unverified` is about."""


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
        log = sarif_log(report, keep)
        text = json_text(log)
        counts = [len(run["results"]) for run in log["runs"]]
        largest = max(counts)
        if largest == 0 or _gzip_size(text) <= UPLOAD_BYTES:
            return text, sum(counts)
        # the largest run proportionally fewer (results are nearly all of the log), at least
        # one fewer
        keep = min(largest - 1, int(largest * UPLOAD_BYTES * 0.95 / _gzip_size(text)))


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
    """The SARIF log: a run per analysis the report holds (`analyses`), one result per
    finding (each run's `keep` most severe: `sarif_text` keeps fewer when the log would be too
    large to upload)."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [_run(part, report, keep) for part in analyses(report)],
    }


def analyses(report: Report) -> list[Report]:
    """The analyses of a report, each a code-scanning category of its own (`category`): the
    configuration, and the probes where the run probed. Probes are an analysis of their own,
    `drift probe`'s: a `check` without `--probe` then never closes a probe's alert as fixed
    (helper-603 F2: code scanning closes every alert of a category whose newest analysis
    lacks its result), and `check --probe` and `drift probe` raise one alert for one failed
    handshake. GitHub takes a log of several runs whose categories differ ("Uploading multiple
    SARIF runs with the same category" is what it refuses: github.blog changelog 2024-05-06,
    "code scanning will stop combining runs from a single upload")."""
    if PROBE in report.scope:
        return [report]
    config, probed = _part(report, probes=False), _part(report, probes=True)
    if not (probed.probes or probed.unverified):
        return [config]
    return [config, replace(probed, scope=(PROBE, *report.scope))]


def _part(report: Report, *, probes: bool) -> Report:
    """What of `report` is about probes (`probes`), or about the configuration."""
    return replace(
        report,
        findings=tuple(f for f in report.findings if _probing(f.rule) is probes),
        unverified=tuple(u for u in report.unverified if (u.target == PROBE) is probes),
        unchecked=tuple(u for u in report.unchecked if _probing(u.finding.rule) is probes),
        probes=report.probes if probes else (),
    )


def _probing(rule: str) -> bool:
    return rule_info(rule).family == PROBE


def _run(part: Report, report: Report, keep: int) -> dict[str, Any]:
    """The run of one analysis (`part`) of `report`: every rule of the analysis (the probes',
    or the others), the process's exit code, whether this analysis read all it was asked to."""
    probes = PROBE in part.scope
    used = {f.rule for f in (*part.findings, *(u.finding for u in part.unchecked))}
    rules = [r for r in rules_of(report) if _probing(r.id) is probes or r.id in used]
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": "drift", "version": __version__}
    if home := information_uri():
        driver["informationUri"] = home
    driver["rules"] = [descriptor(rule) for rule in rules]
    driver["notifications"] = NOTIFICATIONS
    invocation: dict[str, Any] = {
        "executionSuccessful": not part.unverified,
        "exitCode": int(report.exit_code),
        "exitCodeDescription": verdict(report),
    }
    notifications = [
        {
            "level": UNVERIFIED_LEVEL,
            "message": sarif_message(f"could not be verified: {u.reason}"),
            "locations": [{**physical(u.location), **logical(u.key, u.target)}],
            "descriptor": {"id": UNVERIFIED},
        }
        for u in sorted_unverified(part)
    ]
    # chosen on the findings: only those kept are built (a large fleet's are many more)
    chosen = _kept(
        [*((f, None) for f in _sorted(part)), *((u.finding, u) for u in _in_scope(part))],
        keep,
    )
    results = [
        (f, result_of(f, index[f.rule]) if item is None else carried_result(item, index[f.rule]))
        for f, item in chosen
    ]
    if left_out := _results_count(part) - len(results):
        # an "error" notification: by SARIF 2.1.0 Appendix I, the results are then not to be
        # taken as complete (a consumer must not read a left-out result as fixed)
        notifications.append(
            {
                "level": UNVERIFIED_LEVEL,
                "message": sarif_message(truncation_text(part, left_out)),
                "descriptor": {"id": TRUNCATED},
            }
        )
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "tool": {"driver": driver},
        "automationDetails": _automation(part),
        "invocations": [invocation],
        "results": _fingerprinted(results),
    }


def _results_count(report: Report) -> int:
    """The results of the report's analyses: its findings and the baseline's it carries."""
    return sum(len(part.findings) + len(_in_scope(part)) for part in analyses(report))


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
    whether two results are logically the same (by its `primaryLocationLineHash`,
    `drift.format.sarif_results.LINE_HASH`), so two results sharing an id would be one
    alert. A check gives no two findings one id (`drift.same_drift.unique_ids`), so every
    result keeps its bare id; a report that still holds two (a finding carried unchecked from
    a baseline of an older drift) is told apart by the same rule."""
    apart = unique_ids(finding for finding, _ in results)
    for (finding, result), told in zip(results, apart, strict=True):
        if told.id != finding.id:
            result["partialFingerprints"] = fingerprints(told.id)
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
