"""How a plan is shown: a table (masked before/after), JSON, copy-paste `gcloud` commands
(`--update-*`/`--remove-*`, never `--set-*`), or the patched service as YAML for
`gcloud run services replace`."""

from __future__ import annotations

import io
import json
import shlex
from dataclasses import replace
from typing import Any

from drift.fields import FIELDS, SettingValue, text
from drift.fix.formats import PlanFormat
from drift.fix.model import Action, EnvChange, Plan, ServicePlan
from drift.fix.plan import build_plan
from drift.live.model import LiveState
from drift.profiles.model import Profile
from drift.report import Report

PLAN_SCHEMA = "drift.plan/v1"
_DELIMITERS = ",@#|;~^"


def _fmt(value: SettingValue | None) -> str:
    return "-" if value is None else text(value)


def render_plan(plan: Plan, fmt: PlanFormat, *, patched: dict[str, Any] | None = None) -> str:
    if fmt is PlanFormat.TABLE:
        return plan_table(plan)
    if fmt is PlanFormat.JSON:
        return plan_json(plan)
    if fmt is PlanFormat.GCLOUD:
        return plan_gcloud(plan)
    if fmt is PlanFormat.YAML:
        return plan_yaml(plan, patched or {})
    raise AssertionError(fmt)


def plan_table(plan: Plan) -> str:
    lines = [f"Plan for {plan.environment} ({plan.project}/{plan.region})"]
    for sp in plan.services:
        lines.append("")
        lines.append(f"{sp.service}  (from {sp.revision or '-'})")
        if not sp.has_patch and not sp.manual:
            lines.append("  nothing to change")
        rows = [
            (c.action.value, c.name, c.shown_before() or "-", c.shown_value() or "-")
            for c in sp.env
        ]
        rows += [("set", f"setting {s.name}", _fmt(s.before), _fmt(s.after)) for s in sp.settings]
        if rows:
            widths = [max(len(r[i]) for r in rows) for i in range(3)]
            for action, name, before, after in rows:
                lines.append(
                    f"  {action:<{widths[0]}}  {name:<{widths[1]}}  {before:<{widths[2]}}"
                    f"  ->  {after}"
                )
        for step in sp.manual:
            lines.append(f"  manual  {step.target}: {step.reason}")
            lines.extend(f"          $ {c}" for c in step.commands)
    lines.append("")
    patches = sum(1 for s in plan.services if s.has_patch)
    changes = sum(len(s.env) + len(s.settings) for s in plan.services)
    manual = len(plan.manual)
    lines.append(
        f"{plan.environment}: {changes} changes in {patches} services, {manual} manual steps"
        if plan.has_patch or manual
        else f"{plan.environment}: nothing to change"
    )
    if plan.unverified:
        lines.append(
            f"incomplete: {len(plan.unverified)} items could not be read; the plan may miss drift"
        )
    return "\n".join(lines) + "\n"


def _env_json(change: EnvChange) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "name": change.name,
        "before": change.shown_before(),
        "after": change.shown_value(),
    }


def plan_json(plan: Plan) -> str:
    data = {
        "schema": PLAN_SCHEMA,
        "environment": plan.environment,
        "project": plan.project,
        "region": plan.region,
        "services": [
            {
                "service": sp.service,
                "revision": sp.revision,
                "etag": sp.etag,
                "env": [_env_json(c) for c in sp.env],
                "settings": [
                    {"name": s.name, "before": s.before, "after": s.after} for s in sp.settings
                ],
                "manual": [
                    {"target": m.target, "reason": m.reason, "commands": list(m.commands)}
                    for m in sp.manual
                ],
                "fixes": list(sp.fixes),
                "gcloud": gcloud_command(sp),
            }
            for sp in plan.services
        ],
        "unverified": list(plan.unverified),
    }
    return json.dumps(data, indent=2) + "\n"


