"""What the plan says `drift fix --no-promote` does to a worker pool (`held_plan`): its new
revision gets no instances, what runs keeps running, pinned by name, until the change is
finished (`drift.fix.pool_hold`). The plan says it in every format (the table's in-place note:
`drift.fix.formats.table.in_place`; json's `no_promote`; the gcloud script's `--no-promote`;
the YAML's split), the plan a fix shows before its prompt and its dry run's included, never
only a note after a plan that says the instances move."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING

from drift.fix.instances import describe_instances
from drift.fix.model import Plan, ServicePlan
from drift.fix.patch import canary_name
from drift.fix.pool_hold import finish_command, held, held_splits

if TYPE_CHECKING:
    from drift.fix.plan import Planned


def held_words(sp: ServicePlan) -> str:
    """What `drift fix --no-promote` does with pool `sp` (as read when planned: `sp.live`),
    in the plan's words: its new revision named `canary_name` (CHANGE: the fix's change id),
    with no instances; what runs now, pinned by name; the command that finishes it as the fix
    without the flag would have (`pool_hold.finish_command`), or the rollback."""
    revision = canary_name(sp.service)
    if sp.live is None:
        runs = "they stay on the revisions they run now, pinned by name"
        finish = "the command `drift fix --no-promote` prints"
    elif not held_splits(sp.live):
        return (
            "--no-promote: what its instances run is not known (instance_split_statuses), so "
            "drift fix --no-promote stops before writing: nothing would be changed"
        )
    else:
        runs = f"they run {describe_instances(sp.live)} as now, pinned by name"
        finish = finish_command(sp.live, revision, sp.project, sp.region)
    return (
        f"--no-promote: its new revision {revision} (CHANGE: the fix's change id) holds the "
        f"patch with no instances; {runs}, so a new deploy would get none while it exists. "
        f"Finish with: move the instances ({finish}), or `drift rollback CHANGE`"
    )


def held_plan(planned: Planned, promote: bool) -> Planned:
    """`planned` as `drift fix` makes it (`promote`: without `--no-promote`, unchanged): each
    pool it holds (`pool_hold.held`, and not stopped before any write) says so
    (`ServicePlan.held_back`), with nothing of where the fix without the flag moves its
    pinned instances (`instances`, `split_change`); its YAML document pins every instance by
    name where it runs (`pool_hold.held_splits`), as the fix writes it."""
    if promote:
        return planned
    services, patched = [], dict(planned.patched)
    for sp in planned.plan.services:
        if not (held(sp, promote) and sp.has_patch and not sp.blocked):
            services.append(sp)
            continue
        services.append(replace(sp, held_back=held_words(sp), instances="", split_change=""))
        splits = held_splits(sp.live) if sp.live is not None else []
        if sp.key in patched and splits:
            pool = copy.deepcopy(patched[sp.key])
            pool.instance_splits = splits
            patched[sp.key] = pool
    plan: Plan = replace(planned.plan, services=tuple(services))
    return replace(planned, plan=plan, patched=patched)
