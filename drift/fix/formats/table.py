"""`drift plan` as a table for a person: masked before/after, every live value with its
control characters escaped visibly (a value can neither hide a row nor forge one)."""

from __future__ import annotations

from drift.fields import FIELDS, SettingValue
from drift.fields.base import Unread
from drift.fix.model import UNREAD, EnvChange, Plan, ServicePlan, SettingChange
from drift.kinds import Kind
from drift.redact import mask
from drift.textsafe import LOOK_ALIKE_NOTE, plural, shown_change, visible


def in_place(sp: ServicePlan) -> str:
    """What a fix does instead of a canary: for a job or a worker pool, and for a service
    whose patch changes only what the service holds itself (`changes_template`); a pool held
    by `--no-promote`: what its fix does instead (`ServicePlan.held_back`)."""
    kind = sp.kind
    if kind is Kind.SERVICE:
        return (
            f"updated in place, no canary and no new revision: {', '.join(sp.at_once)} "
            f"{'is a setting' if len(sp.at_once) == 1 else 'are settings'} of the service, not "
            "of a revision; nothing a revision runs changes, so a canary would prove nothing "
            "(one UpdateService; traffic stays as it is)"
        )
    if kind is Kind.JOB:
        return (
            "updated in place, no canary: a job serves no traffic (its next execution runs "
            "the patched configuration; executions running keep theirs)"
        )
    if sp.held_back:
        return f"updated in place, no canary: a worker pool serves no traffic; {sp.held_back}"
    return (
        "updated in place, no canary: a worker pool serves no traffic (its instances move "
        "to the patched revision as its instance split says)"
    )


def _setting(sp: ServicePlan, name: str, value: SettingValue | None) -> str | None:
    # masked on the data: an image tag naming a secret passed the scrub as one word
    # (helper-583 F2); a payload too short to be searched for is not (`1`, `true`: an
    # ordinary value masked tells the payload, helper-584 F2); a password moved onto a
    # command line (`ServicePlan.hidden`) as `check` masks it
    return None if value is None else mask(FIELDS[name].shown(value, sp.hidden))


Row = tuple[str, str, str, str, bool]


def _row(action: str, name: str, before: str | None, after: str | None) -> Row:
    """A row of the table: its sides as `check` shows a difference (`shown_change`: a pair
    that differs only in characters that look alike escaped, and noted, never `x -> x`; an
    empty value `""`, not the `-` of one not set), each visible."""
    b, a, alike = shown_change(before, after)
    return visible(action), visible(name), visible(b or "-"), visible(a or "-"), alike


def _setting_name(change: SettingChange) -> str:
    """`setting memory`, or `setting otel/memory` for a sidecar's own (as `_name` says a
    sidecar's variable)."""
    return (
        f"setting {change.container}/{change.name}"
        if change.container
        else f"setting {change.name}"
    )


def _name(sp: ServicePlan, c: EnvChange) -> str:
    return f"{sp.container_of(c)}/{c.name}" if len(sp.containers) > 1 else c.name


def base_lines(sp: ServicePlan) -> list[str]:
    """What a fix of the service builds on, when the template is not simply what serves
    (SPEC invariant 8): the differences that would roll out, be replaced, or stop the fix."""
    if sp.kind is Kind.SERVICE and sp.has_patch and not sp.changes_template:
        return []  # updated in place: its template is sent back as it is, nothing built on it
    differences = [f"    {d}" for d in sp.template_differences]
    if sp.from_template and differences:
        return [
            "  built on the template (--from-template); these roll out with the patch:",
            *differences,
        ]
    if sp.failed_template:
        runs = (
            "the serving revision" if sp.kind is Kind.SERVICE else "the revision its instances run"
        )
        return [
            f"  built on {runs} {sp.built_on}; it replaces the template of the "
            f"failed revision {sp.failed_template}, which had:",
            *(differences or ["    the same configuration"]),
            *sent_as_read(sp),
        ]
    if differences and sp.stops and sp.has_patch:  # said `blocked:` above
        return ["  the template's differences from what serves:", *differences]
    if differences:
        return [
            f"  the template differs from what serves ({sp.built_on or sp.revision}): drift fix "
            "builds on what serves and stops here unless --from-template (then these roll out):",
            *differences,
        ]
    if sp.unreleased and sp.has_patch and not sp.stops:  # else its stop says it
        return [f"  note: {sp.unreleased}"]
    return []


def sent_as_read(sp: ServicePlan) -> list[str]:
    """The settings the service holds itself (ingress, its own scaling…) that the write
    replacing a failed template sends as they read now, the plan changing none of them: the
    failed write may have asked for them, and what was in effect before it cannot be read
    (Service.ingress "returns the currently observed ingress settings", silent on a write that
    did not serve) — said, so that the fix neither applies nor erases them unseen (helper-568
    F4); those at no value of their own (false, unset, `auto`) are left out (helper-569 F4;
    a manual count of 0 is a value: `0 == False` in Python, helper-570 F4)."""
    changed = {s.name for s in sp.settings}
    held = [
        f"{name} {FIELDS[name].show(value)}"
        for name, value in sp.held.items()
        if name in FIELDS and FIELDS[name].level == "service" and name not in changed
        if value is not False and value not in ("", None, "auto") and not isinstance(value, Unread)
    ]
    if not held:
        return []
    return [
        f"  note: the write sends the {sp.kind.noun}'s own settings as they read now: "
        f"{visible(', '.join(held))} (the failed write may have asked for them; what was in "
        "effect before it cannot be read)"
    ]


