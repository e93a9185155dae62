"""`drift plan --format json`: the plan as data (`drift.plan/v1`), values masked as in every
other output; manual commands are the comment lines the script shows (never runnable)."""

from __future__ import annotations

import json
from typing import Any

from drift.fix.formats.gcloud import service_script
from drift.fix.formats.text import comment
from drift.fix.model import EnvChange, Plan, ServicePlan
from drift.kinds import Kind

PLAN_SCHEMA = "drift.plan/v1"


def _env_json(sp: ServicePlan, change: EnvChange) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "name": change.name,
        "container": sp.container_of(change),
        "before": change.shown_before(),
        "after": change.shown_value(),
    }


def _service_json(sp: ServicePlan) -> dict[str, Any]:
    script = service_script(sp)
    runnable = bool(script.lines) and not sp.unreleased
    return {
        "service": sp.service,
        **({"kind": sp.kind.value} if sp.kind is not Kind.SERVICE else {}),
        "revision": sp.revision,
        "etag": sp.etag,
        "containers": list(sp.containers),
        "env": [_env_json(sp, c) for c in sp.env],
        "settings": [{"name": s.name, "before": s.before, "after": s.after} for s in sp.settings],
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
        "gcloud": "\n".join(script.lines) if runnable else None,
        "gcloud_environment": [var for var, _ in script.variables] if runnable else [],
        "gcloud_skipped": script.skipped,
    }


def plan_json(plan: Plan) -> str:
    data = {
        "schema": PLAN_SCHEMA,
        "environment": plan.environment,
        "project": plan.project,
        "region": plan.region,
        "services": [_service_json(sp) for sp in plan.services],
        "unverified": list(plan.unverified),
    }
    return json.dumps(data, indent=2) + "\n"
