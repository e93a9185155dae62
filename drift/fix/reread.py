"""A workload read again right before drift's first write to it — after its lock was taken,
and after the prompt when one was shown — and once more after the promotion's prompt (SPEC
invariant 4: "`fix` aborts if the service changed after it was read (etag)").

A fix's first write to a workload is built from the plan's read, made before the fix took its
locks and before its prompt; one workload at a time (`concurrency: 1`, or prompts answered)
the last one's turn comes after every other one's canary, probe and promotion, and a person
may take minutes to answer (revwritecode F1, revwritecode2 F1). The promotion is built from
the read after the canary, made before its own prompt and before the canary's proof, whose
probes take up to their timeout each (longer with `hold`). Cloud Run v2 does not promise to refuse
the stale etag such a write carries: `Service.etag` "May be used to detect modification
conflict during updates" (google/cloud/run/v2/service.proto), while AIP-154 says a stale etag
"must" get ABORTED (sandbox option `stale_etag`). So, as `drift rollback` does
(`drift.fix.rollback_restore.restore_all`: "after a prompt each is read again right before its
write"), the fix reads the workload (one GetService, GetJob or GetWorkerPool) right before its
first write, and right after the promotion's prompt, and writes nothing to it when it was
written since: its `generation` ("A number that monotonically increases every time the user
modifies the desired state", service.proto) moved, or its `uid` changed (deleted and created
again). One read each: where a prompt was just answered, the read after it is this read.
Under `--yes` the promotion follows the read after the canary with no read added, unless the
canary was probed meanwhile: a teammate's deploy or label during the probes would otherwise be
written over by the promotion on a server that lets the stale etag through (revfix84 F1); then
the proof's own read right after its probes is that read (helper-796 N1), read again only when
the proof could not read it.
The etag is not compared: it fingerprints the whole resource, status included, so a deploy
that settles meanwhile would change it with nobody's write. A write landing between this
read and drift's is still told afterwards (`drift.fix.overwrote`)."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError
from drift.fix.byhand import copy_field
from drift.fix.context import Fixer, Stop
from drift.fix.patch import copy_workload, without_system_metadata
from drift.fix.update import GONE, deleted, get_service, get_workload
from drift.kinds import Kind
from drift.live.api import written_since
from drift.live.normalize import raw
from drift.protofield import field_value


async def read_before_write(
    fixer: Fixer, before: Any, *, promotion: bool = False, probed: bool = False
) -> Any:
    """The workload read again, right before drift's write built from `before` (None for a
    promotion under `--yes` when the canary was not `probed`: `before` is the read after the
    canary, nothing waited since);
    else Stop, nothing written. A read that fails before the promotion is stopped as at a
    declined prompt (the cleanup reads and judges the service itself); before the first write
    nothing was written and the fix stops there. A workload deleted meanwhile (NOT_FOUND,
    `drift.fix.update.deleted`) took its revisions with it: nothing to clean up, and the
    change is closed aborted."""
    if promotion and fixer.ctx.options.yes and not probed:
        return None
    if promotion and fixer.ctx.options.yes and fixer.outcome.read_after_probes is not None:
        # the proof read it right after its probes, nothing waited since: that read is this one
        # (its etag the promotion carries; helper-796 N1); a write after it is refused by the
        # etag or told afterwards (`drift.fix.overwrote`), as after any read
        return fixer.outcome.read_after_probes
    kind, name = fixer.sp.kind, before.name
    try:
        if kind is Kind.SERVICE:
            now = await get_service(fixer.ctx.session, name)
        else:
            now = await get_workload(fixer.ctx.session, kind, name)
    except ApiError as exc:
        if deleted(exc):  # a definite answer: its revisions, a canary too, went with it
            did = "the promotion was not sent" if promotion else "nothing was written"
            raise Stop(
                f"{fixer.name} {GONE} (deleted after drift read it{waited(fixer)}): "
                f"{did}; nothing is left to roll back"
            ) from exc
        when = (
            "after the prompt"
            if not fixer.ctx.options.yes
            else "after drift probed the canary"
            if probed
            else "before drift's write"
        )
        raise Stop(
            f"{fixer.name}: it could not be read again {when} ({exc.brief}): "
            + (
                "the promotion was not sent"
                if promotion
                else "nothing was written to it; run drift fix again"
            ),
            cleanup=promotion,
        ) from exc
    return now


def waited(fixer: Fixer) -> str:
    """What the workload's change happened during, for its message: the prompt, or ""
    (`--yes`: the fix's work on the workloads before it, or the locks being taken)."""
    return "" if fixer.ctx.options.yes else ", while the prompt waited"


def changed_since_read(before: Any, now: Any) -> str:
    """ "" when `now` is the workload `before` was read from with nobody's write since; else
    what changed, in the words of `written_since` (generations, last modifier and client)."""
    since = written_since(int(before.generation), now)
    if now.uid and before.uid and now.uid != before.uid:
        return f"deleted and created again: its uid {before.uid} → {now.uid}; {since}"
    return "" if int(now.generation) == int(before.generation) else since


UNWRITTEN = ("template", "traffic", "etag")
"""What drift's write builds itself (`on_fresh`): the rest of the workload comes from the
read right before the write, where the plan left it as read."""


def on_fresh(request: Any, before: Any, now: Any) -> Any:
    """`request` (drift's write, built from `before`) onto `now`, the read right before it,
    with nobody's write between them by generation: every field the plan left as `before`
    had it (labels, annotations, the service's own settings) is taken from `now`, and `now`'s
    etag is sent. A write that does not change the desired state may leave `generation` as it
    was — Kubernetes and Knative move it only for a change of the spec ("`Generation` only
    changes when the `/spec` of a CRD changes", knative/pkg#117), where run v2's comment says
    it moves "every time the user modifies the desired state" (sandbox option
    `labels_bump_generation`) — so a label written since would otherwise be sent back as
    `before` had it, and lost on a server that lets a stale etag through."""
    bare = [raw(without_system_metadata(copy_workload(w))) for w in (before, now)]
    out, (was, fresh) = raw(request), bare  # system keys are never sent (`copy_service`)
    for field in out.DESCRIPTOR.fields:
        name = field.name
        if name in UNWRITTEN or field_value(out, field) != field_value(was, field):
            continue  # drift's own, or what the plan changes
        copy_field(out, fresh, name)
    out.etag = fresh.etag
    return request
