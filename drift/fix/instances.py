"""Where a worker pool's instances go when a fix or a rollback updates it, and what they run
afterwards, judged from `instance_split_statuses` (never from the spec alone).

Cloud Run facts used here (google/cloud/run/v2/instance_split.proto,
`InstanceSplitAllocationType`): a LATEST split "Allocates instances to the Service's latest
ready Revision", a REVISION split "Allocates instances to a Revision by name". So an update of
the template moves the LATEST shares to the revision it creates once that is ready, and leaves
every share pinned by name where it is. A fix that left the pinned shares on the revision they
name would leave those instances on the drifted configuration while saying the pool was
patched; the fix moves them the way a service's promotion moves traffic
(`drift.fix.patch.promoted_traffic`): a split naming a revision with the configuration the
patch builds on (the template's) names the patched revision instead, every other split and
percentage unchanged. A split naming a revision with another configuration (only with
`--from-template`) would keep its instances on that configuration: the fix refuses before
writing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from drift.diff.served import pool_differences, written_differences
from drift.fix.base import Base
from drift.fix.commands import Commands
from drift.fix.model import ServicePlan
from drift.fix.patch import is_latest, promoted_traffic, update_traffic_words
from drift.fix.unknown import unknown_lost
from drift.kinds import Kind
from drift.live.api import short
from drift.live.model import LiveService


@dataclass
class Moves:
    """A pool's instance splits once its patched revision (named `revision`) exists."""

    splits: list[Any] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    """`REVISION N%` of each split that moves to the patched revision."""
    stuck: list[str] = field(default_factory=list)
    """`REVISION N%` of each split whose instances the patch cannot move (another
    configuration, or one that could not be read)."""
    built_on: str = ""
    """The revision the patch builds on in place of the template ("" the template)."""


def _split(kind: str, revision: str, percent: int) -> Any:
    from google.cloud import run_v2

    kinds = run_v2.InstanceSplitAllocationType
    if kind == "LATEST":
        return run_v2.InstanceSplit(
            type_=kinds.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST, percent=percent
        )
    return run_v2.InstanceSplit(
        type_=kinds.INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION, revision=revision, percent=percent
    )


def copy_splits(splits: Any) -> list[Any]:
    from google.cloud import run_v2

    return [run_v2.InstanceSplit.deserialize(run_v2.InstanceSplit.serialize(s)) for s in splits]


def moved_splits(live: LiveService, revision: str, built_on: str = "") -> Moves:
    """The pool's splits with every share pinned to a revision of the template's
    configuration moved to `revision` (one split for all of them), LATEST shares LATEST.
    `built_on`: the revision the patch builds on instead of the template (its template's
    revision failed: `drift.fix.pool_base`), whose shares alone move."""
    revisions = {r.name: r for r in live.serving}
    out = Moves(built_on=built_on)
    if live.kind is not Kind.WORKER_POOL:
        return out
    onto = 0
    for split in live.source.instance_splits or [_split("LATEST", "", 100)]:
        name, percent = short(split.revision), int(split.percent)
        if is_latest(split) or not percent:
            out.splits.append(copy_splits([split])[0])
            continue
        serving = revisions.get(name)  # the template's configuration, image included
        same = serving is not None and not written_differences(live, serving)
        if (name == built_on) if built_on else same:
            if not onto:
                out.splits.append(_split("REVISION", revision, 0))
                onto = len(out.splits)
            out.splits[onto - 1].percent += percent
            out.moved.append(f"{name} {percent}%")
        else:
            out.splits.append(copy_splits([split])[0])
            out.stuck.append(f"{name} {percent}%")
    return out


def stuck_note(live: LiveService, built_on: str = "") -> str:
    """Why a fix of the pool's template cannot move its instances ("" when it can)."""
    moves = moved_splits(live, "", built_on)
    return describe(moves) if moves.stuck else ""


