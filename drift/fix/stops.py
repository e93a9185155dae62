"""What stops a fix from starting (SPEC invariant 8), judged before `drift fix` writes anything:
a plan made, the workloads it would write."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from drift.diff.unserved import canary_running
from drift.fix.base import unreleased_message
from drift.fix.instances import moved_unknown, stuck_note
from drift.fix.journal import Entry
from drift.fix.model import ServicePlan
from drift.fix.plan import Planned
from drift.kinds import Kind


def unbuildable(
    planned: Planned, todo: list[ServicePlan], *, from_template: bool, entries: list[Entry]
) -> str:
    """Why no fix may start (`what_stops`), said at once: "" when nothing stops it."""
    stops = what_stops(planned, todo, from_template=from_template, entries=entries)
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
    from_template: bool,
    entries: Sequence[Entry] = (),
) -> dict[str, str]:
    """What stops the fix of each service that may not start, by key (SPEC invariant 8): a
    template holding an unreleased change, a deploy in progress, a serving revision that
    could not be read, a secret that makes any new revision fail. A worker pool is updated
    on its template, in place: a template that is not what its instances run (a change not
    rolled out, a revision that failed) would go out with the patch, so it stops the fix
    unless `--from-template` says to build on it. `entries`: the journal's (what left a
    canary, and how to finish it)."""
    problems: dict[str, str] = {}
    for sp in todo:
        if sp.doomed:  # Cloud Run would refuse any new revision: a fix only adds a failed one
            # a job's update makes no revision; it may meet the check, its executions do
            what = "its update may fail" if sp.kind is Kind.JOB else "a new revision would fail"
            problems[sp.key] = (
                f"{sp.label}: {what} Cloud Run's deploy-time check of its "
                f"secrets ({'; '.join(sp.doomed)}); do the manual steps above for the secrets "
                "(enable or add a version, grant access), then run drift fix again"
            )
            continue
        base = planned.bases.get(sp.key)
        if base is None:
            live = planned.check.state.services[sp.key]
            if live.reconciling:  # a job or a worker pool
                problems[sp.key] = f"{sp.label}: an update is in progress; run drift fix again"
            elif (
                sp.kind is Kind.WORKER_POOL
                and sp.unreleased
                and sp.changes_template
                and not from_template
            ):
                # a pool's own settings (its manual instance count) leave the template as it
                # is: "Changing scaling mode or changing the manual instance count does not
                # create a new revision" (run/docs/configuring/workerpools/manual-scaling)
                problems[sp.key] = (
                    f"{sp.label}: {sp.unreleased}: updating it in place would roll that out "
                    "with the patch (--from-template builds on the template, if that is meant)"
                )
            elif sp.changes_template and (note := stuck_note(live)):
                problems[sp.key] = f"{sp.label}: {note}"
            elif sp.changes_template and not from_template and (lost := moved_unknown(live)):
                problems[sp.key] = f"{sp.label}: {lost}"
            continue
        if base.blocked:
            problems[sp.key] = f"{sp.service}: {base.blocked}"
        elif base.unknown and sp.changes_template:  # in place, the template is sent as read
            problems[sp.key] = f"{sp.service}: {base.unknown}"
        elif base.unreleased and sp.changes_template:  # in place, the template stays as is
            state = planned.check.state  # as `drift check` judges a canary in flight
            records = state.history.get(sp.key) or []
            running = partial(canary_running, records=records, now=state.now)
            problems[sp.key] = unreleased_message(base, planned.plan.environment, entries, running)
    return problems
