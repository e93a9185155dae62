"""Compare a profile with live state and produce findings (every rule except `probe.*`): per
service, the rollout, then per serving revision its variables, secrets and settings; the same
drift on several revisions merged; `ignore` applied.

Values are compared in memory; what a finding shows is masked (see `describe`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace

from drift.diff.context import At, Context
from drift.diff.env import env_findings
from drift.diff.health import health_findings
from drift.diff.ignores import apply_ignores
from drift.diff.jobs import job_findings
from drift.diff.rollout import rollout_findings
from drift.diff.secrets import mount_findings, secret_findings
from drift.diff.settings import container_setting_findings, setting_findings
from drift.diff.suggest import Names
from drift.diff.unserved import JournalCanaries
from drift.findings import Finding, Severity, finding_id
from drift.kinds import Kind, misplaced
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.same_drift import unique_ids


def diff(
    profile: Profile,
    names: list[str],
    state: LiveState,
    today: dt.date,
    journal: JournalCanaries | None = None,
) -> list[Finding]:
    """`journal`: what drift's journal here recorded of its canaries (`Context.journal`)."""
    findings: list[Finding] = []
    near: dict[Kind, Names] = {}  # each kind's names indexed once for all that are missing
    for name in names:
        service = profile.services[name]
        if name in state.missing:
            target = service.kind.value  # `service`, as it always was; `job`, `worker_pool`
            findings.append(
                Finding(
                    id=finding_id(profile.environment, name, "service.missing", target),
                    rule="service.missing",
                    severity=Severity.ERROR,
                    service=service.name,
                    revision=None,
                    target=target,
                    message=_missing_service(profile, name, state, near),
                    expected="exists",
                    actual=None,
                    location=service.location,
                    kind=service.kind,
                )
            )
            continue
        live = state.services.get(name)
        if live is None:
            continue  # could not be read: already unverified
        ctx = Context(profile, state, service, live, journal)
        findings.extend(_merge_revisions(list(_service_findings(ctx))))
    return apply_ignores(profile, unique_ids(findings, _age(state)), today, state)


def _age(state: LiveState) -> dict[str, float]:
    """When each revision read was created (revision.proto `create_time`), by name: which of
    two findings sharing an id is the older drift (`unique_ids`). A revision the template
    describes was not fetched: no time (it is the newest)."""
    out = {}
    for live in state.services.values():
        for revision in live.checked:
            when = getattr(revision.source, "create_time", None)
            if isinstance(when, dt.datetime):
                out[revision.name] = when.timestamp()
    return out


def _missing_service(profile: Profile, key: str, state: LiveState, near: dict[Kind, Names]) -> str:
    """Where the workload was looked for; a workload of another kind by that name (a job
    under `services:`), where it belongs; else one of the region with a close name (the
    reader lists each kind once beside a missing workload, `Reader._list_kinds`). `near`:
    the names of each kind, indexed when a missing workload of that kind first asks."""
    workload = profile.services[key]
    message = f"{workload.kind.noun} {workload.name} does not exist in {profile.where}"
    other = state.other_kind(workload.kind, workload.name, profile.services)
    if other is not None:
        return f"{message}: {misplaced(workload.kind, workload.name, other)}"
    if (names := near.get(workload.kind)) is None:
        known = {s.name for s in state.services.values() if s.kind is workload.kind}
        names = near[workload.kind] = Names(known | state.listed_names(workload.kind))
    close = names.closest(workload.name)
    return f"{message}; did you mean {close}?" if close else message


def _service_findings(ctx: Context) -> Iterator[Finding]:
    if ctx.service.kind is Kind.JOB:
        yield from job_findings(ctx)
    else:
        yield from rollout_findings(ctx)
        yield from health_findings(ctx)
    for rev in ctx.live.checked:
        at = At(ctx, rev)
        yield from env_findings(at)
        yield from secret_findings(at)
        yield from setting_findings(at)
        yield from container_setting_findings(at)


Judge = Callable[[At, str | None], Iterator[Finding]]
JUDGES: dict[str, tuple[Judge, ...]] = {
    "env": (env_findings,),
    "container": (env_findings,),
    "mount": (mount_findings,),
    "setting": (setting_findings, container_setting_findings),
}
"""The rules that judge a revision's own configuration, by the family of the targets they
find drift on (`env.NAME`: a variable, `container.NAME`, `mount.PATH`, `setting.NAME`), each
taking `only`, a target to judge alone (None: all). Every rule of `rules.HISTORY` finds drift on
targets of its own family (tests/history/test_since_judged.py holds each to one here)."""


def configuration_findings(at: At, target: str | None = None) -> Iterator[Finding]:
    """The rules that judge a revision's own configuration (its variables, mounts and
    settings), not the state of what it references: they apply to any revision, old ones
    included (where each drift began). `target`: the findings on that target alone, judged
    by the rules of its family (`JUDGES`; all of them for a family it lacks)."""
    judges = JUDGES.get(target.partition(".")[0]) if target is not None else None
    if judges is not None:
        for judge in judges:
            yield from judge(at, target)
        return
    for f in _every_rule(at):
        if target in (None, f.target):
            yield f


def _every_rule(at: At) -> Iterator[Finding]:
    yield from env_findings(at)
    yield from mount_findings(at)
    yield from setting_findings(at)
    yield from container_setting_findings(at)


def _merge_revisions(findings: list[Finding]) -> list[Finding]:
    """The same drift on several serving revisions is one finding naming them all. The same
    drift: the same id (rule, target, and what keeps two findings of one target apart: a
    sidecar, a version of a secret) with the same values and the same failures, reached the
    same way (a revision reached only through a tag stays a finding of its own: an ignore
    may name its tag)."""
    Key = tuple[str, str | None, str | None, str | None, str | None, tuple[str, ...]]
    merged: dict[Key, Finding] = {}
    others: dict[Key, list[str]] = {}
    for f in findings:
        key = (f.id, f.container, f.expected, f.actual, f.tag, f.failed)
        if key in merged:
            named = [merged[key].revision, *others[key]]
            if f.revision not in named:  # a revision is named once
                others[key].append(f.revision or "")
        else:
            merged[key] = f
            others[key] = []
    out = []
    for key, f in merged.items():
        if others[key]:
            also = tuple(others[key])
            f = replace(f, message=f"{f.message} (also on {', '.join(also)})", also_on=also)
        out.append(f)
    return out
