"""`drift plan --format json`: the plan as data (`drift.plan/v2`), values masked as in every
other output; manual commands are the comment lines the script shows (never runnable)."""

from __future__ import annotations

from typing import Any

from drift.fields import FIELDS
from drift.fix.formats.gcloud import service_script, unshared
from drift.fix.formats.text import comment
from drift.fix.model import EnvChange, Plan, ServicePlan, SettingChange
from drift.kinds import Kind
from drift.redact import mask
from drift.rendering import json_text

PLAN_SCHEMA = "drift.plan/v2"
"""v2 since each service carries `new_revision` (8a97af7), which a saved plan's digest covers:
a v1 plan (no `new_revision`) is refused as an older drift's, to be saved again, never said
to differ from what would be applied; a drift reading v1 refuses a v2 plan (it checks the
schema), where it would apply a plan without checking its digest (revcompat F5)."""


def _env_json(sp: ServicePlan, change: EnvChange) -> dict[str, Any]:
    return {
        "id": sp.env_id(change),
        "action": change.action.value,
        "name": change.name,
        "container": sp.container_of(change),
        "before": change.shown_before(sp.hidden),
        "after": change.shown_value(),
    }


def _setting_json(sp: ServicePlan, change: SettingChange) -> dict[str, Any]:
    """Before and after as every output shows them (`512Mi`, not bytes; `10m`, not 600)."""

    def show(value: Any) -> str:  # masked on the data, as the table (helper-583 F2)
        return mask(FIELDS[change.name].shown(value, sp.hidden))

    return {
        "id": sp.setting_id(change),
        "name": change.name,
        # a sidecar's own setting (absent otherwise: a saved plan's digest is as before)
        **({"container": change.container} if change.container else {}),
        "before": None if change.before is None else show(change.before),
        "after": show(change.after),
    }


def changes_json(sp: ServicePlan) -> list[dict[str, Any]]:
    """Every change of the service's patch as the plan states it (a saved plan compares them)."""
    return [*(_env_json(sp, c) for c in sp.env), *(_setting_json(sp, s) for s in sp.settings)]


def _service_json(sp: ServicePlan, clashing: frozenset[str]) -> dict[str, Any]:
    script = service_script(sp, clashing)
    runnable = bool(script.lines) and not sp.stops_gcloud
    return {
        "service": sp.service,
        **({"kind": sp.kind.value} if sp.kind is not Kind.SERVICE else {}),
        "revision": sp.revision,
        "etag": sp.etag,
        "containers": list(sp.containers),
        "env": [_env_json(sp, c) for c in sp.env],
        "settings": [_setting_json(sp, s) for s in sp.settings],
        "manual": [
            {
                "target": m.target,
                "reason": m.reason,
                "commands": [line for c in m.commands for line in comment(c)],
            }
            for m in sp.manual
        ],
        "fixes": list(sp.fixes),
        "unreleased": sp.unreleased or None,
        "built_on": sp.built_on or None,
        "from_template": sp.from_template,
        "at_once": list(sp.at_once),
        "new_revision": sp.changes_template if sp.has_patch else False,
        "template_differences": list(sp.template_differences),
        "failed_template": sp.failed_template or None,
        # only when a tag is on the traffic a promotion moves: a saved plan's digest of any
        # other service stays what an earlier drift computed
        **({"promotion_tags": sp.tags} if sp.tags and sp.has_patch else {}),
        # likewise only when the fix clears a fixed revision name (`ServicePlan.renamed`)
        **({"revision_name": sp.renamed} if sp.renamed else {}),
        # likewise only when drift fix stops at the workload (`ServicePlan.stops`)
        **({"stops": sp.stops} if sp.blocked else {}),
        # likewise only for a job whose token the fix leaves out (`ServicePlan.token`)
        **({"execution_token": sp.token} if sp.token else {}),
        # likewise only when a setting change does more than itself (`ServicePlan.notes`)
        **({"notes": list(sp.notes)} if sp.notes and sp.has_patch else {}),
        # likewise only when some of its items could not be read (`ServicePlan.unread`)
        **({"unverified": list(sp.unread)} if sp.unread else {}),
        "gcloud": "\n".join(script.lines) if runnable else None,
        "gcloud_environment": [var for var, _ in script.variables] if runnable else [],
        "gcloud_skipped": script.skipped,
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    clashing = unshared(plan)
    return {
        "schema": PLAN_SCHEMA,
        "environment": plan.environment,
        "project": plan.project,
        "region": plan.region,
        "services": [_service_json(sp, clashing) for sp in plan.services],
        "unverified": list(plan.unverified),
    }


def plan_json(plan: Plan) -> str:
    """The plan document, with the plan's `notes` (`Plan.notes`) and what `--no-promote` does
    with each pool it holds (`ServicePlan.held_back`, as `no_promote`): outside `plan_data`,
    which a saved plan's digest covers, since neither a note (a history not read this time)
    nor the flag is a change."""
    data = {**plan_data(plan), "notes": list(plan.notes)}
    for doc, sp in zip(data["services"], plan.services, strict=True):
        if sp.held_back:  # `drift plan --no-promote`: what the fix does, not a change
            doc["no_promote"] = sp.held_back
    return json_text(data)  # as every JSON document: no legacy workflow command
