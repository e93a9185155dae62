"""`drift fix --only ID…`: the plan cut down to the changes named (each one of the plan's
change ids, as every plan output shows them), and what each service's patch repairs with it.
The part is judged as what it writes: a reference to a secret that Cloud Run's deploy-time
check refuses, which the whole plan takes out and the part leaves in, is a usage error
naming the changes it needs (the ids depend on each other), before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from drift.errors import UsageError
from drift.fields import DEFAULT_SERVICE_ACCOUNT
from drift.fix.changes import apply_changes, doomed
from drift.fix.model import Plan, ServicePlan
from drift.fix.plan import Planned
from drift.textsafe import plural, visible


def only(planned: Planned, ids: Sequence[str]) -> Plan:
    """The plan cut down to the changes `ids` name (each must be one of its changes); what
    each service's patch repairs, cut down alike."""
    plan = planned.plan
    known = {i for sp in plan.services for i in sp.change_ids}
    unknown = [i for i in ids if i not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"--only: no change {visible(', '.join(unknown))} in the plan (its changes: "
            f"{visible(listed)})"
        )
    wanted = set(ids)
    target = {f.id: f.target for f in planned.check.report.findings}
    cut = tuple(_cut(sp, wanted, target) for sp in plan.services)
    for whole, part in zip(plan.services, cut, strict=True):
        _startable(planned, whole, part)
    return replace(plan, services=cut)


def _cut(sp: ServicePlan, wanted: set[str], target: dict[str, str]) -> ServicePlan:
    env = tuple(c for c in sp.env if sp.env_id(c) in wanted)
    settings = tuple(s for s in sp.settings if sp.setting_id(s) in wanted)
    kept = replace(sp, env=env, settings=settings)
    targets = set(kept.targets)
    return replace(kept, fixes=tuple(f for f in sp.fixes if target.get(f) in targets))


def _startable(planned: Planned, whole: ServicePlan, part: ServicePlan) -> None:
    """Refuse a part whose new revision (a job's update) Cloud Run's deploy-time check of its
    secrets would fail when the whole plan's would not (`ServicePlan.doomed`, judged by the
    planner on the whole patch): a change left out takes out a reference to a version not
    ENABLED, or sets the account that can read what the part references."""
    if not part.has_patch or not part.changes_template:
        return  # an update in place of what the workload holds itself makes no revision
    new = [w for w in _doomed(planned, part) if w not in whole.doomed]
    if not new:
        return  # startable, or doomed as a whole: the fix's own stop says so (`what_stops`)
    left = [i for i in whole.change_ids if i not in part.change_ids]
    # the changes left out that each take out one of the part's reasons, else all of them
    with_each = {i: _doomed(planned, _cut(whole, {i, *part.change_ids}, {})) for i in left}
    needed = [i for i in left if set(new) - set(with_each[i])] or left
    raise UsageError(
        visible(
            f"--only: {part.label} with only {', '.join(part.change_ids)} would fail Cloud "
            f"Run's deploy-time check of its secrets ({'; '.join(new)}), which the whole plan "
            f"passes: it needs {', '.join(needed)} too (or none of {part.label}'s changes): "
            "nothing was changed"
        )
    )


def _doomed(planned: Planned, sp: ServicePlan) -> tuple[str, ...]:
    """Why a new revision of `sp`'s patch fails the deploy-time check, as the planner judges
    it: on what it builds on (the serving revision, or the workload's template), with the
    account the patch leaves."""
    live = planned.check.state.services.get(sp.key)
    if live is None:
        return ()
    base = planned.bases.get(sp.key)
    template = base.config if base is not None else live.template
    held = str(template.settings.get("service_account", DEFAULT_SERVICE_ACCOUNT))
    account = next((str(s.after) for s in sp.settings if s.name == "service_account"), held)
    return doomed(apply_changes(template, sp.env), planned.check.state, account)


def cut_note(before: Plan, after: Plan) -> str:
    left = sum(len(s.change_ids) for s in before.services) - sum(
        len(s.change_ids) for s in after.services
    )
    return f"--only: {plural(left, 'change')} of the plan left out" if left else ""
