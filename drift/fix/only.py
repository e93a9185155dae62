"""`drift fix --only ID…`: the plan cut down to the changes named (each one of the plan's
change ids, as every plan output shows them), and what each service's patch repairs with it.
The part is judged as what it writes, as the planner judged the whole: a part that Cloud Run
would refuse (a cpu below 1 without the concurrency the plan sets with it, a job's task count
below the parallelism the plan lowers with it, a memory above what the cpu left out takes), or
whose revision fails its deploy-time check of secrets (a reference the whole plan takes out and
the part leaves in), while the whole plan passes, is a usage error naming the changes it needs (the
ids depend on each other), before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace

from drift.errors import UsageError
from drift.fields import DEFAULT_SERVICE_ACCOUNT
from drift.fields.cpu_floor import required, template_values
from drift.fields.gpu_floor import gpu_needs
from drift.fix.changes import apply_changes, doomed
from drift.fix.cpu_memory import refused_pair
from drift.fix.model import Plan, ServicePlan
from drift.fix.plan import Planned
from drift.fix.proposed import Proposed
from drift.fix.task_cap import over_tasks
from drift.kinds import Kind
from drift.textsafe import plural, visible


def only(planned: Planned, ids: Sequence[str]) -> Plan:
    """The plan cut down to the changes `ids` name (each must be one of its changes); what
    each service's patch repairs, cut down alike."""
    plan = planned.plan
    known = {i for sp in plan.services for i in sp.change_ids}
    unknown = [i for i in ids if i not in known]
    left = [i for sp in plan.services for i in sp.silenced_ids if i in unknown]
    if left:
        raise UsageError(
            f"--only: {visible(', '.join(left))} left as it is: the profile's ignore silences "
            "it (the plan's manual steps say which entry); remove the entry to have it repaired"
        )
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
    """Refuse a part that Cloud Run would refuse, or whose new revision (a job's update) its
    deploy-time check of secrets would fail, when the whole plan passes (the planner judged
    the whole patch): a setting left out is what Cloud Run requires beside one kept (below 1
    CPU, under a GPU: `drift.fix.below_one`, `drift.fix.gpu_floor`), a change left out takes
    out a reference to a version not ENABLED or sets the account that can read one."""
    if not part.has_patch:
        return
    settings = [i for i in map(whole.setting_id, whole.settings) if i not in part.change_ids]
    if new := _new(_refused(planned, part), _refused(planned, whole)):
        _refuse(
            part, f"a patch Cloud Run refuses ({'; '.join(new)})", settings or _left(whole, part)
        )
    # a stated value kept through a default the part's setting changes move: left out, the
    # part makes a new drift
    kept = [whole.setting_id(s) for s in whole.settings if s.keeps]
    moves = any(s.name == "cpu" for s in part.settings)  # the instance's CPU (helper-555 F1)
    if moves and (cut := [i for i in kept if i not in part.change_ids]):
        _refuse(part, "a patch that moves a setting the profile states, met as it runs", cut)
    if not part.changes_template:
        return  # an update in place of what the workload holds itself makes no revision
    if not (new := _new(_doomed(planned, part), whole.doomed)):
        return  # startable, or doomed as a whole: the fix's own stop says so (`what_stops`)
    left = _left(whole, part)
    # the changes left out that each take out one of the part's reasons, else all of them
    with_each = {i: _doomed(planned, _cut(whole, {i, *part.change_ids}, {})) for i in left}
    needed = [i for i in left if set(new) - set(with_each[i])] or left
    _refuse(
        part,
        f"a revision that fails Cloud Run's deploy-time check of its secrets ({'; '.join(new)})",
        needed,
    )


def _new(part: Sequence[str], whole: Sequence[str]) -> list[str]:
    return [w for w in part if w not in whole]


def _left(whole: ServicePlan, part: ServicePlan) -> list[str]:
    return [i for i in whole.change_ids if i not in part.change_ids]


def _refuse(part: ServicePlan, what: str, needed: Sequence[str]) -> None:
    raise UsageError(
        visible(
            f"--only: {part.label} with only {', '.join(part.change_ids)} is {what}, which the "
            f"whole plan is not: it needs {', '.join(needed)} too (or none of {part.label}'s "
            "changes): nothing was changed"
        )
    )


def _refused(planned: Planned, sp: ServicePlan) -> list[str]:
    """What Cloud Run requires that `sp`'s patch leaves out, in words: of a GPU's instance,
    of a job's parallelism (at most its task count), of the memory a CPU takes, and below one
    CPU (a service's); judged
    on what the planner judged."""
    live = planned.check.state.services.get(sp.key)
    if live is None or live.source is None or not sp.settings:
        return []
    base = planned.bases.get(sp.key)
    serves = live.kind is Kind.SERVICE
    on = base.template if base is not None else None  # a pool's: `drift.fix.pool_base`
    proposed = Proposed(live, on, sp.primary or None, list(sp.settings))
    template = proposed.template()
    out = gpu_needs(template, serves=serves) + over_tasks(proposed) + refused_pair(proposed)
    if not serves:  # below one CPU is a service's rule (`below_one`): a task template has
        return out  # no concurrency to judge
    with suppress(ValueError):  # a quantity drift cannot read: the server judges it
        cpu, values = template_values(template)
        out += [f"{r.need} (it is {r.now}) below 1 CPU" for r in required(cpu, values)]
    return out


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
