"""Where each drift began: the same rules evaluated against the service's older revisions, in
creation order, back from the revision the drift was found on, while the drift is there. A
drift about a secret's own state (disabled, destroyed, no access) has no revision that began
it: it gets no `since`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from drift.diff.context import At, Context
from drift.diff.engine import configuration_findings
from drift.fields import FIELDS
from drift.findings import Finding, Since
from drift.live.model import RevisionRecord, ServingRevision
from drift.redact import MASK
from drift.rules import HISTORY

Key = tuple[str, str, str | None]


def _key(finding: Finding, primary: str) -> Key:
    """The same drift on two revisions: its rule, its target, and the sidecar it is in (not
    `container`, which names the main container only where a revision runs several: a drift
    that began before a sidecar was added is the same drift after)."""
    sidecar = finding.container if finding.container not in (None, primary) else None
    return (finding.rule, finding.target, sidecar)


class History:
    """One service's revisions and, for each, which drift it has (evaluated once)."""

    def __init__(self, ctx: Context, records: Sequence[RevisionRecord]) -> None:
        self.ctx = ctx
        self.records = list(records)
        self.index = {r.name: i for i, r in enumerate(self.records)}
        self._drift: dict[int, set[Key]] = {}

    def drift(self, i: int) -> set[Key]:
        if i not in self._drift:
            record = self.records[i]
            revision = ServingRevision(record.name, 0, (), (), record.config)
            found = configuration_findings(At(self.ctx, revision))
            self._drift[i] = {_key(f, record.config.primary) for f in found}
        return self._drift[i]

    def since(self, finding: Finding) -> Since | None:
        if finding.rule not in HISTORY or finding.revision not in self.index:
            return None
        if finding.rule == "env.constraint" and finding.actual == MASK:
            return None  # an older revision's secret value was not read: cannot tell
        setting = FIELDS.get(finding.target.removeprefix("setting."))
        if finding.rule == "setting.value" and setting is not None and setting.level == "service":
            return None  # held by the service (pool) itself, not by a revision: none began it
        start = self.index[finding.revision]
        key = _key(finding, self.records[start].config.primary)
        while start > 0 and key in self.drift(start - 1):
            start -= 1
        first = self.records[start]
        before = self.records[start - 1].name if start > 0 else None
        return Since(first.name, first.create_time, first.creator, first.client, before)


def with_since(findings: Sequence[Finding], histories: dict[str, History]) -> list[Finding]:
    out = []
    for finding in findings:
        history = histories.get(finding.key)
        since = history.since(finding) if history is not None else None
        out.append(replace(finding, since=since) if since is not None else finding)
    return out
