"""The fix of a job or a worker pool, and its rollback: no canary — a job serves no traffic
(each execution runs the job's template as it is when it starts: `Job.template`, "The template
used to create executions for this Job"), a worker pool none either (instances, no requests:
`WorkerPool.instance_splits`) — so the fix is one read-modify-write: UpdateJob or
UpdateWorkerPool (its mask: `drift.fix.update_mask`) of the resource as read, with only the
plan applied and the etag read (ABORTED on a change since; on a server that lets the stale
etag through, drift's write landing over theirs is said, `drift.fix.overwrote`), journaled
first. A rollback is one more such write putting back the template (and a pool's scaling).

So is the fix of a service whose patch changes only what the service holds itself (ingress, its
own scaling, the IAM invoker check, the default URL, Binary Authorization: `ServicePlan.
changes_template`): its template is sent as it was read, so Cloud Run makes no revision (a
Revision "is an immutable snapshot of code and configuration", revision.proto, and only
template fields are a revision's), and a canary would run exactly what serves — it proves
nothing about a change that applies to every revision with its write. One UpdateService, its
traffic untouched (SPEC invariant 9), judged by what serves afterwards."""

from __future__ import annotations

from functools import partial
from typing import Any

from drift.errors import ApiError, JournalError
from drift.fix import pool_hold
from drift.fix.binauthz_own import own_refusal
from drift.fix.context import Fixer, Stop, unrecorded_refusal
from drift.fix.instances import describe, moved_splits, runs_only
from drift.fix.job_binauthz import checked_when_run
from drift.fix.job_running import still_running
from drift.fix.journal import State, Write
from drift.fix.kept_since import parts_sent
from drift.fix.overwrote import stop_if_over_theirs
from drift.fix.patch import canary_name, patched_template
from drift.fix.reasons import cause_of, revision_condition
from drift.fix.recorded import ran_before, service_parts, tagged_images, tags_resolved
from drift.fix.reread import changed_since_read, on_fresh, read_before_write, waited
from drift.fix.restored import carries_sent, complete, holds
from drift.fix.revision_name import fresh_revision_name
from drift.fix.rollback_refusal import put_back_left
from drift.fix.routing import describe_serving, serving
from drift.fix.theirs_too import landed_first, two_writes
from drift.fix.unsettled import STILL, may_land, not_seen
from drift.fix.update import REFUSED, stale_etag, update_workload
from drift.fix.workload_doomed import names_too
from drift.fix.workload_put_back import put_back
from drift.fix.workload_restore import already_back
from drift.kinds import Kind
from drift.live.api import condition_said, sent_as, short, written_since
from drift.live.normalize import config_key, raw
from drift.live.workloads import running_execution
from drift.next_steps import hint_lines


