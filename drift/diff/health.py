"""`revision.rollout` of a settled service (worker pool) that is not ready although its latest
created revision is its latest ready one: a revision it serves, or one a checked traffic tag
reaches at 0 % (the tag has its own URL: SPEC "Every revision a user can reach"), whose Ready
condition failed (HEALTH_CHECK_CONTAINER_ERROR, …), or its own terminal condition failed.
Matching revision names follow from a success but do not prove one (`drift.live.conditions`):
incomplete never looks clean. A deploy in progress is left to the reader (unverified), a failed
new revision to `rollout_findings`. A tag-only revision whose Ready condition names a state of
a revision that serves nothing (`drift.live.conditions.IDLE`: RESERVE, RETIRED, …) is in that
state because it takes no traffic, not failing. Retired revisions that nothing reaches are
never read. The condition's message is a server's text: masked like any live value
(`drift.diff.jobs.masked`)."""

from __future__ import annotations

from collections.abc import Iterator

from drift.diff.context import At, Context
from drift.diff.jobs import masked
from drift.diff.rollout import NOT_READY
from drift.findings import Finding
from drift.kinds import Kind
from drift.live.conditions import IDLE, failed, failed_ready, reason, words
from drift.live.normalize import raw


def health_findings(ctx: Context) -> Iterator[Finding]:
    live = ctx.live
    if live.source is None or live.reconciling or ctx.service.kind is Kind.JOB:
        return
    pool = ctx.service.kind is Kind.WORKER_POOL
    share = "of instances" if pool else "of traffic"
    said = False
    for rev in live.checked:
        ready = None if rev.source is None else failed_ready(raw(rev.source).conditions)
        if ready is None or (rev.tag_only and reason(ready) in IDLE):
            continue
        said = True
        at = At(ctx, rev)
        how = f"{'has' if pool else 'serves'} {rev.percent}% {share}"
        if at.tag:
            urls = "their own URLs" if "," in at.through else "its own URL"
            how = f"is reached through {at.through} (0% {share}, {urls})"
        yield ctx.finding(
            "revision.rollout",
            f"revision.{rev.name}",
            f"{rev.name} {how} but is not ready "
            f"(its Ready condition failed: {masked(ctx, words(ready))})",
            revision=rev.name,
            tag=at.tag,
            tags=at.tags,
            expected="serving revisions ready",
            actual=NOT_READY,
            variant="ready",
        )
    terminal = raw(live.source).terminal_condition
    if said or not live.latest_created_ready or not failed(terminal):
        return  # a failed new revision: `rollout_findings` says so with this message
    where = live.latest_ready or (live.serving[0].name if live.serving else "")
    stays = f"; {where} is its latest ready revision" if where else ""
    yield ctx.finding(
        "revision.rollout",
        f"revision.{where or 'serving'}",
        f"{ctx.service.label} is not ready: its terminal condition failed "
        f"({masked(ctx, words(terminal))}){stays}",
        revision=where or None,
        expected=f"{ctx.service.kind.noun} ready",
        actual=NOT_READY,
        variant="terminal",
    )
