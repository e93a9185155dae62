"""The minimal patch per service that repairs fixable drift, and the manual steps (with the
command to adapt) for what no patch can fix: the environment's plan (one service's:
`drift.fix.planner`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from drift.diff.differences import system_key
from drift.errors import ExitCode
from drift.fields.access import template_of
from drift.fields.health_rules import h2c_note, port_note
from drift.fields.liveness_bounds import liveness_note
from drift.fields.mount_options import kept_note
from drift.findings import Finding
from drift.fix.base import Base, fix_base
from drift.fix.journal import Entry
from drift.fix.manual import missing_service_step
from drift.fix.model import Plan, ServicePlan
from drift.fix.planner import ServicePlanner
from drift.fix.pool_base import built_on, pool_base
from drift.format.summary import unverified_steps
from drift.kinds import Kind
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.report import Report

if TYPE_CHECKING:
    from drift.check import CheckResult
    from drift.settings import Settings


@dataclass(frozen=True)
class Planned:
    check: CheckResult
    plan: Plan
    patched: dict[str, Any]
    """The patched run_v2.Service (Job, WorkerPool) of each workload with a patch, by key
    (for `--format yaml`), built on what `drift fix` builds on (`written_on`)."""
    bases: dict[str, Base] = field(default_factory=dict)
    """What a fix of each service builds on (SPEC invariant 8)."""
    entries: Sequence[Entry] = ()
    """The journal's entries as the plan read them (what left a canary: the plan's step, and
    what a dry run says would stop the fix): a `drift.fix.journalview.JournalView`."""

    @property
    def exit_code(self) -> ExitCode:
        """What the check behind the plan found (a plan never writes)."""
        return self.check.report.exit_code


async def plan_environment(
    profile: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    from_template: bool = False,
) -> Planned:
    """Check, then plan the repair of what was found (`drift plan` and `drift fix` alike),
    against what serves (or the template). The check reads each drifted workload's revision
    history as `drift check` does, though no plan shows a `since`: a plan shows live values,
    and a value pasted over an older revision's secret reference is a secret
    (`drift.live.remember.remember_history`), masked in the plan only once that revision is
    read (revmutant6 T1)."""
    from drift.check import run_check
    from drift.fix.journalview import JournalView
    from drift.fix.patch import patched_template
    from drift.fix.served import canary_record

    entries = JournalView(settings.journal())  # each entry read once, when asked, for both
    result = await run_check(
        profile,
        settings,
        services=services,
        environ=environ,
        today=today,
        canaries=canary_record(settings.journal(), entries),  # `since` passes over drift's own
    )
    bases = plan_bases(result.state, from_template=from_template)
    if from_template:  # what the canary is built on: its secrets judged before it is made
        from drift.fix.startable import read_templates

        configs = [b.config for b in bases.values() if b.on_template]
        pools = [live for live in result.state.services.values() if live.kind is Kind.WORKER_POOL]
        configs += [live.template for live in pools]
        await read_templates(settings.access(), result.state, profile.project, configs)
    plan = build_plan(
        profile,
        result.report.services,
        result.state,
        result.report,
        bases,
        from_template=from_template,
        entries=entries,
    )
    notes = history_notes(profile, result.report.services, result.state)
    notes += unconfirmed_notes(result.state)
    plan = replace(plan, notes=notes + system_key_notes(plan, result.state))
    patched = {
        sp.key: patched_template(
            result.state.services[sp.key].source,
            sp,
            profile.services[sp.key].container,
            written_on(bases, sp),  # a failed template: what serves (a pool's instances run)
            clear_name=False,
        )
        for sp in plan.services
        if sp.has_patch
    }
    checked = policy_notes(plan, result.state, patched) + h2c_notes(plan, patched)
    checked += template_notes(plan, result.state, bases, patched)
    return Planned(result, replace(plan, notes=plan.notes + checked), patched, bases, entries)


def written_on(bases: Mapping[str, Base], sp: ServicePlan) -> Any | None:
    """The template the written workload of `sp` (`Planned.patched`, the document of `--format
    yaml`) builds on in place of its own, as `drift fix` writes it (None: its own, as read). A
    template whose revision failed cannot serve and is not an unreleased change: the fix
    builds on the serving revision (SPEC invariant 8) — a service's canary on `fix_base`'s
    template, the serving revision's configuration; a worker pool's update on what its
    instances run (`pool_base.built_on`) — so the document carries that configuration plus
    the patch, never the failed template's image or variables. Any other service's document
    is built on its template: one that does not serve is said not appliable there."""
    base = bases.get(sp.key)
    if sp.kind is Kind.SERVICE and base is not None and base.failed and sp.changes_template:
        return base.template  # `fix_base`: a failed template is replaced, never built on
    return built_on(bases, sp)


def _lost(bases: Mapping[str, Base], sp: ServicePlan) -> ServicePlan:
    """`sp`, saying what its document built on the serving revision (`written_on`) would drop
    silently where `drift fix` stops on it (`stops.what_stops`: `Base.unknown`)."""
    base = bases.get(sp.key)
    if sp.kind is Kind.SERVICE and base is not None and base.unknown:
        if written_on(bases, sp) is not None:
            return replace(sp, lost=base.unknown)
    return sp


def history_notes(profile: Profile, names: Iterable[str], state: LiveState) -> tuple[str, ...]:
    """A drifted workload whose revision history could not be read, said as it matters to a
    plan (which shows no `since`): a value pasted over an older revision's secret reference
    is known to be a secret only once that revision is read, so the plan may show it (README
    "secrets"; revown54 F1). `check` says it as `drift.check._histories_unread` does."""
    return tuple(
        f"{profile.services[name].label}: revision history not read ({why}): a variable that "
        "was a secret reference in an older revision may show its value unmasked in this "
        "plan (a {secret: NAME} reference in the profile masks it everywhere)"
        for name in names
        if (why := state.history_unread.get(name)) is not None and name in profile.services
    )


def unconfirmed_notes(state: LiveState) -> tuple[str, ...]:
    """A secret finding kept though its read again was refused (`drift.live.held_still`): the
    check says it is reported as read, not confirmed, and so does the plan that acts on it,
    in every format (a script's on stderr: `Plan.notes`)."""
    from drift.live.held_still import UNCONFIRMED

    return tuple(note for note in state.notes if UNCONFIRMED in note)


def system_key_notes(plan: Plan, state: LiveState) -> tuple[str, ...]:
    """Each job whose write leaves out labels or annotations in a system namespace that it
    holds (`patch.without_system_metadata`: v2 refuses them), named: a change the plan would
    not otherwise show (revreal61 F1: a Terraform-written service's
    `run.googleapis.com/invoker-iam-disabled` was gone after the fix, and after its rollback).
    A job is written whole (UpdateJob has no mask); a service's or pool's write names only
    what it sets (`drift.fix.update_mask`): its own labels and annotations stay as they are."""
    held: dict[tuple[str, ...], list[str]] = {}  # the same keys: one note naming each holder
    for sp in plan.services:
        whole = sp.has_patch and sp.kind is Kind.JOB
        source = state.services[sp.key].source if whole else None
        keys = sorted(
            {
                k
                for f in ("labels", "annotations")
                for k in getattr(source, f, None) or ()
                if system_key(k)
            }
        )
        if keys:
            held.setdefault(tuple(keys), []).append(sp.label)
    return tuple(
        f"{', '.join(labels)}: the write does not resend {', '.join(keys)} (labels and "
        "annotations in a system namespace: the Cloud Run Admin API v2 refuses them, and each "
        "setting they stood for is a v2 field, which the write keeps): the fix removes them, and "
        "a rollback does not put them back"
        for keys, labels in held.items()
    )


def policy_notes(plan: Plan, state: LiveState, patched: Mapping[str, Any]) -> tuple[str, ...]:
    """Each job the fix would give images it does not run, under an enforced Binary
    Authorization policy: said before the fix, as the fix says it after (`job_binauthz`),
    since the update succeeding will prove nothing about them. Each service or pool whose new
    revision the plan's own binary_authorization change has checked as nothing running now
    was (`binauthz_own.plan_note`): drift cannot tell whether its images are attested."""
    from drift.fix.binauthz_own import plan_note
    from drift.fix.job_binauthz import checked_when_run

    jobs = tuple(
        f"{sp.label}: after the fix, {said}"
        for sp in plan.services
        if sp.kind is Kind.JOB and sp.key in patched
        if (said := checked_when_run(state.services[sp.key].source, patched[sp.key]))
    )
    return jobs + tuple(
        said
        for sp in plan.services
        if sp.key in patched
        if (said := plan_note(sp, state.services[sp.key].source, patched[sp.key]))
    )


def h2c_notes(plan: Plan, patched: Mapping[str, Any]) -> tuple[str, ...]:
    """Each service whose written workload would run an HTTP probe beside end-to-end HTTP/2
    on its ingress container where the plan changes one of them (`health_rules.h2c_note`)."""
    return tuple(
        f"{sp.label}: {said}"
        for sp in plan.services
        if sp.key in patched
        if (said := h2c_note(sp.kind, patched[sp.key], {s.name for s in sp.settings}))
    )


def template_notes(
    plan: Plan, state: LiveState, bases: Mapping[str, Base], patched: Mapping[str, Any]
) -> tuple[str, ...]:
    """Each workload's notes judged against the template its write builds on: a service whose
    plan moves its port, where the workload it writes has each probe that was on the old port
    (`health_rules.port_note`); a liveness delay over the services' page's bound it does not
    run already (`liveness_bounds.liveness_note`); a Cloud Storage volume repointed with the
    mount options it keeps (`mount_options.kept_note`, helper-710 F10)."""
    notes = []
    for sp in (sp for sp in plan.services if sp.key in patched):
        on = written_on(bases, sp)
        on = template_of(state.services[sp.key].source) if on is None else on
        changed = {s.name for s in sp.settings}
        said = (
            port_note(sp.kind, on, patched[sp.key], changed),
            liveness_note(sp.kind, on, patched[sp.key]),
            kept_note(on, patched[sp.key], changed, sp.hidden),
        )
        notes += [f"{sp.label}: {note}" for note in said if note]
    return tuple(notes)


def plan_bases(
    state: LiveState, only: Collection[str] | None = None, *, from_template: bool = False
) -> dict[str, Base]:
    """What a fix of each service builds on (no API call): plan, fix and check's Repair;
    `only`: of these workloads (None: of every one read)."""
    bases = {  # a job or a worker pool is patched on its template, in place: no base
        name: fix_base(live, from_template=from_template)
        for name, live in state.services.items()
        if live.kind is Kind.SERVICE and (only is None or name in only)
    }
    for name, live in state.services.items():  # but a pool whose template's revision failed
        if only is None or name in only:
            if (pool := pool_base(live, from_template=from_template)) is not None:
                bases[name] = pool
    return bases


def build_plan(
    profile: Profile,
    names: Iterable[str],
    state: LiveState,
    report: Report,
    bases: Mapping[str, Base] | None = None,
    *,
    from_template: bool = False,
    entries: Sequence[Entry] = (),
) -> Plan:
    """`entries`: the journal's (what left a canary a step names)."""
    services = []
    by_service: dict[str, list[Finding]] = {}
    for finding in report.active:  # sorted once, not once per service
        by_service.setdefault(finding.key, []).append(finding)
    silenced: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if not finding.counted:
            silenced.setdefault(finding.key, []).append(finding)
    for name in names:
        live = state.services.get(name)
        findings = by_service.get(name, [])
        if live is None:
            if name in state.missing:
                services.append(
                    ServicePlan(
                        service=profile.services[name].name,
                        kind=profile.services[name].kind,
                        full_name="",
                        etag="",
                        region=profile.region,
                        project=profile.project,
                        revision="",
                        manual=(missing_service_step(profile, name, state),),
                    )
                )
            continue
        base = (bases or {}).get(name)
        planner = ServicePlanner(
            profile,
            profile.services[name],
            live,
            state,
            base,
            from_template=from_template,
            entries=entries,
        )
        services.append(planner.plan(findings, silenced.get(name, ())))
    said = [(u.key, f"{u.service} {u.target}: {u.reason}") for u in report.unverified]
    unverified = tuple(item for _, item in said)
    hints = tuple(unverified_steps(report)) if unverified else ()  # as check says them
    where = (profile.environment, profile.project, profile.region)
    services = [replace(s, unread=tuple(i for k, i in said if k == s.key)) for s in services]
    services = [_lost(bases or {}, s) for s in services]
    return Plan(*where, tuple(services), unverified, hints=hints)