class WorkloadFix(Fixer):
    """A job's or worker pool's fix: one update in place (no canary: nothing serves
    traffic), judged from the resource read back."""

    first = 0
    """The generation its update landed at, its answer lost and someone else's write since
    (`drift.fix.theirs_too`); 0: as read back."""

    async def _steps(self) -> None:
        ctx, kind, source = self.ctx, self.sp.kind, self.live.source
        container = ctx.profile.services[self.sp.key].container
        now = await read_before_write(self, source)  # the plan's read: before the lock, prompt
        if since := changed_since_read(source, now):
            raise Stop(
                f"{self.name}: it was changed since drift read it ({since}){waited(self)}: "
                "nothing was changed, their change stands; run drift plan again"
            )
        request = patched_template(source, self.sp, container, ran_before(self.entry))
        on_fresh(request, source, now)  # their label, written without a new generation, stays
        changed = raw(request.template) != raw(source.template)  # map order does not count
        hold = changed and pool_hold.held(self.sp, ctx.options.promote)  # `drift.fix.pool_hold`
        revision = (self._hold(request, now) if hold else self._place(request)) if changed else ""
        key, parts = config_key(request, kind), parts_sent(request, self.entry)
        write = Write(
            "update", request.etag, int(source.generation), revision, key, [], parts=parts
        )
        self._journal_first(
            State.UPDATING,
            f"updating {self.name} in place",
            write,
            where=(
                f"{self.name}: the update was being sent (it may have landed); "
                f"`drift rollback {self.change_id}` puts back what it was"
            ),
            say=f"{self.name}: updating in place ({', '.join(self.sp.targets)})"
            + (f", its new revision {revision} with no instances (--no-promote)" if hold else ""),
        )
        lost = ""
        try:
            answer = await update_workload(
                ctx.session, kind, request, read=now, parts=service_parts(self.entry),
                deadline=self.write_wait(),
            )  # fmt: skip
        except ApiError as exc:
            after, lost = await self._failed(exc, write, request)
        else:
            await self._over_theirs(answer, None, write, request)
            after = await self._proven(answer, write, changed, hold)
        runs = f"; its instances run {revision}" if revision else ""
        tagged = ""  # a pool's new revision: an image named by a tag is resolved again
        if kind is Kind.WORKER_POOL and changed:
            ran = short(source.latest_ready_revision)
            tagged = tags_resolved(tagged_images(request.template), "the new revision", ran, "ran")
        if kind is Kind.SERVICE:
            runs = f"; no new revision, what serves as it was ({describe_serving(after)})"
        if hold:  # its new revision exists with no instance, they run what they ran
            if why := pool_hold.hold_problem(after, source, revision):
                raise await self._incomplete(why, after, write)
            self._landed(State.PINNED, f"--no-promote: instances pinned, {revision} held", after)
            self.outcome.state = State.PINNED
            self.outcome.message = pool_hold.held_message(self, revision, after, tagged)
            self.where = f"{self.name}: {revision} held; `drift rollback {self.change_id}`"
            return
        self._landed(State.UPDATED, "updated" + lost + runs, after)
        self.outcome.state = State.UPDATED
        # from the job read back after the write: an execution started while the prompt
        # waited is named too (the check's read, before the prompt, could not see it)
        running = (
            still_running(running_execution(after, written=True), "the fix")
            if kind is Kind.JOB
            else ""
        )
        token = f"; {self.sp.token}" if self.sp.token else ""  # drift.fix.exec_token
        forced = (" --force", ", undoing theirs too") if self.first else ("", "")
        if unheld := pool_hold.unheld_note(self.sp, ctx.options.promote):
            token += f"; {unheld}"
        if kind is Kind.JOB and (checked := checked_when_run(source, after)):
            token += f"; {checked}"
        self.outcome.message = (
            f"{self.name}: updated in place ({', '.join(self.sp.targets)}){lost}{runs}{token}; "
            + (f"{tagged}; " if tagged else "")
            + (f"{running}; " if running else "")
            + f"`drift rollback {self.change_id}{forced[0]}` puts back what it was{forced[1]}"
        )
        self.where = f"{self.name}: updated; `drift rollback {self.change_id}` puts it back"

    async def _over_theirs(self, answer: Any, after: Any, write: Write, sent: Any) -> None:
        """Stop when drift's update landed over someone else's write (a stale etag let
        through: the one judgement of `drift.fix.overwrote`). With the answer lost, only a
        read back holding all drift's update `sent` (`drift.fix.readback.as_sent`: its
        configuration by `holds`) shows drift's write came last."""
        content = partial(holds, kind=self.sp.kind)
        await stop_if_over_theirs(self, answer, after, write, self._journal_failed, sent, content)

    def _hold(self, request: Any, now: Any) -> str:
        """`--no-promote` of a pool: the name of its new revision, drift's canary's
        (`canary_name`: `drift check` reads it as one), with every instance pinned where it
        runs (`drift.fix.pool_hold.held_splits`); Stop when what runs is not known."""
        pool = now if now is not None else self.live.source
        splits = pool_hold.held_splits(pool)
        if not splits:
            why = "what its instances run is not known (instance_split_statuses)"
            raise Stop(f"{self.name}: {why}, so --no-promote cannot pin them: nothing was changed")
        request.template.revision = canary_name(self.sp.service, self.change_id)
        request.instance_splits = splits
        return str(request.template.revision)

    def _place(self, request: Any) -> str:
        """A pool whose template the patch changes: the name of the revision its instances
        will run ("" for a job, or a pool left to name its revision): a split pinning a
        revision of the template's configuration moves to the patched revision, named here
        (`drift.fix.instances`)."""
        source = self.live.source
        if self.sp.kind is not Kind.WORKER_POOL:
            return ""
        moves = moved_splits(self.live, "", self.sp.built_on)  # a failed template's: `pool_base`
        if moves.stuck:  # `start.unbuildable` refused it: a read since cannot have changed that
            raise Stop(f"{self.name}: {describe(moves)}: nothing was changed")
        if not moves.moved:
            return ""
        current = source.template.revision
        name = fresh_revision_name(self.sp.service, current, request.template, salt=self.change_id)
        request.template.revision = name
        request.instance_splits = moved_splits(self.live, name, self.sp.built_on).splits
        self.ctx.ui.say(f"{self.name}: {', '.join(moves.moved)} of its instances move to {name}")
        return name

    async def _proven(self, after: Any, write: Write, changed: bool, hold: bool = False) -> Any:
        """The update answered done: what the job or pool read back runs proves it — settled
        and ready with the configuration sent, a pool's instances all on its new revision
        when the template changed — else it landed and did not complete (Stop)."""
        answered, noun = after, self.sp.kind.noun
        if after.reconciling:  # done, yet still reconciling: its outcome is the one read back
            try:
                after = await self._settled_in_place()
            except ApiError as exc:
                how = f"the {noun} could not be read back as it settled ({exc.brief})"
                raise not_seen(self, answered, how) from exc
            if after.reconciling and int(after.generation) <= int(answered.generation):
                raise not_seen(self, answered, f"the {noun} {STILL}")
        why = ""
        if int(after.generation) > int(answered.generation):  # someone wrote over it
            since = written_since(write.generation_before, after, ours=sent_as())  # 853 F5
            self._landed(State.UPDATE_FAILED, f"landed, then changed since ({since})", answered)
            left = self._left(after, "what it runs now is not drift's update")
            by = f"the {noun} was changed by someone else before it settled ({since})"
            raise Stop(f"{self.name}: the update landed, then {by}: {left}", State.UPDATE_FAILED)
        if config_key(after, self.sp.kind) != write.template_key:
            why = f"the {noun} read back is not the configuration sent"
        elif not complete(after):
            why = condition_said(after.terminal_condition, "it is not ready")
        elif self.sp.kind is Kind.WORKER_POOL and changed and not hold:  # held: `_steps`
            created = short(after.latest_created_revision)
            was = short(self.live.source.latest_created_revision)
            why = runs_only(after, created if created != was else "")
        elif self.sp.kind is Kind.SERVICE:
            why = _moved(self.live.source, after)
        if not why:
            return after
        raise await self._incomplete(why, after, write)

    async def _incomplete(self, why: str, after: Any, write: Write) -> Stop:
        """The Stop of an update that landed and did not complete (`why`, and Cloud Run's
        reason), journaled so; a job's or pool's once drift put back what was (`put_back`)."""
        self._landed(State.UPDATE_FAILED, f"landed, then failed: {why}", after)
        ready = await self._condition(after) if not complete(after) else None
        cause, step = (cause_of(ready, self.live.full_name, step=s) for s in (False, True))
        env = self.ctx.profile.environment  # the plan's own policy change: `binauthz_own`
        step = own_refusal(ready, self.live.source, after, self.sp, env) or step
        failed = f"{self.name}: the update landed but did not complete ({why}" + (
            f"; {cause})" if cause else ")"
        )
        if self.sp.kind is Kind.SERVICE:  # its own settings: what serves did not change
            back = f"`drift rollback {self.change_id}` puts back what it was"
            return Stop(f"{failed}; {back}", State.UPDATE_FAILED)
        if what := self._names_too(ready, after):
            return Stop(
                f"{failed}. drift did not put back what it ran before: {what}; "
                f"{self.name} holds drift's update, not ready. "
                f"{step}; or `drift rollback {self.change_id}` puts back what it was",
                State.UPDATE_FAILED,
            )
        return await put_back(self, failed, write, step)

    def _names_too(self, ready: Any, after: Any) -> str:
        """Why what it ran (`ran_before`) is not put back: it names what the update failed on."""
        new, ran_as = f"the {self.sp.kind.noun}'s new revision", ran_before(self.entry)
        return names_too(ready, self.live.source, after, str(self.live.full_name), new, ran_as)

    async def _condition(self, after: Any) -> Any:
        """The Ready condition that says why Cloud Run failed the update (`drift.fix.reasons`
        reads its reason): a job's own; a pool's says REVISION_FAILED, its new revision's
        why (None when there is none or it cannot be read)."""
        if self.sp.kind is Kind.JOB:
            return after.terminal_condition
        created = after.latest_created_revision
        if not created or short(created) == short(self.live.source.latest_created_revision):
            return None
        return await revision_condition(self.ctx.session, created)

    async def _failed(self, exc: ApiError, write: Write, sent: Any) -> tuple[Any, str]:
        """The update failed, or its answer or operation was lost (a retry of a write that
        landed is refused: its etag is no longer the one read). The job or pool read back says
        which: drift's write — returned, with words; drift's, failed, another's, none — Stop."""
        try:
            now = await self._settled_in_place()
        except ApiError as read:  # sent, unproven: exit 3, lock kept (`not_seen`; helper-809 F1)
            if exc.refused_each:  # nothing written, whatever it holds (README; helper-827 R1)
                raise self._not_applied(exc, write, None) from read
            self.outcome.unknown, said = True, "refused" if exc.status in REFUSED else "lost"
            raise Stop(
                f"{self.name}: its answer was {said} ({exc.reason}) and it could not be read "
                f"back ({read.brief}): it may have landed; `drift rollback {self.change_id}` "
                "puts back what it was",
                State.UPDATING,
            ) from read
        if exc.refused_each:  # judged first: what it holds is theirs alone (helper-817 K2)
            raise self._not_applied(exc, write, now)
        await self._over_theirs(None, now, write, sent)
        if carries_sent(now, write, self.sp.kind, sent):
            if now.reconciling:  # its wait (`write_wait`) ended with its operation's
                told = f"the {self.sp.kind.noun} read back carries it"
                raise not_seen(self, now, f"{exc.reason}; the {self.sp.kind.noun} {STILL}", told)
            if complete(now):  # its answer an error, and it landed all the same
                told = f"yet the {self.sp.kind.noun} read back carries it: it landed"
                return now, f" (answered {exc.brief}, {told})"
            why = condition_said(now.terminal_condition, exc.reason)
            raise await self._incomplete(why, now, write)
        if int(now.generation) > write.generation_before + 1:  # two writes since (809 F3)
            return now, two_writes(self, exc, write, sent, now, self.sp.kind)
        raise may_land(self, exc, write, now) or self._not_applied(exc, write, now)

    def _not_applied(self, exc: ApiError, write: Write, now: Any | None) -> Stop:
        """drift's update did not land (each attempt refused, or `now` not drift's): exit 4."""
        was = write.generation_before
        self._landed(State.ABORTED, f"not applied: {exc.reason}", None, exc.reason)
        if now is not None and int(now.generation) > was:
            return Stop(
                f"{self.name}: it was changed since drift read it ({written_since(was, now)}): "
                "drift's update did not land; nothing was changed; run drift plan again"
            )
        if stale_etag(exc):
            why = "it was changed since drift read it (its etag is no longer the one read)"
            return Stop(f"{self.name}: {why}: run drift plan again; nothing was changed")
        said = hint_lines([exc.reason])  # what the refusal means, as a canary's says it
        return Stop(f"{self.name}: the update failed ({exc.reason}); nothing was changed{said}")

    def _left(self, now: Any, runs: str) -> str:
        """Someone else wrote `now` after drift's update: `put_back_left` where that put back
        what ran before (`already_back`), else what it `runs` and `--force` undoing theirs."""
        if already_back(now, self.entry):
            return put_back_left(self.entry, self.change_id, "drift wrote nothing more")
        force = f"`drift rollback {self.change_id} --force` would put back what it was before"
        return f"{runs}. drift leaves it as it is; {force} drift's change, undoing theirs too"

    def _record_unlanded(self, note: str, state: str) -> None:
        """Journal the update as `state` with `note`, `landed` left None (`theirs_too`)."""
        try:
            self.ctx.journal.record(self.entry, state, note)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc), unfinished=True) from exc

    def _journal_failed(self, exc: JournalError, now: Any | None = None, refused: str = "") -> str:
        """The update was sent and its outcome cannot be recorded: where it stands (landed
        when `now`, the job or pool read back carrying it; `refused`: not landed) and what to do."""
        if refused:
            self.outcome.unrecorded = True  # never "recorded in" the journal (`apply`)
            return unrecorded_refusal(self.name, refused, exc, self.entry.state, self.change_id)
        stands = (
            f"the update landed ({self.name} read back carries it)"
            if now is not None
            else "the update was sent (whether it landed is not recorded)"
        )
        return (
            f"{self.name}: {exc.message}; {stands}; the journal still says "
            f"{self.entry.state}: once the journal is writable, `drift rollback "
            f"{self.change_id}` puts back what it was, or `drift check` says what it runs"
        )

    def _landed(self, state: str, note: str, now: Any | None, refused: str = "") -> None:
        etag, generation = ("", 0) if now is None else (now.etag, int(now.generation))
        try:
            if self.first:  # its etag not known: `theirs_too`
                landed_first(self.ctx.journal, self.entry, state, note, self.first)
            else:
                self.ctx.journal.landed(self.entry, state, note, etag=etag, generation=generation)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc, now, refused), unfinished=not refused) from exc


def _moved(before: Any, after: Any) -> str:
    """ "" when a service's update left what it runs and what serves as they were (a new
    revision or moved traffic: SPEC invariant 9); else what happened."""
    if short(after.latest_created_revision) != short(before.latest_created_revision):
        return f"Cloud Run made a revision, {short(after.latest_created_revision)}"
    if serving(after) != serving(before):
        return f"what serves changed ({describe_serving(after)})"
    return ""
