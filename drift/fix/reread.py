"""A workload read again right after a prompt was answered, before the write that prompt
confirmed (SPEC invariant 4: "`fix` aborts if the service changed after it was read (etag)").

A write is built from a read made before its prompt (the plan's read for the canary write and
a job's or pool's update; the read after the canary for the promotion), and a person may take
minutes to answer. Cloud Run v2 does not promise to refuse the stale etag such a write carries:
`Service.etag` "May be used to detect modification conflict during updates"
(google/cloud/run/v2/service.proto), while AIP-154 says a stale etag "must" get ABORTED (sandbox
option `stale_etag`). So, as `drift rollback` does (`drift.fix.rollback_restore.restore_all`:
"after a prompt each is read again right before its write"), the fix reads the workload once
more (one GetService, GetJob or GetWorkerPool) and writes nothing to it when it was written
since: its `generation` ("A number that monotonically increases every time the user modifies
the desired state", service.proto) moved, or its `uid` changed (deleted and created again).
The etag is not compared: it fingerprints the whole resource, status included, so a deploy
that settles while the prompt waits would change it with nobody's write. With `--yes` no prompt
waited: no read is added (the write follows its read at once, as before). A write landing
between this read and drift's is still told afterwards (`drift.fix.overwrote`)."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError
from drift.fix.context import Fixer, Stop
from drift.fix.update import GONE, deleted, get_service, get_workload
from drift.kinds import Kind
from drift.live.api import written_since


async def read_after_prompt(fixer: Fixer, before: Any, *, canary_exists: bool = False) -> Any:
    """The workload read again (None under `--yes`: no prompt was shown, nothing is read),
    when it is still the one `before` was read from; else Stop, nothing written.
    `canary_exists`: a read that fails is stopped as at a declined prompt (the cleanup reads
    and judges the service itself); else nothing was written and the fix stops there. A
    workload deleted meanwhile (NOT_FOUND, `drift.fix.update.deleted`) took its revisions with
    it: nothing to clean up, and the change is closed aborted."""
    if fixer.ctx.options.yes:
        return None
    kind, name = fixer.sp.kind, before.name
    try:
        if kind is Kind.SERVICE:
            now = await get_service(fixer.ctx.session, name)
        else:
            now = await get_workload(fixer.ctx.session, kind, name)
    except ApiError as exc:
        if deleted(exc):  # a definite answer: its revisions, a canary too, went with it
            did = "the promotion was not sent" if canary_exists else "nothing was written"
            raise Stop(
                f"{fixer.name} {GONE} (deleted after drift read it, while the prompt waited): "
                f"{did}; nothing is left to roll back"
            ) from exc
        raise Stop(
            f"{fixer.name}: it could not be read again after the prompt ({exc.brief}): "
            + (
                "the promotion was not sent"
                if canary_exists
                else "nothing was written to it; run drift fix again"
            ),
            cleanup=canary_exists,
        ) from exc
    return now


def changed_since_read(before: Any, now: Any) -> str:
    """ "" when `now` is the workload `before` was read from with nobody's write since; else
    what changed, in the words of `written_since` (generations, last modifier and client)."""
    since = written_since(int(before.generation), now)
    if now.uid and before.uid and now.uid != before.uid:
        return f"deleted and created again: its uid {before.uid} → {now.uid}; {since}"
    return "" if int(now.generation) == int(before.generation) else since
