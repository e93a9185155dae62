"""`drift fix --no-promote` of a worker pool: the patched template is written with the pool's
instances pinned by name to the revisions that run them now, so the revision the write creates
gets none of them, held as a service's canary is held with no traffic (SPEC invariant 9).

Cloud Run facts used here. instance_split.proto: a REVISION split "Allocates instances to a
Revision by name", a LATEST one "to the Service's latest ready Revision", and a split's
`percent` "Specifies percent of the instance split to this Revision. This defaults to zero if
unspecified" — a revision no split names gets no instances. worker_pool.proto
`instance_splits`: "Specifies how to distribute instances over a collection of Revisions
belonging to the WorkerPool"; a template change makes a revision whatever the split
(WorkerPoolRevisionTemplate, "the template used to create revisions"), and `reconciling` says
"If reconciliation succeeded, the following fields will match: ... latestReadyRevision and
latestCreatedRevision" — so the held revision is ready, and if it is not, the pool's
terminal condition says the update failed (then drift puts back what ran, as after any failed
update). So the held revision exists with no instances, which is what gcloud's own flag
does: `gcloud beta run
worker-pools update --no-promote` (gcloud 528's help) "assigns any instances assigned to the
LATEST revision to the specific revision bound to LATEST before the deployment. The effect
is that the revision being deployed will not receive instance split", and "After a
deployment with this flag the LATEST revision will not receive instances on future
deployments" (run/docs/managing/workerpool-instance-splits-rollbacks: "If you split instances
between multiple revisions or assign instances to a previous revision, all subsequent
deployments use that instance split pattern going forward") — the pin `drift check` reports
(`revision.pinned`) until the change is finished: the split moved
(`gcloud beta run worker-pools update-instance-split`) or `drift rollback CHANGE`.

A job cannot be held so: it serves nothing, and its next execution runs whatever the job's
template is when it starts (job.proto `Job.template`: "The template used to create executions
for this Job"); Google documents no way to stage a template an execution does not take, so
`--no-promote` refuses a job's update before anything is written (`job_refusal`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drift.fields import FIELDS
from drift.fix.commands import Commands
from drift.fix.instances import describe_instances
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.model import ServicePlan
from drift.fix.patch import is_latest
from drift.kinds import Kind
from drift.live.api import short

if TYPE_CHECKING:
    from drift.fix.context import Fixer


def held(sp: ServicePlan, promote: bool) -> bool:
    """Whether the fix of `sp` holds a pool's new revision with no instances (`--no-promote`
    of a pool whose template the patch changes)."""
    return not promote and sp.kind is Kind.WORKER_POOL and sp.changes_template


def running_rows(pool: Any) -> list[tuple[str, int]]:
    """What the pool's instances run (`instance_split_statuses`, never the spec): each
    revision with its share, LATEST resolved to the revision it runs, in the order read."""
    ready = short(pool.latest_ready_revision)
    rows: dict[str, int] = {}
    for status in pool.instance_split_statuses:
        name = short(status.revision) or (ready if is_latest(status) else "")
        if status.percent and name:
            rows[name] = rows.get(name, 0) + int(status.percent)
    return list(rows.items())


def held_splits(pool: Any) -> list[Any]:
    """The instance splits that keep every instance where it runs (`running_rows`), each
    pinned by name: the revision the write creates is named by none of them. Empty when what
    runs is not known (no status with instances, or shares that do not add up to 100)."""
    from google.cloud import run_v2

    rows = running_rows(pool)
    if sum(p for _, p in rows) != 100:
        return []
    pinned = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION
    return [run_v2.InstanceSplit(type_=pinned, revision=r, percent=p) for r, p in rows]


def hold_problem(after: Any, before: Any, revision: str) -> str:
    """ "" when the pool read back holds `revision` with no instances and its instances run
    what they ran (`running_rows` as before, no LATEST share); else what is not so."""
    if short(after.latest_created_revision) != revision:
        return (
            f"its latest created revision is {short(after.latest_created_revision)}, not {revision}"
        )
    if any(is_latest(s) and s.percent for s in after.instance_splits):
        return "its instance split routes LATEST, which would move instances to the new revision"
    if sorted(running_rows(after)) != sorted(running_rows(before)):
        return f"its instances run {describe_instances(after)}, not what they ran"
    return ""


def held_write(entry: Entry) -> bool:
    """Whether `entry`'s last write is a pool's held by `--no-promote`: its new revision is
    named `canary_name` of its change (`workload._hold`), which the name a fix without the
    flag gives (`revision_name.fresh_revision_name`, a digest) never is."""
    from drift.fix.patch import canary_name

    if entry.kind != Kind.WORKER_POOL.value or not entry.writes:
        return False
    revision = str(entry.writes[-1].get("revision") or "")
    return bool(revision) and revision == canary_name(entry.service, entry.change_id)


def held_landed(now: Any, entry: Entry, write: Write) -> bool:
    """Whether pool `now` shows `entry`'s held write (`held_write`) landed: its revision the
    latest ready one, the instance split and the scaling as sent (`Write.parts`), and the
    instances running what they ran with none on it (`hold_problem` against the pool as read
    before the change) — what a fix stopped (killed) once it was sent would have recorded
    `pinned`. The configuration and the generation are the caller's to judge."""
    from drift.fix.kept_since import parts_sent
    from drift.fix.workload_restore import before_workload

    if short(now.latest_ready_revision) != write.revision or not write.parts:
        return False
    if parts_sent(now, entry) != write.parts:
        return False
    return not hold_problem(now, before_workload(entry, as_read=True), write.revision)


