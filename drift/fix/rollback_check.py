"""What `drift rollback` finds before it asks: for each workload of the change, the workload
read now, whether its change never wrote, who changed it since (someone else, or drift's own
later changes: `drift.fix.since`), the revisions the recorded traffic names that are gone
(`drift.fix.gone`), and everything the rollback will change (`drift.fix.rollback_view`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from typing import Any

from drift.errors import JournalError, UsageError
from drift.fix import landed_late as late
from drift.fix import pool_gone, pool_hold, workload_preview, workload_restore
from drift.fix.byhand import journal_promotion, promoted_by_hand
from drift.fix.context import FixUI
from drift.fix.gone import missing, refused, renamed, replaceable
from drift.fix.job_running import RESTORED, still_running
from drift.fix.journal import Entry, Journal, State
from drift.fix.kept_since import before_unapplied, kept_since, unpromoted_words
from drift.fix.patch import restored_traffic
from drift.fix.recorded import (
    Tagged,
    as_found,
    before_service,
    fields_only,
    served_by,
    tag_record,
)
from drift.fix.restore import already_restored, changed_since, never_sent
from drift.fix.restored import Judge
from drift.fix.rollback_view import NEW, differences, new_serves, recorded_state
from drift.fix.routing import routing
from drift.fix.since import (
    Same,
    Since,
    forced_note,
    judge,
    later_changes,
    settle,
    undoes,
    undone_by,
    unread_later,
    with_unread,
)
from drift.fix.startable import (
    doubtful,
    read_ahead,
    unstartable,
    ways_out,
    workload_unstartable,
)
from drift.fix.untrap import caught_under_pin
from drift.fix.update import get_workload
from drift.kinds import Kind, label
from drift.live.api import in_progress, rolling_revision, short
from drift.live.changeids import well_formed
from drift.live.normalize import raw
from drift.live.session import Session
from drift.live.workloads import running_execution, stamp
from drift.textsafe import visible


@dataclass
class Checked:
    entry: Entry
    since: Since = field(default_factory=lambda: Since(""))
    judge: Judge | None = None
    """Who changed it since, judged again right before the write."""
    gone: tuple[str, ...] = ()
    """Revisions the recorded traffic names that no longer exist."""
    blocked: str = ""
    """Why nothing can be written (a revision gone that ran another configuration)."""
    by_tag: Tagged | None = None
    """What the rollback cannot prove of what will serve (images redeployed by tag), said
    once for all its workloads (`tags_said`)."""
    unsent: bool = False
    """The change never wrote: nothing to roll back."""
    trapped: str = ""
    """A deploy made since, which drift's pin gives no traffic, and the command that lets
    it serve (`drift.fix.untrap.caught_under_pin`): the way on a refusal names beside
    `--force`, which would undo that deploy."""
    settled: str = ""
    """The change is proven rolled back already (undone by an earlier change's forced
    rollback the journal could not record then) and is now recorded so: nothing to roll back."""
    live: Any = None
    """The workload as this check read it: what `rollback --yes` writes over (no prompt
    waited since, so nothing can have changed that a read again would see)."""
    back: bool = False
    """It serves what served before already (`restore.already_restored`; a job, a pool or a
    service's own settings: `workload_restore.already_back`): its rollback writes nothing, so
    there is nothing to confirm."""
    doing: str = ""
    """A deploy (a job's update) still in progress on it, as `drift check` says it
    (`drift.live.api.in_progress`): what `--force` would supersede."""
    calm: str = ""
    """A job's execution still running that runs what the rollback restores already
    (`runs_restored`): never said to keep another configuration."""


def who(entry: Entry) -> str:
    """The workload as messages name it: `app`, `job app`, `worker pool app`."""
    return visible(label(Kind(entry.kind), entry.service))


def where(entry: Entry) -> str:
    """`prod (project acme-prod, region us-central1)`: what a rollback writes to."""
    return visible(f"{entry.environment} (project {entry.project}, region {entry.region})")


async def check(
    session: Session,
    journal: Journal,
    entries: list[Entry],
    entry: Entry,
    ui: FixUI,
    *,
    force: bool,
    deployable: bool = False,
) -> Checked:
    """Read the workload of `entry` and say what its rollback changes (DriftError: it could
    not be read). `force` lifts only the refusal of someone's change since drift's last write;
    `deployable` only what the failed canary found missing (`unstartable`)."""
    kind, name = Kind(entry.kind), who(entry)
    service = not workload_restore.in_place(entry)  # a canary's change
    # the versions a new revision of what served would use (`unstartable`) are read beside the
    # service, not after it: one round fewer, reads wasted where no revision is made (helper-663
    # M4); whatever they say is said only where asked
    ahead = [read_ahead(session, entry)] if service else []
    got = await asyncio.gather(
        get_workload(session, kind, entry.full_name), *ahead, return_exceptions=True
    )
    if isinstance(live := got[0], BaseException):
        raise live
    if entry.state == State.ROLLED_BACK:  # over a lost update (`landed_late`): landed since?
        if not late.landed_late(live, entry):
            return Checked(entry, settled="already rolled back", live=live)
        ui.say(f"{name}: {late.record(journal, entry, live)}")
    if service and promoted_by_hand(live, entry):  # as `fix --no-promote` told: drift's own
        journal_promotion(journal, entry, live)
        ui.say(
            f"{name}: the canary {entry.canary_revision} was promoted by hand, as "
            "`drift fix --no-promote` printed (recorded in the journal)"
        )
    if pool_hold.finished_by_hand(live, entry):  # a pool's, as `fix --no-promote` told
        pool_hold.record_finished(journal, entry, live)
        ui.say(f"{name}: its instances were moved by hand, as `drift fix --no-promote` printed")
    if service and await never_sent(session, entry, live):  # recorded as what it was
        journal.landed(entry, State.ABORTED, "nothing was applied: the canary was never created")
        ui.say(f"{name}: skipped (nothing was applied: no canary {entry.canary_revision})")
        return Checked(entry, unsent=True)
    pool = kind is Kind.WORKER_POOL
    before = workload_restore.before_workload(entry) if pool else None
    # what a deploy in progress rolls out (`in_progress`) is read beside the revisions gone
    reads: list[Awaitable[Any]] = [rolling_revision(session.revision, live)]
    if service:
        reads.append(missing(session, entry, live))
    elif pool:  # its splits may pin a revision its fix retired (`drift.fix.pool_gone`)
        reads.append(pool_gone.missing(session, entry, before, live))
    latest, *found = await asyncio.gather(*reads)
    gone: tuple[str, ...] = tuple(found[0]) if found else ()
    same: Same = _as_found
    later, unread = later_changes(entry, entries), unread_later(entry, entries)

    def judged(now: Any) -> Since:
        mine = before_unapplied(now, entry)  # a last write proven never applied: as before it
        changed = changed_since(now, mine) if service else workload_restore.changed(now, mine)
        if changed and service and mine is entry:  # a lost promotion over theirs: say so
            changed += unpromoted_words(entry)
        if changed and kept_since(now, mine):  # theirs is only what the rollback keeps
            changed = ""
        since = judge(now, entry, changed, later, same, undone_by(entry, entries))
        return with_unread(since, entry, unread)

    since = judged(live)
    if since.blocks and not later and journal.named is not None:
        # drift's own later change may be in a file renamed by hand, which the change's
        # workloads' files found by their names (`change_and_workloads`) leave out: every
        # file read, by what it holds
        entries = Journal(journal.directory).entries()
        later, unread = later_changes(entry, entries), unread_later(entry, entries)
        since = judged(live)
    kept = "" if since.blocks else kept_since(live, before_unapplied(live, entry))
    if since.by_rollback is not None:  # proven, under the workload's lock (the caller's)
        try:
            line = settle(journal, entry, since.by_rollback)
        except JournalError as exc:
            since = replace(
                since,
                blocks=f"{since.blocks}; the journal cannot record it now either "
                f"({exc.message}): make that entry writable and run `drift rollback` again, "
                f"which records change {entry.change_id} as rolled back",
            )
        else:
            ui.say(f"{name}: {line}")
            return Checked(entry, since, settled=line, live=live)
    out = Checked(entry, since, lambda now: judged(now).blocks, gone, live=live)
    out.doing = in_progress(live, job=kind is Kind.JOB, latest=latest)
    if gone and service and not replaceable(entry, gone):
        out.blocked = refused(entry, gone)
    if gone and pool and not pool_gone.replaceable(entry, before, gone):
        out.blocked = pool_gone.refused(entry, before, gone)
    if service and since.blocks:
        out.trapped = caught_under_pin(entry, live)
    about = ""
    if since.blocks and force:
        about = "; ".join(filter(None, [since.blocks + " (--force)", forced_note(since.later)]))
    if out.doing:
        about = "; ".join(filter(None, [about, out.doing]))
    ran = "served" if kind is Kind.SERVICE else "ran"
    state = visible(recorded_state(live, entry)) if service else entry.state
    ui.say(
        f"{name}: restore what {ran} before change {visible(entry.change_id)} in "
        f"{where(entry)} (state: {state}; drift changed: "
        f"{visible(', '.join(entry.changes))})"
        + (f"; {visible(about)}" if about else "")
        + (f"; {visible(since.note)}" if since.note else "")
        + (f"; {visible(kept)}" if kept else "")
    )
    if service:
        lines = differences(live, entry, gone, undoes(since.later))
        targets = restored_traffic(renamed(before_service(entry), gone, NEW))
        out.back = already_restored(live, entry, gone, undoes(since.later))
        redeploys = new_serves(targets) and not fields_only(live, entry) and not out.back
        out.by_tag = tag_record(entry, name) if redeploys else None
        revision = not fields_only(live, entry) and not out.back  # a new revision is made
        if (
            revision
            and not out.blocked
            and (why := await unstartable(session, entry, canary=not deployable))
        ):
            out.blocked = (
                f"{name}: Cloud Run {'may not' if doubtful(why) else 'cannot'} start the "
                "configuration that served before change "
                f"{visible(entry.change_id)} ({visible('; '.join(why))}): rolling back "
                f"{'may' if doubtful(why) else 'would'} only add a failed revision; "
                + visible(ways_out(entry, pinned=_pinned(live, entry), why="; ".join(why)))
            )
    else:
        too = undoes(since.later)  # a forced rollback puts back their settings too
        lines = workload_preview.differences(live, entry, gone, too)
        out.back = workload_restore.already_back(live, entry, gone, too)  # nothing written
        out.by_tag = None if out.back else workload_preview.tag_caveat(live, entry, name)
        unstarted = not (out.blocked or out.back)
        if unstarted and (why := await workload_unstartable(session, entry, live)):
            out.blocked = (
                f"{name}: Cloud Run {'may not' if doubtful(why) else 'cannot'} start the "
                "configuration that ran before change "
                f"{visible(entry.change_id)} ({visible('; '.join(why))}): putting it back "
                f"{'may' if doubtful(why) else 'would'} only leave the {kind.noun} failed; "
                + visible(ways_out(entry, pinned=True, why="; ".join(why)))
            )
    # read from the job just read: an execution started since the fix runs drift's change;
    # one started before it, what the rollback restores (`runs_restored`: not named)
    running = ""
    if kind is Kind.JOB and (name := running_execution(live)):
        out.calm = runs_restored(live, entry, None if since.blocks else raw(live).update_time)
        running = still_running(name, RESTORED) if name != out.calm else ""
    for line in [*lines, *filter(None, [running])]:
        ui.say(f"  {line}")
    return out


def runs_restored(job: Any, entry: Entry, fixed_at: Any = None) -> str:
    """The job's execution still running that runs what the rollback restores ("" none):
    created after the job's last update before the change and before the change's write, it
    runs the configuration the change replaced, which the rollback puts back (execution.proto
    `Execution.template`, "The template used to create tasks for this execution"). `fixed_at`:
    the job's `update_time` when drift's write is the last (None: unknown, someone wrote
    since); without it only the execution that was the job's latest when the change read it
    is known to be one."""
    running = running_execution(job)
    before = raw(workload_restore.before_workload(entry))
    created = stamp(raw(job).latest_created_execution.create_time)
    if not running or created <= stamp(before.update_time):  # none, or an older one's
        return ""
    if fixed_at is not None:
        return running if created < stamp(fixed_at) else ""
    return running if short(before.latest_created_execution.name) == running else ""


def not_found(wanted: str, journal: Journal, entries: list[Entry]) -> UsageError:
    """A change asked for (or any, where no journal is) that this journal does not hold:
    never "nothing to roll back" — it may be live, recorded in another journal. The message
    names the change and the journal; the hint the ways on, the listing first where there
    is something to list, `--from-live` only for a change id's shape (helper-683 L3)."""
    where = journal.directory
    if entries:
        known = ", ".join(sorted({e.change_id for e in entries})[-5:])
        said = f"no change {wanted!r} in the journal {where} (latest: {known})"
    elif wanted:
        said = f"no change {wanted!r}: the journal {where} holds no change"
    else:
        said = f"no journal at {where}: no change was recorded there"
    ways = ["`drift rollback --list` lists the recorded changes"] if entries else []
    ways.append(
        "a change made from another project: point at its journal with --journal DIR "
        "(or DRIFT_JOURNAL_DIR), or run drift in that project (or with its --profiles DIR)"
    )
    if well_formed(wanted):
        ways.append(
            "its journal gone (the fix ran in CI, a container, another machine) and its "
            f"canary still on a service: `drift rollback {wanted} --from-live ENV` removes it "
            "from the live services of ENV"
        )
    return UsageError(visible(said), hint=visible("; ".join(ways)))


def _pinned(live: Any, entry: Entry) -> bool:
    """Whether the traffic is all on the revision that ran the configuration that served,
    by name (a cleanup that left its canary for it keeps that pin): routing it there does
    nothing."""
    ran = served_by(entry)
    return bool(ran) and routing(live.traffic)[0] == {ran: 100}


def _as_found(now: Any, entry: Entry) -> bool | None:
    """Whether `now` is as `entry`'s change found it, judged as that change was made (None,
    cannot be told, when the copies its journal entry withheld could not be read again:
    `fill`)."""
    if entry.withheld and not entry.filled:
        return None
    return (
        workload_restore.as_found(now, entry)
        if workload_restore.in_place(entry)
        else as_found(now, entry)
    )
