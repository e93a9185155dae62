"""`drift check`: read live state, diff it against the profile, optionally probe, report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from drift.diff import diff
from drift.errors import UsageError
from drift.live.calls import CallRunner, Limits
from drift.live.reader import LiveState, Reader
from drift.profiles.model import Profile
from drift.report import Finding, ProbeResult, Report, Severity, Unverified, finding_id
from drift.settings import Settings

# Which drift most likely explains a failed handshake, most likely first.
_CAUSE_RANK = {
    "env.missing": 0,
    "secret.missing": 1,
    "secret.disabled": 1,
    "secret.destroyed": 1,
    "secret.no_access": 1,
    "env.inconsistent": 2,
    "env.secret_ref": 3,
    "env.plaintext_secret": 4,
    "env.value": 5,
    "env.constraint": 5,
    "env.forbidden": 6,
    "revision.rollout": 6,
    "setting.value": 7,
}
NOT_CONFIGURATION = (
    "no configuration drift found on this service: the cause is not configuration "
    "(look at the code or its dependencies)"
)


@dataclass
class CheckResult:
    report: Report
    state: LiveState


def select_services(profile: Profile, wanted: Sequence[str] | None) -> list[str]:
    if not wanted:
        return list(profile.services)
    unknown = [s for s in wanted if s not in profile.services]
    if unknown:
        known = ", ".join(profile.services) or "none"
        raise UsageError(
            f"unknown service {', '.join(unknown)} in profile {profile.environment} "
            f"(services: {known})"
        )
    return list(dict.fromkeys(wanted))


def limits(settings: Settings) -> Limits:
    return Limits(
        concurrency=settings.concurrency,
        run_rpm=settings.run_rpm,
        secrets_rpm=settings.secrets_rpm,
        call_timeout=settings.call_timeout,
        retry_budget=settings.retry_budget,
    )


async def read_live(
    profile: Profile, names: list[str], settings: Settings, runner: CallRunner | None = None
) -> LiveState:
    from drift.live.clients import make_clients

    clients = make_clients(settings.impersonate_service_account)
    try:
        reader = Reader(
            clients, runner or CallRunner(limits(settings)), profile.project, profile.region
        )
        return await reader.read(profile, names)
    finally:
        await clients.close()


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
    names = select_services(profile, services)
    targets_env = dict(environ or {})
    if probe:
        from drift.probe.live import check_probe_config

        check_probe_config(profile, names, targets_env)
    state = await read_live(profile, names, settings, runner)
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
    report = Report(
        environment=profile.environment,
        project=profile.project,
        region=profile.region,
        services=tuple(names),
        findings=tuple(findings),
        probes=tuple(probes),
        unverified=_unique(state.unverified),
        fail_on=settings.fail_on,
    )
    return CheckResult(replace(report, fix_commands=repair_commands(profile, state, report)), state)


def repair_commands(profile: Profile, state: LiveState, report: Report) -> tuple[str, ...]:
    """The `gcloud` commands `drift plan` would print, for summaries (no extra API call)."""
    from drift.fix.plan import build_plan
    from drift.fix.render import gcloud_command

    plan = build_plan(profile, report.services, state, report)
    commands = [c for sp in plan.services if (c := gcloud_command(sp))]
    commands += [c for step in plan.manual for c in step.commands]
    return tuple(dict.fromkeys(commands))


def _unique(items: list[Unverified]) -> tuple[Unverified, ...]:
    seen: dict[tuple[str, str], Unverified] = {}
    for item in items:
        seen.setdefault((item.service, item.target), item)
    return tuple(sorted(seen.values(), key=lambda u: (u.service, u.target)))


NOT_CHECKED = "configuration not checked: run `drift check --probe` to tie it to drift"


def attach_causes(
    profile: Profile, probes: list[ProbeResult], findings: list[Finding], *, checked: bool = True
) -> tuple[list[ProbeResult], list[Finding]]:
    """Tie each failed probe to the drift on its service that can explain it, and turn it
    into a `probe.*` finding. Without a check (`drift probe`), nothing is claimed."""
    no_cause = NOT_CONFIGURATION if checked else NOT_CHECKED
    out: list[ProbeResult] = []
    extra: list[Finding] = []
    for result in probes:
        if result.ok:
            out.append(result)
            continue
        suspects = sorted(
            (
                f
                for f in findings
                if f.service == result.service
                and f.counted
                and f.severity is not Severity.INFO
                and f.rule in _CAUSE_RANK
            ),
            key=lambda f: (_CAUSE_RANK[f.rule], f.target),
        )
        causes = tuple(dict.fromkeys(f.id for f in suspects))
        detail = result.detail if causes else f"{result.detail}; {no_cause}"
        result = replace(result, suspected_causes=causes, detail=detail)
        out.append(result)
        spec = profile.services[result.service].probe
        rule = result.outcome.rule
        assert rule is not None and spec is not None
        suspects_text = (
            "suspected cause: " + ", ".join(f"{f.rule} {f.target}" for f in suspects[:3])
            if suspects
            else no_cause
        )
        extra.append(
            Finding(
                id=finding_id(profile.environment, result.service, rule, "probe"),
                rule=rule,
                severity=Severity.ERROR,
                service=result.service,
                revision=result.revision,
                target="probe",
                message=f"WebSocket probe of {result.url}: {result.detail}; {suspects_text}",
                expected=f"handshake accepted, open for {spec.hold:g}s",
                actual=_probe_actual(result),
                location=spec.location,
            )
        )
    return out, extra


def _probe_actual(result: ProbeResult) -> str:
    if result.close_code is not None:
        return f"closed {result.close_code}" + (
            f" ({result.close_reason})" if result.close_reason else ""
        )
    if result.http_status is not None:
        return f"HTTP {result.http_status}"
    return result.outcome.value
