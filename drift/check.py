"""`drift check`: read live state, diff it against the profile, optionally probe, report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from drift.causes import attach_causes
from drift.diff import diff
from drift.diff.context import At, Context
from drift.diff.engine import configuration_findings
from drift.diff.since import HISTORY_RULES, History, with_since
from drift.findings import ProbeResult, Unverified
from drift.live.calls import CallRunner
from drift.live.model import LiveService, LiveState
from drift.live.session import read_live
from drift.profiles.model import Profile, ServiceProfile
from drift.report import Report
from drift.settings import Settings


@dataclass
class CheckResult:
    report: Report
    state: LiveState


async def run_check(
    profile: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    probe: bool = False,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    runner: CallRunner | None = None,
) -> CheckResult:
    names = profile.select(services)
    targets_env = dict(environ or {})
    if probe:
        from drift.probe.live import check_probe_config

        check_probe_config(profile, names, targets_env)
    wanted = partial(_drifted, profile, LiveState()) if settings.history else None
    state = await read_live(
        profile, names, settings.access(), runner, wait=settings.wait, history=wanted
    )
    findings = diff(profile, names, state, today or dt.date.today())
    if state.history:
        histories = {
            name: History(
                Context(profile, state, profile.services[name], state.services[name]), records
            )
            for name, records in state.history.items()
            if name in state.services
        }
        findings = with_since(findings, histories)
    probes: list[ProbeResult] = []
    if probe:
        from drift.probe.live import probe_services

        probes = await probe_services(
            profile,
            names,
            state,
            targets_env,
            settings.concurrency,
            settings.impersonate_service_account,
        )
        probes, probe_findings = attach_causes(profile, probes, findings)
        findings.extend(probe_findings)
    report = Report.of(
        profile,
        names,
        settings.fail_on,
        findings=findings,
        probes=probes,
        unverified=_unique(state.unverified),
    )
    return CheckResult(report, state)


def _drifted(
    profile: Profile, state: LiveState, service: ServiceProfile, live: LiveService
) -> bool:
    """Whether a service's configuration has drifted (so its history is worth reading), judged
    as soon as it is described: no secret state is known yet, and none is needed."""
    ctx = Context(profile, state, service, live)
    return any(
        f.rule in HISTORY_RULES
        for rev in live.checked
        for f in configuration_findings(At(ctx, rev))
    )


def _unique(items: list[Unverified]) -> tuple[Unverified, ...]:
    seen: dict[tuple[str, str], Unverified] = {}
    for item in items:
        seen.setdefault((item.service, item.target), item)
    return tuple(sorted(seen.values(), key=lambda u: (u.service, u.target)))