def _joined(flag: str, items: list[str]) -> str:
    """`--update-env-vars A=1,B=2`, switching gcloud's delimiter when a value has a comma."""
    for delim in _DELIMITERS:
        if not any(delim in item for item in items):
            body = delim.join(items)
            prefix = "" if delim == "," else f"^{delim}^"
            return f"{flag}={shlex.quote(prefix + body)}"
    raise ValueError("no delimiter is free for gcloud's list syntax")


def gcloud_command(sp: ServicePlan) -> str | None:
    """One `gcloud run services update` for the patch (None when there is none)."""
    if not sp.has_patch:
        return None
    update_env: list[str] = []
    remove_env: list[str] = []
    update_secrets: list[str] = []
    remove_secrets: list[str] = []
    for c in sp.env:
        was_secret = c.before is not None and c.before.ref is not None
        was_plain = c.before is not None and c.before.ref is None
        if c.action is Action.REMOVE:
            (remove_secrets if was_secret else remove_env).append(c.name)
        elif c.action is Action.SET_SECRET:
            assert c.ref is not None
            if was_plain:
                remove_env.append(c.name)
            update_secrets.append(f"{c.name}={c.ref.secret}:{c.ref.version}")
        else:
            if was_secret:
                remove_secrets.append(c.name)
            shown = c.shown_value() or ""
            value = f"${{{c.name}}}" if shown == "***" else (c.value or "")
            update_env.append(f"{c.name}={value}")
    parts = [f"gcloud run services update {sp.service}"]
    parts.append(f"--project={sp.project} --region={sp.region}")
    if remove_env:
        parts.append(_joined("--remove-env-vars", remove_env))
    if remove_secrets:
        parts.append(_joined("--remove-secrets", remove_secrets))
    if update_env:
        parts.append(_joined("--update-env-vars", update_env))
    if update_secrets:
        parts.append(_joined("--update-secrets", update_secrets))
    parts.extend(FIELDS[s.name].gcloud(s.after) for s in sp.settings)
    return " \\\n    ".join(parts)


def with_repairs(profile: Profile, state: LiveState, report: Report) -> Report:
    """The report carrying the `gcloud` commands `drift plan` would print (for summaries)."""
    return replace(report, fix_commands=repair_commands(profile, state, report))


def repair_commands(profile: Profile, state: LiveState, report: Report) -> tuple[str, ...]:
    """The `gcloud` commands `drift plan` would print, for summaries (no extra API call)."""

    plan = build_plan(profile, report.services, state, report)
    commands = [c for sp in plan.services if (c := gcloud_command(sp))]
    commands += [c for step in plan.manual for c in step.commands]
    return tuple(dict.fromkeys(commands))


def plan_gcloud(plan: Plan) -> str:
    out = [f"# drift plan {plan.environment}: copy-paste to apply without drift fix"]
    for sp in plan.services:
        command = gcloud_command(sp)
        if command:
            masked = [c.name for c in sp.env if c.shown_value() == "***"]
            if masked:
                out.append(f"# export {' '.join(masked)} first: drift does not print credentials")
            out.append(command)
        for step in sp.manual:
            out.append(f"# manual ({sp.service} {step.target}): {step.reason}")
            out.extend(step.commands)
    if len(out) == 1:
        out.append("# nothing to change")
    return "\n".join(out) + "\n"


def plan_yaml(plan: Plan, patched: dict[str, Any]) -> str:
    """Each patched service as a Knative Service document (`gcloud run services replace`)."""
    from ruamel.yaml import YAML

    from drift.fix.knative import to_knative

    yaml = YAML()
    yaml.default_flow_style = False
    buffer = io.StringIO()
    docs = [
        to_knative(patched[sp.service], plan.project)
        for sp in plan.services
        if sp.has_patch and sp.service in patched
    ]
    if not docs:
        return "# nothing to change\n"
    yaml.dump_all(docs, buffer)
    return buffer.getvalue()
