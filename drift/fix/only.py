"""`drift fix --only ID…`: the plan cut down to the changes named (each one of the plan's
change ids, as every plan output shows them), and what each service's patch repairs with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from drift.errors import UsageError
from drift.findings import Finding
from drift.fix.model import Plan, ServicePlan
from drift.textsafe import plural, visible


def only(plan: Plan, ids: Sequence[str], findings: Sequence[Finding]) -> Plan:
    """The plan cut down to the changes `ids` name (each must be one of its changes); what
    each service's patch repairs, cut down alike."""
    known = {i for sp in plan.services for i in sp.change_ids}
    unknown = [i for i in ids if i not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"--only: no change {visible(', '.join(unknown))} in the plan (its changes: "
            f"{visible(listed)})"
        )
    wanted = set(ids)
    target = {f.id: f.target for f in findings}
    return replace(plan, services=tuple(_cut(sp, wanted, target) for sp in plan.services))


def _cut(sp: ServicePlan, wanted: set[str], target: dict[str, str]) -> ServicePlan:
    env = tuple(c for c in sp.env if sp.env_id(c) in wanted)
    settings = tuple(s for s in sp.settings if sp.setting_id(s) in wanted)
    kept = replace(sp, env=env, settings=settings)
    targets = set(kept.targets)
    return replace(kept, fixes=tuple(f for f in sp.fixes if target.get(f) in targets))


def cut_note(before: Plan, after: Plan) -> str:
    left = sum(len(s.change_ids) for s in before.services) - sum(
        len(s.change_ids) for s in after.services
    )
    return f"--only: {plural(left, 'change')} of the plan left out" if left else ""
