"""The fix of a job or a worker pool, and its rollback: no canary — a job serves no traffic
(each execution runs the job's template as it is when it starts: `Job.template`, "The template
used to create executions for this Job"), a worker pool none either (instances, no requests:
`WorkerPool.instance_splits`) — so the fix is one read-modify-write: UpdateJob or
UpdateWorkerPool of the resource as read, with only the plan applied and the etag read (a
change by anyone since is refused: ABORTED), journaled before it is sent. A rollback is one
more such write putting back the template (and a pool's scaling) as they were."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from drift.errors import ApiError, JournalError
from drift.fields import Source, read_settings, text
from drift.fields.access import template_of
from drift.fix.context import Fixer, Stop
from drift.fix.differences import template_differences
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.patch import copy_workload, patched_template, without_system_metadata
from drift.fix.restore import Restored, journaled
from drift.fix.routing import written_since
from drift.fix.update import get_workload, settled_workload, update_workload
from drift.kinds import Kind, label
from drift.live.normalize import raw, template_config
from drift.live.session import Session

OUTSIDE_TEMPLATE = ("parallelism", "task_count", "instance_count")
"""Settings a job or pool holds outside the template `template_differences` compares (a
job's ExecutionTemplate, a pool's scaling)."""


def carries(now: Any, write: Write, kind: Kind) -> bool:
    """Whether `now` is `write` landed and nothing after it: exactly one generation later
    ("monotonically increases every time the user modifies the desired state") with the
    configuration sent."""
    return (
        int(now.generation) == write.generation_before + 1
        and config_key(now, kind) == write.template_key
    )


def complete(now: Any) -> bool:
    """Settled and ready: no update in progress, the Ready condition succeeded."""
    from google.cloud import run_v2

    succeeded = run_v2.Condition.State.CONDITION_SUCCEEDED
    return not now.reconciling and now.terminal_condition.state == succeeded


def config_key(workload: Any, kind: Kind) -> str:
    """A digest of what a job's or pool's template (and a pool's instance count, a job's
    task count and parallelism) runs with, normalised as checks compare them: equal for a
    resource sent and the same read back, whatever the server fills in."""
    config = template_config(workload, container=None, kind=kind)
    data = {"images": [c.image for c in config.containers], "config": config.fingerprint}
    digest = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(digest).hexdigest()[:32]


class WorkloadFix(Fixer):
    """A job's or worker pool's fix: one update in place (no canary: nothing serves
    traffic), judged from the resource read back."""

    async def _steps(self) -> None:
        ctx, kind, source = self.ctx, self.sp.kind, self.live.source
        container = ctx.profile.services[self.sp.key].container
        request = patched_template(source, self.sp, container)  # carries the etag read
        write = Write(
            "update", source.etag, int(source.generation), "", config_key(request, kind), []
        )
        self._journal_first(
            State.UPDATING,
            f"updating {self.name} in place",
            write,
            where=(
                f"{self.name}: the update was being sent (it may have landed); "
                f"`drift rollback {self.change_id}` puts back what it was"
            ),
            say=f"{self.name}: updating in place ({', '.join(self.sp.targets)})",
        )
        lost = ""
        try:
            after = await update_workload(ctx.session, kind, request)
        except ApiError as exc:
            after = await self._failed(exc, write)
            noun = self.sp.kind.noun
            lost = f" (answered {exc.brief}, yet the {noun} read back carries it: it landed)"
        self._landed(State.UPDATED, "updated" + lost, after)
        self.outcome.state = State.UPDATED
        self.outcome.message = (
            f"{self.name}: updated in place ({', '.join(self.sp.targets)}){lost}; "
            f"`drift rollback {self.change_id}` puts back what it was"
        )
        self.where = f"{self.name}: updated; `drift rollback {self.change_id}` puts it back"

    async def _failed(self, exc: ApiError, write: Write) -> Any:
        """The update failed, or its answer or operation was lost (and a retry of a write
        that landed is refused: its etag is no longer the current one). The job or pool read
        back says which: drift's write, complete — returned; drift's, failed — or another
        writer's, or none at all — Stop."""
        try:
            now = await settled_workload(self.ctx.session, self.sp.kind, self.live.full_name)
        except ApiError as read:
            raise Stop(
                f"{self.name}: the update failed ({exc.reason}) and the {self.sp.kind.noun} "
                f"could not be read back ({read.brief}): the update may have landed; "
                f"`drift rollback {self.change_id}` puts back what it was",
                State.UPDATING,
            ) from read
        if carries(now, write, self.sp.kind):
            if complete(now):
                return now
            why = now.terminal_condition.message or exc.reason
            self._landed(State.UPDATE_FAILED, f"landed, then failed: {why}", now)
            raise Stop(
                f"{self.name}: the update landed but did not complete ({why}); "
                f"`drift rollback {self.change_id}` puts back what it was",
                State.UPDATE_FAILED,
            )
        was, gen = write.generation_before, int(now.generation)
        if gen > was + 1:  # two writes since drift read it: the first may have been drift's
            self._unknown(f"changed since ({written_since(was, now)}): {exc.brief}")
            raise Stop(
                f"{self.name}: it was changed since drift read it ({written_since(was, now)}): "
                f"drift's update may have landed before that (its answer: {exc.brief}); what "
                "it runs now is not drift's update. drift leaves it as it is; "
                f"`drift rollback {self.change_id} --force` would put back what it was before "
                "drift's change, undoing theirs too"
            )
        self._landed(State.ABORTED, f"not applied: {exc.reason}", None)
        if gen > was:
            raise Stop(
                f"{self.name}: it was changed since drift read it ({written_since(was, now)}): "
                "drift's update did not land; nothing was changed; run drift plan again"
            )
        if exc.status == "ABORTED" and "etag" in exc.reason.lower():
            why = "it was changed since drift read it (its etag is no longer the one read)"
            raise Stop(f"{self.name}: {why}: run drift plan again; nothing was changed")
        raise Stop(f"{self.name}: the update failed ({exc.reason}); nothing was changed")

    def _unknown(self, note: str) -> None:
        """Journal the update as aborted, whether it landed unknown (`landed` stays None)."""
        try:
            self.ctx.journal.record(self.entry, State.ABORTED, note)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc)) from exc

    def _journal_failed(self, exc: JournalError) -> str:
        return (
            f"{self.name}: {exc.message}; the update was sent: once the journal is "
            f"writable, check {self.name} (`drift check`)"
        )

    def _landed(self, state: str, note: str, now: Any | None) -> None:
        try:
            if now is None:
                self.ctx.journal.landed(self.entry, state, note)
            else:
                self.ctx.journal.landed(
                    self.entry, state, note, etag=now.etag, generation=int(now.generation)
                )
        except JournalError as exc:
            raise Stop(self._journal_failed(exc)) from exc


