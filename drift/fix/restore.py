"""Put back what served before a change (an abort's cleanup, and `drift rollback`), without a
trap for the team's next deploy (SPEC invariant 9).

How, from the documentation: while a ready canary exists it is the latest ready revision, so
LATEST would send traffic to it ("Allocates instances to the Service's latest ready
Revision", `TrafficTargetAllocationType`; `gcloud run services update-traffic --to-latest`
after a `--no-traffic` deploy does exactly that). Re-pointing `template.revision` at the old
revision by name is undocumented (Cloud Run answers 409 for another configuration under an
existing name; for the same one nothing is documented), and DeleteRevision only deletes
"retired" revisions (`DeleteRevisionRequest`), which a tagged canary is not. The documented way
is one UpdateService whose template is the configuration that served (a new revision, named by
Cloud Run) and whose traffic is the traffic as it was (LATEST as LATEST, other targets and tags
as they were; the canary's tag gone): "To return to just using the latest revision without
traffic splitting, send all traffic to the latest revision" (Cloud Run "Rollbacks, gradual
rollouts, and traffic migration"). Cloud Run moves traffic only once the new revision is
ready; if it fails, "traffic_statuses … will have the state of the last serving revision"
(`Service.reconciling`), so a failed restoration sends nothing anywhere new. LATEST then
resolves to a revision with the configuration that served, never to the canary, and the
result is judged from `traffic_statuses` and the revisions' readiness (`routing`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any

from drift import __version__
from drift.errors import ApiError, AuthError, JournalError
from drift.fields import enum_name
from drift.fix.byhand import copy_field
from drift.fix.gone import renamed
from drift.fix.journal import Entry, Journal, Write, promoted
from drift.fix.keep_theirs import keep_theirs
from drift.fix.patch import copy_service, pinned_traffic, restored_traffic, update_traffic_flags
from drift.fix.recorded import (
    base_key,
    base_template,
    before_service,
    change_parts,
    parts_as_found,
)
from drift.fix.restored import (
    Judge,
    Restored,
    journaled,
    pin_unproven,
    theirs,
    unproven,
    write_traffic,
)
from drift.fix.revision_name import fresh_revision_name
from drift.fix.routing import (
    describe_serving,
    landed,
    latest_is_canary,
    restoration_problem,
    revision_key,
    template_key,
    traffic_key,
    unnamed,
)
from drift.fix.update import get_service, revision_exists, settled, update_workload
from drift.fix.waiting import STILL, Deadline
from drift.fix.withheld import require_filled
from drift.kinds import Kind
from drift.live.api import UNDOES_CANARY, condition_said, sent_as, short, written_since
from drift.live.normalize import raw
from drift.live.session import Session
from drift.live.trap import untrap_command
from drift.next_steps import hint_lines

RETRY_LABEL = "drift-retry"


def _same(a: Any, b: Any) -> bool:
    """Equal templates (message equality: map order does not count, unlike serialized bytes)."""
    return bool(raw(a) == raw(b))


def restore_request(current: Any, entry: Entry, later: Sequence[Entry] = ()) -> Any:
    """The service as it is now, with the configuration that served and the traffic as it
    was; service-level settings the change made put back as they were, and those drift's own
    later changes a forced rollback undoes too made (`later`, `drift.fix.since.undoes`: the
    journal records them as rolled back by it), as they were before the change."""
    require_filled(entry)  # never an empty value for a secret's copy
    before = before_service(entry)
    restore = copy_service(current)
    restore.template = base_template(entry)
    restore.traffic = restored_traffic(before)
    del restore.traffic_statuses[:]
    # Each service-level setting comes back as recorded, its field copied (presence included;
    # a `service_part` row: its part, e.g. the service's scaling), never through its text,
    # which leaves out what it does not compare: Binary Authorization's breakglass_justification
    # ("If present, indicates to use Breakglass using this justification": without it the new
    # revision is judged without breakglass), the order of custom_audiences (as in place does).
    for part in change_parts(entry, later):
        copy_field(raw(restore), raw(before), part)
    return restore


Carries = Callable[[Any, Write], bool]
"""Whether a workload read now carries a write whose outcome drift never learned."""


def changed_since(now: Any, entry: Entry, carries: Carries = landed) -> str:
    """ "" when the service is the one drift changed (its `uid`: "guaranteed to remain
    unchanged until the resource is deleted") as drift's last write of the change left it
    (its generation, or exactly one more carrying a write whose outcome drift never learned:
    `carries`, a job's or pool's own for those); else who changed it since (SPEC invariant
    10). Generations count within one resource only: a service deleted and created again
    under the same name can reach the same generation."""
    was = str(entry.service_before.get("uid", "") or "")
    if was and now.uid and now.uid != was:
        return (
            f"{entry.service} was deleted and created again since change {entry.change_id} "
            f"(its uid {was} → {now.uid}; {written_since(entry.generation_before, now)}): it "
            "is not the one drift changed"
        )
    if any(w.get("step") == KEEP_ROUTING for w in entry.writes):
        # drift's cleanup wrote on someone else's routing and kept it: putting back what
        # served before drift undoes theirs, whatever came of that write (helper-593 F1)
        return (
            f"{entry.service} was re-routed by someone else during change {entry.change_id}, "
            "and drift's cleanup kept their routing"
        )
    done = entry.landed_writes()
    expected = done[-1].generation_after if done else entry.generation_before
    if int(now.generation) == expected:
        return ""
    last = entry.last_write()
    if last is not None and last.landed is None and carries(now, last):
        return ""
    return (
        f"{entry.service} was changed since drift's last write of change {entry.change_id} "
        f"({written_since(expected, now, ours=sent_as(entry.client_version) if done else ())})"
    )


async def never_sent(session: Session, entry: Entry, now: Any) -> bool:
    """Whether a service's change never wrote: its one write, the canary's, whose outcome drift
    never learned (a fix killed between journaling it and sending it), left no trace on the
    service `now` — no target or status names the canary or its tag, it is not the latest
    revision created, the traffic is as recorded before the change (the canary's write pins
    LATEST: a canary deleted since, its tag removed, leaves that pin), and GetRevision finds no
    such revision (NOT_FOUND; the canary's name is drift's own, unique to the change)."""
    writes, canary = entry.writes, entry.canary_revision
    if not canary or len(writes) != 1 or writes[0].get("step") != "canary":
        return False
    if writes[0].get("landed") is not None or now.template.revision == canary:
        return False
    if traffic_key(now.traffic) != traffic_key(before_service(entry).traffic):
        return False
    rows = (*now.traffic, *now.traffic_statuses)
    if any((entry.tag and t.tag == entry.tag) or short(t.revision) == canary for t in rows):
        return False
    if short(now.latest_created_revision) == canary:
        return False
    return await revision_exists(session, entry.full_name, canary) is False


def refusal(
    now: Any,
    entry: Entry,
    *,
    force: bool,
    carries: Carries = landed,
    judge: Judge | None = None,
    back: Callable[[], bool] = lambda: False,
) -> Restored | None:
    """Restored(refused) when someone else changed the workload since drift's last write
    (`changed_since`, or `judge`: judged again right before the write, as a prompt may have
    waited), unless `force`; None: go on. `back`: whether their write put it back as it was
    before the change (`Restored.back`: `--force` would write nothing to it either)."""
    if force:
        return None
    changed = judge(now) if judge is not None else changed_since(now, entry, carries)
    return Restored(False, changed, now, refused=True, back=back()) if changed else None


def serves_back(current: Any, entry: Entry, gone: Collection[str] = ()) -> bool:
    """Whether `current` serves what served before `entry`'s change: the configuration that
    served then, its traffic as it was (`restoration_problem`; a revision `gone` as a rollback
    run again named it)."""
    before, key = before_service(entry), base_key(entry)
    if revision_key(current, unnamed(current.template)) != key:
        return False
    if gone and current.template.revision:  # a rollback run again: its revision
        before = renamed(before, gone, current.template.revision)
    return not restoration_problem(current, before, key, entry.canary_revision)


def already_restored(
    current: Any, entry: Entry, gone: Collection[str] = (), later: Sequence[Entry] = ()
) -> bool:
    """Whether `restore` writes nothing to `current`: it serves what served before, and the
    service's own fields the change set are as recorded (a cleanup or rollback whose write
    landed though its process was killed before it could record it), those drift's `later`
    changes set too, which a forced rollback records undone (helper-752 F2)."""
    return serves_back(current, entry, gone) and parts_as_found(current, entry, later)


async def restore(
    session: Session,
    journal: Journal,
    entry: Entry,
    *,
    step: str,
    states: tuple[str, str, str],
    force: bool = False,
    judge: Judge | None = None,
    gone: Collection[str] = (),
    current: Any = None,
    wrote: Any = None,
    later: Sequence[Entry] = (),
    write_wait: float,
) -> Restored:
    """Write `restore_request` (journaled first as `states[0]`), follow it until it settles, and
    judge what serves: `states[1]` when it is what served before, `states[2]` when not (not read
    back, none: `Restored.unread`). Nothing is written to a service someone else changed since
    drift's last write (`judge`), unless `force`. `gone`: revisions the recorded traffic names that
    no longer exist, which ran the recorded configuration (`drift.fix.gone`): their share goes to
    the revision this write creates from it, named by drift. `current`: the service as read a moment
    ago, with nothing waited on since (`rollback --yes`); None: read it here. `wrote`: the service
    as drift's write left it, when the cleanup keeps someone else's write (`drift.fix.keep_theirs`).
    `later`: drift's own later changes this (forced) rollback undoes too (`restore_request`).
    `write_wait`: the seconds the write's operation and the read until it settles take in all."""
    doing, done, failed = states
    try:
        if current is None:
            current = await get_service(session, entry.full_name)
    except (ApiError, AuthError) as exc:  # credentials expiring mid-run: one line, as any read
        journal.record(entry, failed, f"cannot read the service: {exc.message}")
        return Restored(False, f"the service could not be read ({exc.message})")
    put_back = partial(already_restored, current, entry, gone, later)  # their write put it back?
    if (refused := refusal(current, entry, force=force, judge=judge, back=put_back)) is not None:
        return refused
    before, key = before_service(entry), base_key(entry)
    serving_back = serves_back(current, entry, gone)
    if already_restored(current, entry, gone, later):  # as read right before the write: none made
        serves = describe_serving(current)
        journal.record(entry, done, f"already serves what served before: {serves}")
        return Restored(True, serves, current, back=True)
    request = restore_request(current, entry, later)
    kept: tuple[str, ...] = ()
    if wrote is not None:  # their service-level write stays: what serves is judged with it
        kept = keep_theirs(request, current, wrote, entry)
    name_restored(request, entry, gone)
    if _same(request.template, current.template) and not serving_back:
        # Cloud Run creates a revision only for a changed template: the restoration was tried
        # before and its revision failed. A label makes the template new (labels are
        # metadata: billing and logging see them, the configuration does not change). Where
        # what serves is back and only the service's own fields are not, no revision is
        # needed: the write puts those back alone.
        request.template.labels[RETRY_LABEL] = secrets.token_hex(4)
        name_restored(request, entry, gone)  # another configuration: another name
    if gone:
        before = renamed(before_service(entry), gone, request.template.revision)
        request.traffic = restored_traffic(before)
    write = Write(
        step, current.etag, int(current.generation), "", template_key(request),
        traffic_key(request.traffic),
    )  # fmt: skip
    was = entry.state
    journal.begin(entry, doing, f"restoring what served before (from {current.etag})", write)
    error: ApiError | AuthError | None = None
    answer: Any = None
    deadline = Deadline(write_wait)  # one for the write's whole wait, as a fix's writes
    try:
        answer = await update_workload(
            session, Kind.SERVICE, request, version=client_version(entry), base=current,
            parts=change_parts(entry, later), deadline=deadline,
        )  # fmt: skip
    except (ApiError, AuthError) as exc:  # the answer or the operation may be what was lost
        error = exc  # the service tells
    try:
        now = await settled(session, entry.full_name, deadline=deadline)
    except (ApiError, AuthError) as exc:  # AuthError: credentials expired after the write
        # sent, unproven either way: never "failed"; the entry stays `doing` (helper-821)
        sent = f"sent ({error.message})" if error is not None else "sent"
        why = f"{sent}; the service could not be read back ({exc.message}): it may have landed"
        refused = unproven(journal, entry, write, error, None, was, current)  # each refused
        return refused or Restored(False, why, None, unread=True)  # (helper-827 R1)
    problem = restoration_problem(now, before, key, entry.canary_revision)
    judged = (problem, problem or describe_serving(now))
    judged_by = judge or (lambda now: changed_since(now, entry))
    collided = theirs(
        journal, entry, write, request, now, answer, error, (was, done, failed), judged, judged_by
    )
    if collided is not None:
        return collided
    if landed(now, write) and now.reconciling:  # its wait ended first: never judged failed,
        why = f"the service {STILL}: whether it serves what served before is not known"
        return Restored(False, why, now, unsettled=True)  # nor pinned by another write
    if landed(now, write):
        # what went wrong, with why the restored revision failed (`failed_latest`), if it did
        note = "; ".join(filter(None, (problem, problem and failed_latest(now))))
        note = note or f"what serves: {judged[1]}"
        state, gen = failed if problem else done, int(now.generation)
        lost = journaled(lambda: journal.landed(entry, state, note, etag=now.etag, generation=gen))
        trapped = latest_is_canary(now.traffic, now, entry.canary_revision)
        if trapped and not lost and not promoted(entry):
            how = (step, doing, failed)
            return await pin_by_name((session, journal, entry), now, how, problem, write_wait)
        return Restored(not problem, note if problem else judged[1], now, lost, kept=kept)
    if (refused := unproven(journal, entry, write, error, now, was)) is not None:
        return refused  # refused: as it was; lost, unchanged: not known (task 831)
    why = error.message if error is not None else "the service does not carry the restoration"
    hints = hint_lines([why], runtime=current.template.service_account) if error else ""
    lost = journaled(lambda: journal.landed(entry, failed, why))
    serves = describe_serving(now, entry.canary_revision)
    return Restored(False, f"{why} (what serves: {serves})", now, lost, hints=hints)