def _at_once(sp: ServicePlan) -> str:
    """How settings the workload holds itself (not its template) are applied."""
    kind = sp.kind
    if kind is Kind.SERVICE:
        write = "the canary's write" if sp.changes_template else "the update"
        return (
            f"applied to the service at once, with {write} (Cloud Run holds it on the "
            "service, not on a revision)"
        )
    if kind is Kind.JOB:
        return "applied with the update (the job holds them, outside its task template)"
    return "applied with the update (the pool holds them, outside its revision template)"


def plan_table(plan: Plan) -> str:
    lines = [visible(f"Plan for {plan.environment} ({plan.where})")]
    for sp in plan.services:
        source = sp.revision or ("its template" if sp.kind is not Kind.SERVICE else "-")
        lines += ["", visible(f"{sp.label}  (from {source})")]
        if sp.has_patch and (sp.kind is not Kind.SERVICE or not sp.changes_template):
            lines.append(visible(f"  note: {in_place(sp)}"))
        if sp.blocked:  # fix stops there: nothing below is written
            lines.append(visible(f"  blocked: {sp.blocked}"))
        if sp.instances and sp.instances != sp.stops:
            lines.append(visible(f"  note: {sp.instances}"))
        if sp.tags and sp.has_patch:
            lines.append(visible(f"  note: {sp.tags}"))
        if sp.renamed:
            lines.append(visible(f"  note: {sp.renamed}"))
        if sp.token:
            lines.append(visible(f"  note: {sp.token}"))
        lines += [visible(line) for line in base_lines(sp)]
        if sp.unread:
            lines.append(f"  {sp.incomplete()}")
        elif not sp.has_patch and not sp.manual:
            lines.append("  nothing to change")
        rows = [
            _row(c.action.value, _name(sp, c), c.shown_before(sp.hidden), c.shown_value())
            for c in sp.env
        ]
        rows += [
            _row(
                "set",
                _setting_name(s),
                _setting(sp, s.name, s.before),
                _setting(sp, s.name, s.after),
            )
            for s in sp.settings
        ]
        if rows:
            widths = [max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)]
            widths.append(max(len(r[2]) for r in rows))
            for action, name, before, after, alike in rows:
                lines.append(
                    f"  {action:<{widths[0]}}  {name:<{widths[1]}}  {before:<{widths[2]}}"
                    f"  ->  {after}"
                )
                lines += [f"  {'':<{widths[0]}}  {LOOK_ALIKE_NOTE}"] if alike else []
        if sp.at_once and (sp.kind is not Kind.SERVICE or sp.changes_template):
            lines.append(visible(f"  note: {', '.join(sp.at_once)} {_at_once(sp)}"))
        lines += [visible(f"  note: {n}") for n in sp.notes if sp.has_patch]
        for step in sp.manual:
            lines.append(visible(f"  manual  {step.target}: {step.reason}"))
            lines.extend(f"          adapt: {visible(c)}" for c in step.commands)
    lines += ["", plan_summary(plan)]
    lines += [visible(f"note: {n}") for n in plan.notes]
    if plan.unverified:
        lines += [visible(line) for line in plan.incomplete().split("\n")]
    return "\n".join(lines) + "\n"


def plan_summary(plan: Plan) -> str:
    """`e2e: 7 changes in 3 services, 0 manual steps` (`e2e: nothing to change`). The changes
    of a workload `drift fix` stops at (`ServicePlan.stops`) are said blocked, never counted
    as changes a fix makes: while it stops there, it writes nothing (revjobs60 F3)."""
    blocked = [s for s in plan.services if s.blocked]
    patched = [s.kind for s in plan.services if s.has_patch and not s.stops]
    patches = " and ".join(
        plural(patched.count(kind), kind.noun) for kind in Kind if kind in patched
    )
    changes = sum(len(s.env) + len(s.settings) for s in plan.services if not s.stops)
    manual = len(plan.manual)
    if not (plan.has_patch or manual) and plan.unverified:  # never "nothing to change" then
        return visible(f"{plan.environment}: {UNREAD} (below)")
    if not (plan.has_patch or manual):
        return visible(f"{plan.environment}: nothing to change")
    # only blocked workloads: "0 changes", never "in 0 services" beside the pool it names
    said = f"{plan.environment}: {plural(changes, 'change')}"
    said += f" in {patches}, " if patches else ", "
    said += plural(manual, "manual step")
    if blocked:
        said += "; blocked: " + ", ".join(
            f"{s.label} ({plural(len(s.env) + len(s.settings), 'change')})" for s in blocked
        )
        said += ": drift fix stops there, before writing any change of this plan"
    return visible(said)
