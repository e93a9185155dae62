"""How a comparison is shown: a table grouped by service, or the `drift.compare/v1` document."""

from __future__ import annotations

from collections import Counter
from typing import Any

from drift.compare.formats import CompareFormat
from drift.compare.model import CompareStatus, Comparison, Difference, Unread
from drift.rendering import json_text, render_as
from drift.textsafe import data_line, plural, visible

COMPARE_SCHEMA = "drift.compare/v1"
NOT_SET = "(not set)"


def render_comparison(comparison: Comparison, fmt: CompareFormat) -> str:
    renderers = {CompareFormat.TABLE: comparison_table, CompareFormat.JSON: comparison_json}
    return render_as(fmt, comparison, renderers)


def summary_line(c: Comparison) -> str:
    """One line: equivalent, different or incomplete, counting only the services really
    compared (neither one a side could not read, nor one in neither environment)."""
    count = len(c.compared_services)
    compared = f"{plural(count, 'service')} compared"
    # not compared: unread, or read and not comparable (a split of unlike revisions, a
    # profile's secret of a project by number, services in neither environment)
    unread = f"{plural(len(c.unverified), 'item')} not compared"
    if c.status is CompareStatus.DIFFERENT:
        counts = Counter(d.kind.value for d in c.differences)
        kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        text = (
            f"{c.a.environment} and {c.b.environment} differ: "
            f"{plural(len(c.differences), 'difference')}"
        )
        text += f" ({kinds})"
        return text + (f"; {unread}" if c.unverified else "")
    if c.status is CompareStatus.INCOMPLETE:
        rest = f"no difference in the rest, {compared}" if count else "nothing was compared"
        return f"incomplete: {unread}; {rest}"
    if not count:
        why = " (see the notes)" if c.notes else ""
        return f"{c.a.environment} and {c.b.environment}: nothing to compare{why}"
    return f"{c.a.environment} and {c.b.environment} are equivalent: {compared}"


def comparison_table(c: Comparison) -> str:
    what = "profiles" if c.mode == "profiles" else "live services"
    lines = [f"{c.a.environment} ({c.a.where}) vs {c.b.environment} ({c.b.where}) · {what}"]
    width = max(len(c.a.environment), len(c.b.environment)) + 1
    groups: dict[str, list[Difference]] = {}
    for d in c.differences:
        groups.setdefault(d.service or "(environment)", []).append(d)
    for service, differences in groups.items():
        count = len(differences)
        lines += ["", f"{service} · {plural(count, 'difference')}"]
        pad = max(len(d.kind.value) for d in differences)
        indent = " " * (pad + 4)
        for d in differences:
            # values from the live services are shown visibly: one line each, no escapes
            lines.append(f"  {d.kind.value:<{pad}}  {visible(d.target)}")
            lines.append(data_line(indent, d.message))  # it begins with a variable's name
            lines.append(f"{indent}{c.a.environment + ':':<{width}} {visible(d.a or NOT_SET)}")
            lines.append(f"{indent}{c.b.environment + ':':<{width}} {visible(d.b or NOT_SET)}")
    if c.unverified:
        lines += ["", "Not compared"]
        lines += [
            visible(f"  {c.side(u.side).environment}  {u.service}  {u.target}: {u.reason}")
            for u in c.unverified
        ]
    if c.notes:
        lines.append("")
        lines += [f"note: {visible(note)}" for note in c.notes]
    lines += ["", summary_line(c)]
    return "\n".join(lines) + "\n"


def comparison_json(c: Comparison) -> str:
    return json_text(comparison_document(c))


def comparison_document(c: Comparison) -> dict[str, Any]:
    """The comparison as plain JSON data (`drift.compare/v1`)."""
    return {
        "schema": COMPARE_SCHEMA,
        "mode": c.mode,
        "a": {"environment": c.a.environment, "project": c.a.project, "region": c.a.region},
        "b": {"environment": c.b.environment, "project": c.b.project, "region": c.b.region},
        "status": c.status.value,
        "exit_code": int(c.exit_code),
        "summary": {
            "services": len(c.compared_services),
            "differences": len(c.differences),
            "by_kind": dict(Counter(d.kind.value for d in c.differences)),
            "unverified": len(c.unverified),
        },
        "services": list(c.services),
        "differences": [_difference(d) for d in c.differences],
        "unverified": [_unread(u) for u in c.unverified],
        "notes": list(c.notes),
    }


def _difference(d: Difference) -> dict[str, Any]:
    return {
        "kind": d.kind.value,
        "service": d.service,
        "target": d.target,
        "side": d.side,
        "message": d.message,
        "a": d.a,
        "b": d.b,
    }


def _unread(u: Unread) -> dict[str, Any]:
    return {"side": u.side, "service": u.service, "target": u.target, "reason": u.reason}
