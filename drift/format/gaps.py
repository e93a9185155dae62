"""The items a run could not verify, grouped by cause: one cause (a status and the server's
words, without the call and the resource: `drift.next_steps.causes`) once, with what it left
unverified, as the table and the GitHub annotations say a refused project's gaps."""

from __future__ import annotations

from drift.findings import Unverified
from drift.format.summary import sorted_unverified
from drift.next_steps import causes
from drift.report import Report
from drift.textsafe import visible


def by_cause(report: Report) -> dict[str, list[Unverified]]:
    """Each distinct cause (shown `visible`), with the items it left unverified, in the
    report's order of items."""
    grouped: dict[str, list[Unverified]] = {}
    for u in sorted_unverified(report):
        grouped.setdefault(visible("; ".join(causes(u.reason))), []).append(u)
    return grouped


def targets(items: list[Unverified]) -> list[str]:
    """`workload: target, target` for each workload among `items` (shown `visible`)."""
    named: dict[str, list[str]] = {}
    for u in items:
        named.setdefault(visible(u.workload), []).append(visible(u.target))
    return [f"{workload}: {', '.join(names)}" for workload, names in named.items()]