def finish_command(pool: Any, revision: str, project: str, region: str) -> str:
    """The split the fix without `--no-promote` would have written over `pool` as read before
    the change (`instances.moved_splits`: LATEST shares LATEST, resolving to `revision` once it
    is the latest ready one; every share pinned by name moved to it — a fix stops before
    writing at a share pinned to another configuration than the template's, `pool_stop`), as
    `gcloud beta run worker-pools update-instance-split` (gcloud 528: `--to-latest`, or
    `--to-revisions=REVISION=PERCENT,…` with LATEST by that name). Read from the pool alone,
    so the journal's copy of it gives the same command (`pool_left`)."""
    cmd = Commands(project, region, short(pool.name), kind=Kind.WORKER_POOL)
    shares = _shares(pool.instance_splits, revision)
    if shares == {"LATEST": 100}:
        return cmd.to_latest()
    return cmd.instance_split(",".join(f"{name}={p}" for name, p in shares.items()))


def pool_left(revision: str, change: str, entry: Entry, since: str) -> str:
    """`drift.fix.canary_left.canary_left`'s words for a pool's revision `revision` that its
    entry `entry` says was held (`State.PINNED`) or left by a fix that stopped; `since`: who
    changed the pool since drift's write ("" none). Words made to follow an opening
    parenthesis, which they close."""
    from drift.fix.workload_restore import before_workload

    back = (
        f"`drift rollback {change}` puts back the template and the instance split as they "
        "were before the change"
    )
    if since:
        back = f"`drift rollback {change}`, which refuses it (`--force` would undo that change)"
    but = f", but {since}" if since else ""
    if entry.state != State.PINNED:
        return (
            f"the revision {revision} of change {change}, left by a fix that did not finish: "
            f"{entry.state}). Finish that change first{but}: {back}"
        )
    finish = finish_command(
        before_workload(entry, as_read=True), revision, entry.project, entry.region
    )
    return (
        f"the revision {revision} of change {change}, held with no instances by `drift fix "
        f"--no-promote`). Finish that change first{but}, either way: move the instances "
        f"({finish}), or {back}"
    )


def held_message(fixer: Fixer, revision: str, after: Any, tagged: str = "") -> str:
    """What `drift fix --no-promote` says of the pool it held (SPEC invariant 9: so, and how
    to finish), with what of the change is in effect already (`at_once_note`) and what its
    image named by a tag resolved to (`tagged`)."""
    sp, change, p = fixer.sp, fixer.change_id, fixer.ctx.profile
    finish = finish_command(fixer.live.source, revision, p.project, p.region)
    return (
        f"{sp.label}: its new revision {revision} holds the patch ({', '.join(sp.targets)}) "
        f"with no instances (--no-promote); its instances run {describe_instances(after)} "
        f"as before, pinned by name while {revision} exists, so a new deploy would get no "
        f"instances (`drift check` reports revision.pinned). Finish with: move the "
        f"instances ({finish}), or `drift rollback {change}`"
        + at_once_note(sp, change)
        + (f"; {tagged}" if tagged else "")
    )


