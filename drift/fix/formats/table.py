"""`drift plan` as a table for a person: masked before/after, every live value with its
control characters escaped visibly (a value can neither hide a row nor forge one)."""

from __future__ import annotations

from drift.fields import FIELDS, SettingValue
from drift.fix.formats.text import visible
from drift.fix.model import EnvChange, Plan, ServicePlan, in_place
from drift.kinds import Kind


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _setting(name: str, value: SettingValue | None) -> str:
    return "-" if value is None else visible(FIELDS[name].show(value))


def _name(sp: ServicePlan, c: EnvChange) -> str:
    return f"{sp.container_of(c)}/{c.name}" if len(sp.containers) > 1 else c.name


def plan_table(plan: Plan) -> str:
    lines = [visible(f"Plan for {plan.environment} ({plan.project}/{plan.region})")]
    for sp in plan.services:
        source = sp.revision or ("its template" if sp.kind is not Kind.SERVICE else "-")
        lines += ["", visible(f"{sp.label}  (from {source})")]
        if sp.kind is not Kind.SERVICE and sp.has_patch:
            lines.append(f"  note: {in_place(sp.kind)}")
        if sp.unreleased and sp.has_patch:
            lines.append(visible(f"  note: {sp.unreleased}"))
        if not sp.has_patch and not sp.manual:
            lines.append("  nothing to change")
        rows = [
            (c.action.value, _name(sp, c), c.shown_before() or "-", c.shown_value() or "-")
            for c in sp.env
        ]
        rows += [
            ("set", f"setting {s.name}", _setting(s.name, s.before), _setting(s.name, s.after))
            for s in sp.settings
        ]
        rows = [(visible(a), visible(n), visible(b), visible(c)) for a, n, b, c in rows]
        if rows:
            widths = [max(len(r[i]) for r in rows) for i in range(3)]
            for action, name, before, after in rows:
                lines.append(
                    f"  {action:<{widths[0]}}  {name:<{widths[1]}}  {before:<{widths[2]}}"
                    f"  ->  {after}"
                )
        for step in sp.manual:
            lines.append(visible(f"  manual  {step.target}: {step.reason}"))
            lines.extend(f"          adapt: {visible(c)}" for c in step.commands)
    lines.append("")
    patched = [s.kind for s in plan.services if s.has_patch]
    patches = " and ".join(
        plural(patched.count(kind), kind.noun) for kind in Kind if kind in patched
    ) or plural(0, "service")
    changes = sum(len(s.env) + len(s.settings) for s in plan.services)
    manual = len(plan.manual)
    lines.append(
        visible(
            f"{plan.environment}: {plural(changes, 'change')} in {patches}, "
            f"{plural(manual, 'manual step')}"
        )
        if plan.has_patch or manual
        else visible(f"{plan.environment}: nothing to change")
    )
    if plan.unverified:
        lines.append(
            f"incomplete: {plural(len(plan.unverified), 'item')} could not be read; "
            "the plan may miss drift"
        )
    return "\n".join(lines) + "\n"