def before_workload(entry: Entry) -> Any:
    """The job or worker pool as read before the change (run_v2 message of its kind)."""
    from google.cloud import run_v2

    kind = Kind(entry.kind)
    message = run_v2.Job if kind is Kind.JOB else run_v2.WorkerPool
    return message.from_json(json.dumps(entry.service_before), ignore_unknown_fields=True)


def restore_request(now: Any, entry: Entry) -> Any:
    """The resource as it is now (its etag: the one just read), with the template — a
    pool's scaling too — as it was before the change."""
    before = before_workload(entry)
    out = copy_workload(now)
    out.template = before.template
    if Kind(entry.kind) is Kind.WORKER_POOL:
        out.scaling = before.scaling
    return without_system_metadata(out)


def differences(now: Any, entry: Entry) -> list[str]:
    """Everything a rollback changes, live → restored: the template (masked as findings
    mask) and the settings of the kind."""
    kind = Kind(entry.kind)
    restored = restore_request(now, entry)
    lines = template_differences(template_of(now), template_of(restored))
    was = read_settings(Source(raw(now), raw(template_of(now)), None, kind))
    will = read_settings(Source(raw(restored), raw(template_of(restored)), None, kind))
    for name in OUTSIDE_TEMPLATE:
        if was.get(name) != will.get(name):
            lines.append(f"setting {name}: {text(was.get(name))} → {text(will.get(name))}")
    return lines


async def restore_workload(
    session: Session, journal: Journal, entry: Entry, *, states: tuple[str, str, str]
) -> Restored:
    """One UpdateJob / UpdateWorkerPool putting back what was, judged by reading it back."""
    rolling, rolled, failed = states
    kind = Kind(entry.kind)
    who = label(kind, entry.service)
    now = await get_workload(session, kind, entry.full_name)
    request = restore_request(now, entry)
    wanted = config_key(before_workload(entry), kind)
    write = Write("rollback", now.etag, int(now.generation), "", wanted, [])
    journal.begin(entry, rolling, f"restoring {who} as it was before the change", write)
    try:
        after = await update_workload(session, kind, request)
    except ApiError as exc:
        after = await get_workload(session, kind, entry.full_name)
        landed = after.etag != now.etag
        ok = landed and config_key(after, kind) == wanted
        note = f"{'restored' if ok else 'not restored'}: {exc.reason}"
        etag, gen = (after.etag, int(after.generation)) if landed else ("", 0)
        state = rolled if ok else failed
        lost = journaled(lambda: journal.landed(entry, state, note, etag=etag, generation=gen))
        return Restored(ok, "as it was before the change" if ok else exc.reason, after, lost)
    ok = config_key(after, kind) == wanted
    said = "as it was before the change" if ok else "the configuration read back differs"
    state, etag, gen = rolled if ok else failed, after.etag, int(after.generation)
    lost = journaled(lambda: journal.landed(entry, state, said, etag=etag, generation=gen))
    return Restored(ok, said, after, lost)
