"""`drift check`: read live state, diff it against the profile, optionally probe, report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from drift.causes import attach_causes
from drift.diff import diff
from drift.findings import ProbeResult, Unverified
from drift.live.calls import CallRunner
from drift.live.model import LiveState
from drift.live.session import read_live
from drift.profiles.model import Profile
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
    state = await read_live(profile, names, settings.access(), runner, wait=settings.wait)
    findings = diff(profile, names, state, today or dt.date.today())
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


def _unique(items: list[Unverified]) -> tuple[Unverified, ...]:
    seen: dict[tuple[str, str], Unverified] = {}
    for item in items:
        seen.setdefault((item.service, item.target), item)
    return tuple(sorted(seen.values(), key=lambda u: (u.service, u.target)))