def pool_plan(
    sp: ServicePlan, live: LiveService, *, from_template: bool, base: Base | None = None
) -> ServicePlan:
    """A worker pool's plan as its fix goes: built on the template with `--from-template`, its
    differences from what the instances run listed, as they roll out with the patch (SPEC
    invariant 8: "the plan shows those differences as changes too"), and why a fix stops at it
    (`pool_stop`). Any other plan as it is. `base`: what it builds on when its template's
    revision failed (`drift.fix.pool_base`): the fix stops only where that says it does, or
    where a split pins another revision."""
    if sp.kind is not Kind.WORKER_POOL:
        return sp
    if base is not None and not sp.has_patch:  # nothing written: nothing replaced
        return replace(sp, failed_template="", template_differences=(), built_on="")
    if base is not None:  # its instance count alone too (`ServicePlan.changes_template`)
        stops = base.blocked or base.unknown or stuck_note(live, base.revision)
        return replace(sp, stops=stops)
    if not (sp.has_patch and sp.changes_template):
        return sp
    return replace(
        sp,
        stops=pool_stop(live, sp.unreleased, from_template=from_template),
        template_differences=pool_differences(live) if from_template else (),
        from_template=from_template,
    )


def pool_stop(live: LiveService, unreleased: str, *, from_template: bool) -> str:
    """Why `drift fix` stops at a worker pool whose template its patch changes, before any
    write ("" when it does not; `stops.what_stops` reads it, and the plan shows the pool's
    changes blocked by it: revjobs60 F3). A pool is updated on its template, in place: a
    template that is not what its instances run (`unreleased`: a change not rolled out; a
    revision that failed is replaced, `drift.fix.pool_base`, unless its deploy has not
    settled) would go out with the patch unless `--from-template` says to build on it;
    instances pinned to another configuration cannot move; nor can instances moved onto the
    patched revision keep fields the installed client does not know."""
    if unreleased and not from_template:
        return (
            f"{unreleased}: updating it in place would roll that out with the patch "
            "(--from-template builds on the template, if that is meant)"
        )
    return stuck_note(live) or ("" if from_template else moved_unknown(live))


def moves_note(live: LiveService, built_on: str = "") -> str:
    """What the plan says of a pool whose instance split names revisions ("" when none)."""
    return describe(moved_splits(live, "", built_on))


PATCHED = "<the revision the update created>"


def split_change(cmd: Commands, live: LiveService, built_on: str = "") -> str:
    """The command setting the pool's split as the fix does (`moved_splits`), the patched
    revision left to fill in; "" when no pinned share moves or one cannot."""
    moves = moved_splits(live, PATCHED, built_on)
    if not moves.moved or moves.stuck:
        return ""
    words = [
        f"{'LATEST' if is_latest(s) else short(s.revision) or s.revision}={int(s.percent)}"
        for s in moves.splits
        if s.percent
    ]
    return cmd.instance_split(",".join(words))


def traffic_change(cmd: Commands, source: Any, base: str) -> str:
    """A service's `split_change`: the traffic a fix's promotion moves to its canary
    (`promoted_traffic`) moved to the revision `gcloud run services update` created, when some
    of it is pinned to `base` by name, which that revision gets none of until moved (a REVISION
    target "Allocates instances to a Revision by name", a LATEST one "to the Service's latest
    ready Revision": run v2 traffic_target.proto); "" when none of it is."""
    targets = promoted_traffic(source, base, PATCHED)
    if not any(t.revision == PATCHED for t in targets):
        return ""
    return cmd.traffic(*update_traffic_words(targets))


