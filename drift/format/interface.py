"""The one interface every report format implements, and the masking every format gets first."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from drift.findings import Finding, ProbeResult
from drift.redact import mask, mask_optional
from drift.report import Report


class Formatter(ABC):
    """Turns a report into the text of one output format."""

    def render(self, report: Report) -> str:
        """The whole output for `report`, ending with a newline. Every secret drift knows is
        masked on the data first, before any format escapes it."""
        return self.compose(masked(report))

    @abstractmethod
    def compose(self, report: Report) -> str:
        """The output for a report whose text is already masked."""


def masked(report: Report) -> Report:
    """`report` with every known secret masked in every text it holds. What a server sent
    back (probe answers, the reasons of gaps) is masked as an echo: fragments and cut-off
    prefixes of a secret too."""
    return replace(
        report,
        findings=tuple(_finding(f) for f in report.findings),
        resolved=tuple(_finding(f) for f in report.resolved),
        probes=tuple(_probe(p) for p in report.probes),
        proofs=tuple(
            replace(p, before=_probe(p.before), canary=_probe(p.canary), note=mask(p.note))
            for p in report.proofs
        ),
        # its target and service too: a secret's name a plan marks (helper-834 F2)
        unverified=tuple(
            replace(
                u, service=mask(u.service), target=mask(u.target), reason=mask(u.reason, echo=True)
            )
            for u in report.unverified
        ),
        notes=tuple(mask(n) for n in report.notes),
        fix_commands=tuple(mask(c) for c in report.fix_commands),
        unchecked=tuple(
            replace(u, finding=_finding(u.finding), reason=mask(u.reason, echo=True))
            for u in report.unchecked
        ),
    )


def _finding(finding: Finding) -> Finding:
    echo = finding.rule.startswith("probe.")  # its message and actual quote the server
    masked: dict[str, Any] = {
        "target": mask(finding.target),
        "message": mask(finding.message, echo=echo),
        "expected": mask_optional(finding.expected),
        "actual": mask_optional(finding.actual, echo=echo),
        "ignore_reason": mask_optional(finding.ignore_reason),
        "failed": tuple(mask(f) for f in finding.failed),
        # a tag's name, as the message quoting it is (helper-573 F1: JSON and SARIF printed a
        # one-word secret the table masked)
        "tag": mask_optional(finding.tag),
    }
    changed = {name: text for name, text in masked.items() if text != getattr(finding, name)}
    # nothing to mask (nearly every finding): no copy of it
    return replace(finding, **changed) if changed else finding


def _probe(probe: ProbeResult) -> ProbeResult:
    return replace(
        probe,
        url=mask(probe.url),
        close_reason=mask_optional(probe.close_reason, echo=True),
        detail=mask(probe.detail, echo=True),
    )