def name_restored(request: Any, entry: Entry, gone: Collection[str]) -> None:
    """Name the revision `request` creates when it takes the share of a revision gone: the
    same configuration of the same change always gets the same name (a rollback run again
    finds its own revision), another configuration another."""
    if gone:
        request.template.revision = ""
        request.template.revision = fresh_revision_name(
            entry.service, entry.service, request.template, salt=entry.change_id
        )


KEEP_ROUTING = "keep-routing"
"""The step of the cleanup's write that keeps someone else's routing (`drift.fix.keep_routing`)."""


def client_version(entry: Entry) -> str:
    """drift's version, marked (`UNDOES_CANARY`) when the canary this restoration undoes never
    held traffic (no promotion was begun): the revision it makes says so to `since`."""
    if entry.canary_revision and not promoted(entry):
        return __version__ + UNDOES_CANARY
    return __version__


async def pin_by_name(
    on: tuple[Session, Journal, Entry], now: Any, how: Sequence[str], note: str, wait: float
) -> Restored:
    """The restoration landed (`now`), but its new revision failed for a reason drift could
    not foresee (a secret version disabled or unreadable since `drift.fix.startable` judged
    it): its spec's LATEST resolves to drift's canary, the latest ready revision, on the next
    reconcile (SPEC invariant 9). One traffic-only update (`write_traffic`, the template as
    it is: no new revision) names the revision LATEST resolved to before the change instead,
    as the canary write's pin did (`pinned_traffic`), proven by reading back; the entry stays
    failed (`how`: the step, its doing and failed states), with why; `wait`: `write_wait`."""
    (_, journal, entry), (step, doing, failed) = on, how
    ran = short(before_service(entry).latest_ready_revision)
    request = copy_service(now)
    del request.traffic_statuses[:]
    request.traffic = pinned_traffic(now.traffic, ran)
    failure = failed_latest(now) or f"LATEST resolves to drift's canary {entry.canary_revision}"
    try:
        doing_now = f"pinning the traffic on {ran}"
        sent = await write_traffic(on, now, request, step, doing_now, doing, write_wait=wait)
    except JournalError as exc:  # before the write: nothing was written
        return Restored(False, f"{note}; {failure}", now, exc.message)
    after = sent.after
    if after is None or not sent.proven:
        why = sent.error or f"what serves: {describe_serving(after, entry.canary_revision)}"
        flags = update_traffic_flags(request.traffic)
        command = untrap_command(entry.service, flags, (), entry.project, entry.region)
        pin = (f"{note}; {failure}", ran, why, command)
        return pin_unproven((journal, entry, failed), pin, sent, now)
    text = (
        f"{failure}; the traffic stays pinned by name on {ran}, never on LATEST (which would "
        f"resolve to the canary; what serves: {describe_serving(after, entry.canary_revision)})"
    )
    gen = int(after.generation)
    lost = journaled(lambda: journal.landed(entry, failed, text, etag=after.etag, generation=gen))
    return Restored(False, text, after, lost)


def failed_latest(now: Any) -> str:
    """ "" when the service's latest revision is ready; else what the service shows once the
    routing is back but the revision that put the configuration that served back in its
    template could not deploy (a secret disabled since it served, say): the service's
    `latest_created_revision` is not its `latest_ready_revision` and its terminal condition
    is FAILED, while traffic stays on what served."""
    if now is None:
        return ""
    created, ready = short(now.latest_created_revision), short(now.latest_ready_revision)
    failed = enum_name(raw(now.terminal_condition), "state") == "CONDITION_FAILED"
    if created == ready and not failed:
        return ""
    why = condition_said(now.terminal_condition)
    return (
        f"the service's latest revision {created or '(none)'} — the configuration that served, "
        f"deployed again to take the canary out of the template — failed"
        + (f" ({why})" if why else "")
        + ": the service shows that failure (not ready) until a revision deploys"
    )