def describe(moves: Moves) -> str:
    """Where the instances of `moves` go, or why they cannot ("" when nothing is pinned)."""
    if moves.stuck:
        return (
            f"its instance split pins {', '.join(moves.stuck)}, which run another "
            f"configuration than {moves.built_on or 'the template'}: a fix would leave those "
            "instances on it, so it stops (move them with `gcloud beta run worker-pools "
            "update-instance-split`, then run drift fix again)"
        )
    if moves.moved:
        ran = "the template's configuration"
        ran = (
            f"{moves.built_on}'s configuration, which the patch builds on"
            if moves.built_on
            else ran
        )
        return (
            f"its instance split pins {', '.join(moves.moved)} ({ran}): "
            "the fix names the patched revision and moves those instances to it; LATEST "
            "shares stay LATEST"
        )
    return ""


def runs_only(pool: Any, revision: str) -> str:
    """ "" when every instance the pool runs runs `revision`, its latest ready revision;
    else what runs (from `instance_split_statuses`)."""
    ready = short(pool.latest_ready_revision)
    elsewhere = [
        f"{name} {int(s.percent)}%"
        for s in pool.instance_split_statuses
        if s.percent and (name := short(s.revision) or ready) != revision
    ]
    if revision != ready or elsewhere or pool.reconciling:
        return f"its instances run {describe_instances(pool)}, not {revision or 'a new revision'}"
    return ""


def describe_instances(pool: Any) -> str:
    ready = short(pool.latest_ready_revision)
    parts = []
    for s in pool.instance_split_statuses:
        if not s.percent:
            continue
        if is_latest(s):
            parts.append(f"LATEST {int(s.percent)}% → {short(s.revision) or ready or '(none)'}")
        else:
            parts.append(f"{short(s.revision)} {int(s.percent)}%")
    return "; ".join(parts) or "nothing"


def _rows(pool: Any) -> tuple[list[tuple[str, int]], list[tuple[int, str]]]:
    """(named revision, percent) and (LATEST percent, the revision it resolves to)."""
    ready = short(pool.latest_ready_revision)
    named = sorted(
        (short(s.revision), int(s.percent))
        for s in pool.instance_split_statuses
        if s.percent and not is_latest(s)
    )
    latest = sorted(
        (int(s.percent), short(s.revision) or ready)
        for s in pool.instance_split_statuses
        if s.percent and is_latest(s)
    )
    return named, latest


def restoration_problem(now: Any, before: Any, restored_here: bool) -> str:
    """ "" when the pool's instances run what ran before the change: the same revisions
    named with the same shares, and each LATEST share on the revision it was on before or
    on the revision the restored template created (`restored_here`: it is ready and the
    template read back is the configuration that ran); else what runs."""
    was_named, was_latest = _rows(before)
    named, latest = _rows(now)
    problems = []
    if named != was_named:
        problems.append("the revisions named in the instance split are not those before")
    if [p for p, _ in latest] != [p for p, _ in was_latest]:
        problems.append("LATEST does not have the instances it had")
    new = short(now.latest_ready_revision)
    ready = new == short(now.latest_created_revision) and not now.reconciling
    for _, revision in latest:
        if revision in {r for _, r in was_latest}:
            continue
        if not (revision == new and ready and restored_here):
            problems.append(
                f"LATEST runs {revision or 'no ready revision'}, which does not run what ran before"
            )
    if problems:
        return "; ".join(dict.fromkeys(problems)) + f" (what runs: {describe_instances(now)})"
    return ""


def moved_unknown(live: LiveService) -> str:
    """Why moving the pool's pinned instances onto its patched template would drop fields the
    installed client does not know (`unknown.unknown_lost`; "" when it would not): a revision
    fetched for its configuration (one the template does not describe) is compared by its
    known fields only."""
    revisions = {r.name: r for r in live.serving}
    for split in live.source.instance_splits if live.kind is Kind.WORKER_POOL else ():
        serving = revisions.get(short(split.revision))
        if is_latest(split) or not split.percent or serving is None or serving.source is None:
            continue
        if not written_differences(live, serving):  # moved (moved_splits)
            lost = unknown_lost(serving.name, serving.source, live.source.template, pool=True)
            if lost:
                return lost
    return ""
