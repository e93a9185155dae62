"""What a fix starts from (`drift.fix.apply`), before any write: what stops the fix of a
workload (SPEC invariant 8), the one confirmation asked for the whole fix, and each workload's
fixer with its journal entry."""

from __future__ import annotations

from typing import Any

from drift import __version__
from drift.fix import pool_hold
from drift.fix.canary import ServiceFix
from drift.fix.context import Context, ServiceOutcome
from drift.fix.job_running import running_note
from drift.fix.journal import Entry, State, now_text
from drift.fix.masked import holders
from drift.fix.model import ServicePlan
from drift.fix.patch import canary_name, canary_tag
from drift.fix.plan import Planned
from drift.fix.pool_base import built_on
from drift.fix.wire import as_json, packed
from drift.fix.workload import WorkloadFix
from drift.kinds import Kind
from drift.live.clients import backend
from drift.live.model import LiveService
from drift.live.state import LiveState


def question(todo: list[ServicePlan], state: LiveState, *, promote: bool = True) -> str:
    """One confirmation for the whole fix: services get canaries, jobs and pools are updated
    in place (nothing serves traffic: there is nothing to put a canary in front of), and so
    is a service whose patch changes only its own settings (no revision would prove them); a
    job whose execution still runs is said to keep it running as it started. Under
    `--no-promote` (`promote` False) a pool's new revision is held with no instances
    (`drift.fix.pool_hold`)."""
    services = [s.label for s in todo if s.kind is Kind.SERVICE and s.changes_template]
    own = [s.label for s in todo if s.kind is Kind.SERVICE and not s.changes_template]
    others = [s.label for s in todo if s.kind is not Kind.SERVICE]
    running = [
        f"{s.label}: {note}. "
        for s in todo
        if s.key in state.services and (note := running_note(state.services[s.key]))
    ]
    parts = []
    if services:
        many = "canary revisions" if len(services) > 1 else "a canary revision"
        parts.append(f"Deploy the patch to {', '.join(services)} as {many} with no traffic")
        # what the canary's write applies to the service itself at once (helper-538: the
        # question promised no traffic change while ingress opened with the canary)
        at_once = [
            f"{s.label}'s {', '.join(s.at_once)}"
            for s in todo
            if s.kind is Kind.SERVICE and s.changes_template and s.at_once
        ]
        if at_once:
            parts[-1] += f" (setting {'; '.join(at_once)} on the service at once)"
    if own:
        verb = "update" if parts else "Update"
        parts.append(
            f"{verb} {', '.join(own)} in place (no canary, no new revision: only settings the "
            "service holds itself change)"
        )
    if others:
        verb = "update" if parts else "Update"
        held = [s.label for s in todo if pool_hold.held(s, promote)]
        one = len(held) == 1
        kept = (
            f"; --no-promote: the new revision{'' if one else 's'} of {', '.join(held)} "
            f"get{'s' if one else ''} no instances"
            if held
            else ""
        )
        parts.append(
            f"{verb} {', '.join(others)} in place (no canary: nothing serves traffic{kept})"
        )
    return "".join(running) + " and ".join(parts) + "?"


def workload_fix(
    ctx: Context, planned: Planned, sp: ServicePlan, change_id: str, user: str
) -> WorkloadFix:
    live = planned.check.state.services[sp.key]
    more: dict[str, Any] = {}
    if (on := built_on(planned.bases, sp)) is not None:  # a pool's, its template's revision
        base = planned.bases[sp.key]  # failed: what it runs, which its rollback puts back
        more = {"base_revision": base.revision, "base_template": as_json(on)}
        more["base_template_pb"] = packed(on)
    hidden = holders((live.source, on) if on is not None else (live.source,), sp.hidden)
    entry = _entry(ctx, sp, live, change_id, user, kind=sp.kind.value, hidden=hidden, **more)
    outcome = ServiceOutcome(sp.label, "", "", State.PLANNED)
    return WorkloadFix(ctx, sp, live, change_id, entry, outcome)


def service_fix(
    ctx: Context, planned: Planned, sp: ServicePlan, change_id: str, user: str
) -> ServiceFix:
    live = planned.check.state.services[sp.service]
    base = planned.bases[sp.service]
    canary, tag = canary_name(sp.service, change_id), canary_tag(sp.service, change_id)
    entry = _entry(
        ctx,
        sp,
        live,
        change_id,
        user,
        canary_revision=canary,
        tag=tag,
        base_revision=base.revision,
        base_template=as_json(base.template),
        base_template_pb=packed(base.template),
        on_template=base.on_template,
        hidden=holders((live.source, base.template), sp.hidden),
    )
    outcome = ServiceOutcome(sp.service, canary, tag, State.PLANNED)
    return ServiceFix(ctx, sp, live, change_id, entry, outcome, base)


def _entry(
    ctx: Context, sp: ServicePlan, live: LiveService, change_id: str, user: str, **more: Any
) -> Entry:
    """The journal entry of one workload's fix, before its first write."""
    more.setdefault("canary_revision", "")
    more.setdefault("tag", "")
    return Entry(
        change_id=change_id,
        environment=ctx.profile.environment,
        project=ctx.profile.project,
        region=ctx.profile.region,
        service=sp.service,
        full_name=live.full_name,
        etag_before=live.etag,
        service_before=as_json(live.source),
        service_before_pb=packed(live.source),
        changes=list(sp.targets),
        created_at=now_text(),
        by=user,
        client_version=__version__,
        backend=backend(),
        **more,
    )
