"""What stops a fix from starting (SPEC invariant 8), judged before `drift fix` writes anything:
a plan made, the workloads it would write."""

from __future__ import annotations

from collections.abc import Sequence

from drift.fix.canary_left import pool_held_stop, running_rule, unreleased_stop
from drift.fix.journal import Entry
from drift.fix.model import ServicePlan
from drift.fix.plan import Planned
from drift.fix.pool_hold import job_refusal
from drift.kinds import Kind


def unbuildable(
    planned: Planned, todo: list[ServicePlan], *, entries: Sequence[Entry], promote: bool = True
) -> str:
    """Why no fix may start (`what_stops`), said at once: "" when nothing stops it."""
    stops = what_stops(planned, todo, entries=entries, promote=promote)
    if not stops:
        return ""
    said = "; ".join(stops.values()) + ": nothing was changed"
    # every workload of the fix is left as it is, not only those that stop it (revjobs60 F3)
    if others := [s.label for s in todo if s.key not in stops]:
        said += f" ({', '.join(others)}, which nothing stops, not written either)"
    return said


def what_stops(
    planned: Planned,
    todo: list[ServicePlan],
    *,
    entries: Sequence[Entry] = (),
    promote: bool = True,
) -> dict[str, str]:
    """What stops the fix of each service that may not start, by key (SPEC invariant 8): a
    template holding an unreleased change, a deploy in progress, a serving revision that
    could not be read, a secret that makes any new revision fail. A worker pool is updated
    on its template, in place: a template that is not what its instances run (a change not
    rolled out) would go out with the patch, so it stops the fix unless `--from-template`
    says to build on it: the plan, made with or without it, says (`ServicePlan.stops`, a
    service's `Base`); a revision that failed is replaced by what its instances run, where
    they run one (`drift.fix.pool_base`, its own stop otherwise). `entries`: the journal's
    (what left a canary, and how to finish it). `promote`: False under `--no-promote`,
    which a job's update cannot honour (`drift.fix.pool_hold.job_refusal`)."""
    problems: dict[str, str] = {}
    for sp in todo:
        if not promote and (refused := job_refusal(sp, planned.plan.environment)):
            problems[sp.key] = f"{sp.label}: {refused}"
            continue
        if sp.doomed_stop:  # Cloud Run would refuse any new revision: a fix only adds a failed one
            problems[sp.key] = f"{sp.label}: {sp.doomed_stop}"
            continue
        base = planned.bases.get(sp.key)
        if base is not None and base.kind is Kind.WORKER_POOL:  # its template's revision
            if sp.stops:  # failed (`drift.fix.pool_base`): its own stop, as its plan says
                problems[sp.key] = f"{sp.label}: {sp.stops}"
            continue
        if base is None:
            live = planned.check.state.services[sp.key]
            if held := held_stop(planned, sp, entries):  # drift's own change, left held
                problems[sp.key] = f"{sp.label}: {held}"
            elif live.reconciling:  # a job or a worker pool
                problems[sp.key] = f"{sp.label}: an update is in progress; run drift fix again"
            elif sp.stops:  # a worker pool's (`instances.pool_stop`), as its plan shows it
                problems[sp.key] = f"{sp.label}: {sp.stops}"
            continue
        if base.blocked:
            problems[sp.key] = f"{sp.service}: {base.blocked}"
        elif base.unknown and sp.changes_template:  # in place, the template is sent as read
            problems[sp.key] = f"{sp.service}: {base.unknown}"
        elif sp.stops:  # the template holds what does not serve (`canary_left.unreleased_stop`)
            running = running_rule(planned.check.state, sp.key)
            live = planned.check.state.services[sp.key]
            environment = planned.plan.environment
            stop = unreleased_stop(base, live, environment, entries, running)
            problems[sp.key] = f"{base.service}: {stop}"  # the service named first
    return problems


def held_stop(planned: Planned, sp: ServicePlan, entries: Sequence[Entry]) -> str:
    """Why `drift fix` stops at worker pool `sp` whose latest revision drift left with no
    instances (`canary_left.pool_held_stop`); "" for any other workload."""
    if sp.kind is not Kind.WORKER_POOL:
        return ""
    live = planned.check.state.services[sp.key]
    return pool_held_stop(live, entries, running_rule(planned.check.state, sp.key))


def held_pools(planned: Planned, entries: Sequence[Entry]) -> str:
    """A fix with nothing to patch stops all the same at a worker pool drift left held
    (`held_stop`), as at a service's held canary, whose plan patches what serves: its change
    is to be finished first, and "nothing to patch" would hide it. "" when none is held."""
    said = [
        f"{sp.label}: {h}" for sp in planned.plan.services if (h := held_stop(planned, sp, entries))
    ]
    return "; ".join(said) + ": nothing was changed" if said else ""
