"""`--format json`: the `drift.report/v1` document described in the SPEC."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drift.findings import Finding, ProbeResult, Unverified, sort_findings
from drift.format.interface import Formatter
from drift.format.summary import located, sorted_probes, sorted_unverified
from drift.kinds import Kind
from drift.rendering import document_head, json_text
from drift.report import REPORT_SCHEMA, Report


class JsonFormat(Formatter):
    def compose(self, report: Report) -> str:
        return json_text(report_document(report))


def report_document(report: Report) -> dict[str, Any]:
    """The report as plain JSON data, every list in a deterministic order."""
    summary = report.summary
    counts: dict[str, int | None] = dict(_summary(report))
    document: dict[str, Any] = {
        **document_head(REPORT_SCHEMA, report, report.status.value, int(report.exit_code)),
        "summary": counts,
        "findings": [_finding(f) for f in sort_findings(report.findings)],
        "probes": [_probe(p) for p in sorted_probes(report)],
        "unverified": [_unverified(u) for u in sorted_unverified(report)],
        "fix_commands": list(report.fix_commands),
        # additive (drift.report/v1 grows only by adding): what the table and the step summary
        # say under "note:", for whoever reads only this report (the scheduled issue)
        "notes": list(report.notes),
    }
    if report.profiles_dir:  # additive: read from other profiles than ./profiles
        document["profiles_dir"] = report.profiles_dir
    if report.scope:  # additive: less than the live configuration of every workload
        document["scope"] = list(report.scope)
    if report.proofs:  # additive: the canary's proof of the fix this report re-checks
        document["proof"] = [
            {
                "service": p.service,
                "confirmed": p.confirmed,
                "before": _probe(p.before),
                "canary": _probe(p.canary),
                **({"note": p.note} if p.note else {}),  # additive
            }
            for p in report.proofs
        ]
    if report.baseline is not None:  # additive fields, only when compared with a baseline
        counts["new"] = summary.new
        counts["resolved"] = summary.resolved
        document["resolved"] = [_finding(f) for f in report.resolved]
        # what this run could not look at again, kept so that the next run, comparing with
        # this report, still knows it (neither new nor resolved there either)
        why = {u.finding.id: u.reason for u in report.unchecked}
        document["unchecked"] = [
            {"finding": _finding(f), "reason": why[f.id]}
            for f in sort_findings([u.finding for u in report.unchecked])
        ]
    return document


def _summary(report: Report) -> dict[str, int]:
    """The counts; `jobs` and `worker_pools` only when the run covered some (a report of
    services is what it always was)."""
    summary = report.summary
    counts = {"services": summary.services}
    counts |= {
        k: n for k, n in (("jobs", summary.jobs), ("worker_pools", summary.worker_pools)) if n
    }
    return counts | {
        "errors": summary.errors,
        "warnings": summary.warnings,
        "infos": summary.infos,
        "unverified": summary.unverified,
        "ignored": summary.ignored,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    location = finding.location
    data: dict[str, Any] = {
        "id": finding.id,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "service": finding.service,
        "revision": finding.revision,
        "target": finding.target,
        "message": finding.message,
        "expected": finding.expected,
        "actual": finding.actual,
        "location": located(location.file, location.line) if location else None,
        "ignored": finding.ignored,
    }
    if finding.ignored:
        data["ignore_reason"] = finding.ignore_reason
    for key in ("container", "tag"):
        if (value := getattr(finding, key)) is not None:
            data[key] = value
    if finding.failed:  # additive: what fails, which a later run's baseline compares
        data["failed"] = list(finding.failed)
    if finding.also_on:  # additive: the other revisions with the same drift (a baseline
        data["also_on"] = list(finding.also_on)  # resolves it only where each was read again)
    if finding.generation is not None:  # additive: a job's, which a baseline compares
        data["generation"] = finding.generation
    if finding.baseline is not None:
        data["baseline"] = finding.baseline.value
    if finding.kind is not Kind.SERVICE:
        data["kind"] = finding.kind.value  # absent: a service (SPEC, JSON report)
    if (since := finding.since) is not None:
        data["since"] = {
            "revision": since.revision,
            "create_time": _time(since.create_time),
            "creator": since.creator or None,
            "client": since.client,
            "last_good": since.last_good,
            **({"note": since.note} if since.note else {}),
            # additive: revisions not listed right before it, so the drift may be older still
            **({"earlier": True} if since.earlier else {}),  # (the words' "or earlier")
            # additive: the revision right before it, which could not be judged (the note: why)
            **({"unjudged": since.unjudged} if since.unjudged else {}),
        }
    return data


def _time(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _probe(probe: ProbeResult) -> dict[str, Any]:
    return {
        "service": probe.service,
        "revision": probe.revision,
        "url": probe.url,
        "outcome": probe.outcome.value,
        "http_status": probe.http_status,
        "close_code": probe.close_code,
        "close_reason": probe.close_reason,
        "elapsed_ms": probe.elapsed_ms,
        "suspected_causes": list(probe.suspected_causes),
        "confirmed": probe.confirmed,
        "detail": probe.detail,
    }


def _unverified(item: Unverified) -> dict[str, Any]:
    data: dict[str, Any] = {"service": item.service, "target": item.target, "reason": item.reason}
    if (where := item.location) is not None:  # additive: the entry the annotation points at
        data["location"] = located(where.file, where.line)
    if item.baseline is not None:
        data["baseline"] = item.baseline.value
    if item.kind is not Kind.SERVICE:
        data["kind"] = item.kind.value
    return data