def at_once_note(sp: ServicePlan, change: str) -> str:
    """What of the change the pool holds itself and the write applied at once, though the new
    revision has no instances (`ServicePlan.at_once`: its instance count, its own scaling):
    "" for none (the words of `ServiceFixer._live_already`)."""
    said = [
        f"{s.name} {FIELDS[s.name].show(s.before) if s.before is not None else '(unset)'}"
        f" → {FIELDS[s.name].show(s.after)}"
        for s in sp.settings
        if s.name in sp.at_once and s.name in FIELDS and s.container is None
    ]
    if not said:
        return ""
    one = len(said) == 1
    return (
        f". Already in effect: {', '.join(said)}, written to the worker pool with the new "
        f"revision (Cloud Run holds {'it' if one else 'them'} on the pool, not on a revision): "
        f"{'it applies' if one else 'they apply'} to what runs now, not only once the "
        f"instances move; moving them keeps {'it' if one else 'them'}, `drift rollback "
        f"{change}` puts {'it' if one else 'them'} back"
    )


def unheld_note(sp: ServicePlan, promote: bool) -> str:
    """A pool's update under `--no-promote` that makes no revision (only what the pool holds
    itself: `ServicePlan.at_once`): nothing to hold back, it applies at once; "" else."""
    if promote or sp.kind is not Kind.WORKER_POOL or sp.changes_template:
        return ""
    return (
        f"--no-promote holds nothing here: {', '.join(sp.at_once) or 'the change'} "
        "is the pool's own, not a revision's, and applies at once"
    )


def job_refusal(sp: ServicePlan, environment: str) -> str:
    """Why `--no-promote` refuses a job's update, and what to run instead ("" for another
    workload)."""
    if sp.kind is not Kind.JOB:
        return ""
    return (
        "--no-promote cannot hold a job's update: a job serves nothing, and its next "
        'execution runs whatever its template is (Job.template, "The template used to create '
        'executions for this Job"), so there is no revision to keep back. Run the fix without '
        f"--no-promote (drift fix {environment}; its next execution runs the patch), or update "
        "it yourself (gcloud run jobs update), or leave it out of this fix (--service NAME for "
        "each other workload)"
    )


FINISHED_BY_HAND = "finished-by-hand"
"""The step of the write `record_finished` journals: the split moved as drift said."""


def finished_by_hand(now: Any, entry: Entry) -> bool:
    """Whether pool `now` is `entry`'s held revision with its instances moved as `fix
    --no-promote` printed (`finish_command`), and nothing else written since drift's write:
    drift's own instruction followed, not someone else's change (SPEC invariant 10), as
    `drift.fix.byhand.promoted_by_hand` judges a service's canary promoted by hand."""
    from drift.fix.kept_since import parts_sent
    from drift.fix.workload_restore import before_workload
    from drift.live.normalize import config_key

    done = entry.landed_writes()
    if entry.kind != Kind.WORKER_POOL.value or entry.state != State.PINNED:
        return False
    if len(done) != 1 or len(entry.writes) != 1 or not done[0].revision:
        return False
    write, was = done[0], str(entry.service_before.get("uid", "") or "")
    if (was and now.uid != was) or int(now.generation) != write.generation_after + 1:
        return False
    if config_key(now, Kind.WORKER_POOL) != write.template_key:
        return False
    split = "instance_splits"
    theirs = {k: v for k, v in parts_sent(now, entry).items() if k != split}
    if theirs != {k: v for k, v in write.parts.items() if k != split}:
        return False
    wanted = _shares(before_workload(entry, as_read=True).instance_splits, write.revision)
    return _shares(now.instance_splits, "") == wanted


def _shares(splits: Any, revision: str) -> dict[str, int]:
    """Each split's share by what it names (LATEST, or its revision; `revision`, when given,
    in place of every revision named: what `finish_command` moves)."""
    shares: dict[str, int] = {}
    for split in splits or ():
        if split.percent:
            name = "LATEST" if is_latest(split) else (revision or short(split.revision))
            shares[name] = shares.get(name, 0) + int(split.percent)
    return shares or {"LATEST": 100}


def record_finished(journal: Journal, entry: Entry, now: Any) -> None:
    """Journal the split moved by hand (`finished_by_hand`) as a landed write of drift's would
    be, and the change as an update made: its rollback is judged from that write on."""
    from drift.fix.byhand import journal_by_hand
    from drift.fix.kept_since import parts_sent
    from drift.live.normalize import config_key

    revision = entry.landed_writes()[-1].revision
    note = (
        f"{FINISHED_BY_HAND}: the instances moved to {revision} (generation {now.generation}, "
        "as `fix --no-promote` printed)"
    )
    written: dict[str, Any] = {"revision": revision, "traffic": [], "parts": parts_sent(now, entry)}
    written["template_key"] = config_key(now, Kind.WORKER_POOL)
    journal_by_hand(journal, entry, now, FINISHED_BY_HAND, State.UPDATED, note, written)
