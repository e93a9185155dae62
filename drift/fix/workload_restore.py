"""The rollback of a fix made in place (a job's, a worker pool's, or a service's of its own
settings only: `drift.fix.workload`): one UpdateJob / UpdateWorkerPool / UpdateService putting
back what the change changed — the template, a pool's scaling and instance splits, each
setting the workload holds itself (Binary Authorization, a service's ingress or own scaling),
a service's traffic as it was — judged by reading back what runs: a service's
`traffic_statuses`,
a job's Ready condition (`Job.terminal_condition`, "containing its readiness status, and
detailed error information in case it did not reach the desired state"), a pool's
`instance_split_statuses` (`drift.fix.instances`). Never "restored" when it was not.

The restored template's revision name is cleared, as a service's is (`drift.fix.restore`): a
template naming an existing revision is refused (ALREADY_EXISTS) or reuses it, whichever
Cloud Run does, and the documented way is a new revision of the configuration that ran."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from functools import partial
from typing import Any

from drift.errors import ApiError, AuthError
from drift.fields import FIELDS, Source, read_settings
from drift.fields.access import template_of
from drift.fix import pool_gone
from drift.fix.byhand import copy_field
from drift.fix.instances import copy_splits, restoration_problem
from drift.fix.journal import ROLLBACK, Entry, Journal, Write
from drift.fix.patch import copy_workload, restored_traffic, without_system_metadata
from drift.fix.recorded import change_parts, ran_before
from drift.fix.restore import changed_since, refusal
from drift.fix.restored import (
    Judge,
    Restored,
    complete,
    holds,
    journaled,
    theirs,
    unproven,
)
from drift.fix.restored import (
    carries_kind as carries,
)
from drift.fix.routing import restoration_problem as serving_problem
from drift.fix.routing import revision_key, serving, unnamed
from drift.fix.update import get_workload, settled_workload, update_workload
from drift.fix.waiting import STILL, Deadline
from drift.fix.wire import unpacked
from drift.fix.withheld import require_filled
from drift.kinds import Kind, label
from drift.live.api import condition_said, short
from drift.live.normalize import config_key, pick_container, raw
from drift.live.session import Session


def in_place(entry: Entry) -> bool:
    """A change made by one update in place (a job's, a worker pool's, a service's own
    settings), not by a canary revision."""
    return entry.kind != Kind.SERVICE.value or not entry.canary_revision


def before_workload(entry: Entry, *, as_read: bool = False) -> Any:
    """The workload as read before the change (run_v2 message of its kind): from its bytes,
    the fields this client does not know included (an older drift's entry: its JSON); a
    worker pool whose fix replaced a failed template, with what it ran instead (`ran_before`:
    what its rollback restores), unless `as_read`."""
    from google.cloud import run_v2

    messages: dict[Kind, Any] = {Kind.JOB: run_v2.Job, Kind.WORKER_POOL: run_v2.WorkerPool}
    message = messages.get(Kind(entry.kind), run_v2.Service)
    if entry.service_before_pb:
        out = unpacked(message, entry.service_before_pb)
    else:
        out = message.from_json(json.dumps(entry.service_before), ignore_unknown_fields=True)
    if not as_read and (ran := ran_before(entry)) is not None:
        out.template = ran
    return out


def held_too(entry: Entry, later: Sequence[Entry] = ()) -> list[str]:
    """`held` of `entry` and of drift's `later` changes a forced rollback undoes too
    (`drift.fix.since.undoes`): each put back as it was before `entry` (helper-752 F2)."""
    return list(dict.fromkeys(n for e in (entry, *later) for n in held(e)))


def held(entry: Entry) -> list[str]:
    """The settings the change made that the workload holds itself, outside its template
    (catalogue rows of `level="service"` for its kind: a service's ingress, Binary
    Authorization, a job's task count, a pool's instance count; and those written to a part
    of the service, `service_part`: its own scaling)."""
    kind = Kind(entry.kind)
    names = [c.split(".", 1)[1] for c in entry.changes if c.startswith("setting.")]
    return [
        n
        for n in names
        if n in FIELDS
        and FIELDS[n].applies(kind)
        and (FIELDS[n].level == "service" or FIELDS[n].service_part)
    ]


def _settings(workload: Any, kind: Kind) -> dict[str, Any]:
    return dict(read_settings(Source(raw(workload), raw(template_of(workload)), None, kind)))


def restore_request(
    now: Any, entry: Entry, gone: Collection[str] = (), later: Sequence[Entry] = ()
) -> Any:
    """The resource as it is now (its etag: the one just read) with what the change changed
    as it was: the template (a pool's revision name cleared), a pool's scaling and instance
    splits, each setting of `held` (the resource's own field copied as it was, presence
    included). A template the change left as it was is sent as it is, name and annotations
    included, as the fix sent it (`patched_template`): a changed template alone would roll out
    a revision the rollback does not name. `gone`: revisions a pool's recorded splits pin that
    no longer exist, whose share the restored template's revision takes, named by drift
    (`drift.fix.pool_gone`). `later`: drift's later changes a forced rollback undoes too,
    whose settings of `held` go back as they were before `entry` too (`held_too`)."""
    kind = Kind(entry.kind)
    require_filled(entry)  # never an empty value for a secret's copy
    before = before_workload(entry)
    out = copy_workload(now)
    # message equality, not bytes: a map's serialized order is not fixed (one is read from
    # the journal's JSON, the other from the API)
    changed = before.template != now.template
    out.template = before.template
    if changed and kind is not Kind.JOB:
        out.template.revision = ""
    if kind is Kind.WORKER_POOL:
        copy_field(raw(out), raw(before), "scaling")  # present only where it was
        if gone:
            out.template.revision = pool_gone.restored_name(entry, now, out.template)
            before = pool_gone.renamed(before, gone, out.template.revision)
        out.instance_splits = copy_splits(before.instance_splits)
    if kind is Kind.SERVICE:  # the fix left traffic as it was: so does its rollback
        out.traffic = restored_traffic(before)
    was = _settings(before, kind)
    for name in held_too(entry, later):
        mine, theirs = raw(out), raw(before)
        part = FIELDS[name].service_part
        if part:  # e.g. a service's own `scaling`, as it was
            copy_field(mine, theirs, part)
        elif name in mine.DESCRIPTOR.fields_by_name:  # `binary_authorization`, `ingress`
            # `binary_authorization`, `ingress`, `custom_audiences` (repeated: copied whole)
            copy_field(mine, theirs, name)
        elif name in was:
            FIELDS[name].write(out, pick_container(template_of(out).containers, None), was[name])
    return without_system_metadata(out, template=changed)


def restoration(
    after: Any, entry: Entry, gone: Collection[str] = (), later: Sequence[Entry] = ()
) -> str:
    """ "" when what the job or pool runs now is what it ran before the change (a revision
    `gone` replaced by the one the rollback named); else why not (what runs)."""
    kind = Kind(entry.kind)
    require_filled(entry)  # never an empty value for a secret's copy
    before = before_workload(entry)
    if gone:
        before = pool_gone.renamed(before, gone, short(after.template.revision))
    same = config_key(after, kind) == config_key(before, kind)
    was, now = _settings(before, kind), _settings(after, kind)
    off = [n for n in held_too(entry, later) if was.get(n) != now.get(n)]
    if off:
        return f"{', '.join(off)} read back not as before"
    if kind is Kind.WORKER_POOL:
        problem = restoration_problem(after, before, restored_here=same)
        if problem or same:
            return problem
        return "the configuration read back differs"
    if not same:
        return "the configuration read back differs"
    if kind is Kind.SERVICE:  # judged as a canary's rollback is: LATEST may resolve to a
        # newer revision of the configuration that served (a write over the fix's made one)
        key = revision_key(before, unnamed(before.template))
        if problem := serving_problem(after, before, key, canary=""):
            return problem
    # a job whose configuration is back runs what it ran before, ready or not (SPEC
    # invariant 10): its update failing the secret check is said (`unready`), never "not
    # restored" (revjobs60 F2)
    return unready(after, kind) if kind is Kind.SERVICE else ""


def unready(after: Any, kind: Kind) -> str:
    """ "" when the workload read back settled ready; else why not."""
    if complete(after):
        return ""
    why = condition_said(after.terminal_condition, "not ready")
    return f"the {kind.noun} is not ready: {why}"


ALREADY = "already as before: drift's update never applied, nothing to restore"


def untouched(now: Any, entry: Entry) -> bool:
    """Whether the workload read `now` already is what the journal's "before" holds, as drift
    compares them (`config_key`: the template's configuration, a job's task count, a pool's
    instance count), each setting of `held` included, a pool's scaling and instance splits
    (spec and statuses) and a service's serving too: its update never landed (a fix cut by
    Ctrl-C or kill -9 while it was in flight leaves the journal saying `updating`, the write's
    outcome unknown), and a restore write would change what it says it restores — for a pool
    a new revision its instances move to. Judged after `refusal`: a third party's write in
    between is theirs ("changed since"), never "as before". Only where the generation has not
    moved since the journal's "before": `config_key` sees the default container's resources
    alone, and drift's own write to another container's (a sidecar's memory) would look "as
    before" although it landed (revown29 F1) — a write that landed always moves it
    (Service.generation: "monotonically increases every time the user modifies the desired
    state"; Job, WorkerPool alike)."""
    if int(now.generation) != entry.generation_before:
        return False
    kind = Kind(entry.kind)
    require_filled(entry)  # never an empty value for a secret's copy
    before = before_workload(entry, as_read=True)  # a failed template it replaced, as read
    if config_key(now, kind) != config_key(before, kind):
        return False
    was, runs = _settings(before, kind), _settings(now, kind)
    if any(was.get(n) != runs.get(n) for n in held(entry)):
        return False
    if kind is Kind.WORKER_POOL:
        return (
            now.scaling == before.scaling
            and list(now.instance_splits) == list(before.instance_splits)
            and not restoration_problem(now, before, restored_here=False)
        )
    if kind is Kind.SERVICE:
        return serving(now) == serving(before)
    return True


def already_back(
    now: Any, entry: Entry, gone: Collection[str] = (), later: Sequence[Entry] = ()
) -> bool:
    """Whether the workload read `now` holds the restoration already, so a rollback's write
    would change nothing: `restore_request` is `now` (the template, a pool's scaling and
    instance split, a service's traffic, each setting of `held`: message equality, system
    metadata aside, never `config_key`, which sees one container's resources alone: revown29
    F1), and what runs is as before (`restoration`: a pool's split statuses as recorded, a
    job's settings, a service's serving). A rollback killed once its write landed, or whose
    answer was lost, leaves it so: run again, it sent the same write once more, a new
    generation and nothing else, and its preview named the revision LATEST resolved to before
    the change, not the one that runs it now (helper-711 F3)."""
    require_filled(entry)  # never an empty value for a secret's copy
    request = without_system_metadata(restore_request(now, entry, gone, later))
    if raw(request) != raw(without_system_metadata(copy_workload(now))):
        return False
    return not restoration(now, entry, gone, later)


def _back(journal: Journal, entry: Entry, now: Any) -> Restored:
    """`already_back`: the entry finished, nothing written (`Restored.back`: never said
    "restored", as a service's is not). The rollback's own write, begun and its outcome never
    learned, counts as landed where `now` carries it (one generation past what it was built
    on, the configuration it sent); else the journal records only that the workload is as
    before."""
    rolled = ROLLBACK[1]
    if sent_earlier(now, entry):
        said = f"{as_before(entry)}; the restoration an earlier rollback sent landed"
        gen = int(now.generation)
        record = partial(journal.landed, entry, rolled, said, etag=now.etag, generation=gen)
        again = f"{said}, nothing was written again"
        return Restored(True, again, now, journaled(record), back=True)
    said = f"{as_before(entry)} already"
    lost = journaled(lambda: journal.record(entry, rolled, said))
    return Restored(True, f"{said}; nothing was written", now, lost, back=True)


def sent_earlier(now: Any, entry: Entry) -> bool:
    """Whether `now` carries the rollback's own write, begun and its outcome never learned
    (one generation past what it was built on, the configuration it sent): what put it back
    is known to be drift's restoration, not someone else's write (helper-752 F3)."""
    last = entry.last_write()
    return (
        last is not None
        and last.step == "rollback"
        and last.landed is None
        and carries(now, last, Kind(entry.kind))
    )


def changed(now: Any, entry: Entry) -> str:
    """`changed_since` of a job or pool: a write is judged by its own configuration."""
    return changed_since(now, entry, partial(carries, kind=Kind(entry.kind)))


def as_found(now: Any, entry: Entry) -> bool:
    """Whether the job or pool `now` runs what it ran before `entry`'s change."""
    kind = Kind(entry.kind)
    require_filled(entry)  # never an empty value for a secret's copy
    before = before_workload(entry)
    if kind is Kind.SERVICE and serving(now) != serving(before):
        return False
    return config_key(now, kind) == config_key(before, kind)


def as_before(entry: Entry) -> str:
    """What a restoration that landed puts back, in words: where the fix replaced a failed
    template (`ran_before`), what the instances ran, not that template (helper-637 F2)."""
    if ran_before(entry) is None:
        return "as it was before the change"
    return (
        "as its instances ran it before the change (not the failed template the fix replaced, "
        "which never ran)"
    )


async def restore_workload(
    session: Session,
    journal: Journal,
    entry: Entry,
    *,
    force: bool = False,
    judge: Judge | None = None,
    now: Any = None,
    gone: Collection[str] = (),
    write_wait: float,
    later: Sequence[Entry] = (),
) -> Restored:
    """One UpdateJob / UpdateWorkerPool putting back what was, judged by what runs read back
    once it settled (the write's error, or a lost answer, says nothing of that alone).
    Nothing is written to a job or pool someone else changed since drift's last write (read
    again here: the prompt may have waited), unless `force`. `now`: as read a moment ago with
    no prompt since (`rollback --yes`); None: read it here. `write_wait`: the seconds its
    operation and the read until it settles take in all, from the write (`Deadline`). `later`:
    drift's later changes this (forced) rollback undoes too (`restore_request`)."""
    rolling, rolled, failed = ROLLBACK
    kind = Kind(entry.kind)
    who = label(kind, entry.service)
    if now is None:
        try:
            now = await get_workload(session, kind, entry.full_name)
        except (ApiError, AuthError) as exc:  # before any write of its own: one line, as a
            why = f"the {kind.noun} could not be read ({exc.message})"  # service's says
            return Restored(False, why, None, journaled(lambda: journal.record(entry, failed, why)))
    put_back = partial(already_back, now, entry, gone, later)  # their write put it back?
    refused = refusal(
        now, entry, force=force, carries=partial(carries, kind=kind), judge=judge, back=put_back
    )
    if refused is not None:
        return refused
    if untouched(now, entry):  # its update never landed: nothing to put back, nothing written
        said = ALREADY
        lost = journaled(lambda: journal.record(entry, rolled, said))
        return Restored(True, said, now, lost, untouched=True)
    if already_back(now, entry, gone, later):  # an earlier rollback's write landed: none again
        return _back(journal, entry, now)
    request = restore_request(now, entry, gone, later)
    wanted = config_key(before_workload(entry), kind)
    write = Write("rollback", now.etag, int(now.generation), "", wanted, [])
    was = entry.state
    journal.begin(entry, rolling, f"restoring {who} as it was before the change", write)
    error: ApiError | AuthError | None = None
    answer: Any = None
    deadline = Deadline(write_wait)
    try:
        parts = change_parts(entry, later)  # its `update_mask`: `drift.fix.update_mask`
        answer = await update_workload(
            session, kind, request, read=now, parts=parts, deadline=deadline
        )
    except (ApiError, AuthError) as exc:
        error = exc
    try:
        after = await settled_workload(session, kind, entry.full_name, deadline=deadline)
    except (ApiError, AuthError) as exc:  # AuthError: credentials expired after the write
        # sent, unproven either way: never "failed", the entry stays `rolling-back` (helper-809 F2)
        if (refused := unproven(journal, entry, write, error, None, was, now)) is not None:
            return refused  # every attempt refused: nothing was written (helper-827 R1)
        sent = f"sent ({error.message})" if error is not None else "sent"
        why = f"{sent}; the {kind.noun} could not be read back ({exc.message})"
        return Restored(False, f"{why}: it may have landed", None, unread=True)
    problem, states = restoration(after, entry, gone, later), (was, rolled, failed)
    back = as_before(entry)
    judged, holding = (problem, problem or back), partial(holds, kind=kind)
    judged_by = judge or (lambda now: changed_since(now, entry))
    collided = theirs(
        journal, entry, write, request, after, answer, error, states, judged, judged_by, holding
    )
    if collided is not None:
        return collided
    if (refused := unproven(journal, entry, write, error, after, was)) is not None:
        return refused  # refused: the entry as it was; lost, unchanged: not known (task 831)
    if after.reconciling:  # its outcome is not known yet (`reconciling`: helper-625 F1); the
        # entry stays `rolling-back`, which a rollback run again judges as it finds it
        why = f"the {kind.noun} {STILL}"
        return Restored(
            False, f"{why}: whether it is as before is not known", after, unsettled=True
        )
    said = problem or back
    if not problem and (why := unready(after, kind)):  # the server's error says it as well
        said += f"; {why}"
    elif problem and error is not None:
        said = f"{error.message}: {problem}"
    landed = carries(after, write, kind)  # its own configuration read back, not a new etag
    etag, gen = (after.etag, int(after.generation)) if landed else ("", 0)
    state = failed if problem else rolled
    lost = journaled(lambda: journal.landed(entry, state, said, etag=etag, generation=gen))
    return Restored(not problem, said, after, lost)
