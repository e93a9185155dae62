"""The minimal patch per service that repairs fixable drift, and the manual steps (with the
exact command) for what no patch can fix."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drift.errors import ExitCode
from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS
from drift.findings import Finding, finding_id
from drift.fix.base import Base, fix_base
from drift.fix.model import Action, EnvChange, ManualStep, Plan, ServicePlan, SettingChange
from drift.live.model import EnvVar, LiveService, LiveState, SecretRef, VersionState
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.report import Report
from drift.rules import FIXABLE

if TYPE_CHECKING:
    from drift.check import CheckResult
    from drift.settings import Settings


@dataclass(frozen=True)
class Planned:
    check: CheckResult
    plan: Plan
    patched: dict[str, Any]
    """The patched run_v2.Service of each service with a patch (for `--format yaml`)."""
    bases: dict[str, Base] = field(default_factory=dict)
    """What a fix of each service builds on (SPEC invariant 8)."""

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
    against what serves (or the template, `from_template`)."""
    from drift.check import run_check
    from drift.fix.patch import patched_template

    result = await run_check(profile, settings, services=services, environ=environ, today=today)
    bases = {
        name: fix_base(live, from_template=from_template)
        for name, live in result.state.services.items()
    }
    plan = build_plan(profile, result.report.services, result.state, result.report, bases)
    patched = {
        sp.service: patched_template(
            result.state.services[sp.service].source,
            sp,
            profile.services[sp.service].container,
            clear_name=False,
        )
        for sp in plan.services
        if sp.has_patch
    }
    return Planned(result, plan, patched, bases)


def build_plan(
    profile: Profile,
    names: Iterable[str],
    state: LiveState,
    report: Report,
    bases: Mapping[str, Base] | None = None,
) -> Plan:
    services = []
    for name in names:
        live = state.services.get(name)
        findings = [f for f in report.active if f.service == name]
        if live is None:
            if name in state.missing:
                services.append(
                    ServicePlan(
                        service=name,
                        full_name="",
                        etag="",
                        region=profile.region,
                        project=profile.project,
                        revision="",
                        manual=(
                            ManualStep(
                                "service",
                                f"service {name} does not exist: deploy it first",
                                (
                                    f"gcloud run deploy {name} --image IMAGE "
                                    f"--project {profile.project} --region {profile.region}",
                                ),
                            ),
                        ),
                    )
                )
            continue
        base = (bases or {}).get(name)
        services.append(_service_plan(profile, profile.services[name], live, state, findings, base))
    unverified = tuple(f"{u.service} {u.target}: {u.reason}" for u in report.unverified)
    return Plan(profile.environment, profile.project, profile.region, tuple(services), unverified)


def _service_plan(
    profile: Profile,
    service: ServiceProfile,
    live: LiveService,
    state: LiveState,
    findings: list[Finding],
    base: Base | None = None,
) -> ServicePlan:
    """Patch what the fix builds on (what serves, or the template) towards the profile; what
    cannot be patched becomes manual."""
    template = base.config if base is not None else live.template
    env: list[EnvChange] = []
    manual: list[ManualStep] = []
    cmd = _Commands(profile, service.name)
    account = template.settings.get("service_account", DEFAULT_SERVICE_ACCOUNT)
    for rule in service.env.values():
        current = template.env.get(rule.name)
        change = _env_change(rule, current)
        if change is None:
            if rule.must_exist and current is None:
                manual.append(
                    ManualStep(
                        f"env.{rule.name}",
                        f"{rule.name} is missing and the profile states no value to set",
                        (cmd.update(f"--update-env-vars {rule.name}=VALUE"),),
                    )
                )
            continue
        if change.ref is not None:
            blocker = _secret_blocker(change.ref, state, str(account), cmd)
            if blocker is not None:
                manual.append(blocker)
                continue
        env.append(change)
    settings = [
        SettingChange(s.name, template.settings.get(s.name), s.value)
        for s in service.settings.values()
        if not FIELDS[s.name].same(s.value, template.settings.get(s.name))
    ]
    patched = {f"env.{c.name}" for c in env} | {f"setting.{c.name}" for c in settings}
    fixes = tuple(
        finding_id(profile.environment, service.name, rule, target)
        for target in sorted(patched)
        for rule in FIXABLE
        if any(f.rule == rule and f.target == target for f in findings)
    )
    for f in findings:
        if f.target in patched or f.rule.startswith("probe."):
            continue
        step = _manual_for(f, cmd, str(account))
        if step is not None and step.target not in {m.target for m in manual}:
            manual.append(step)
    return ServicePlan(
        service=service.name,
        full_name=live.full_name,
        etag=live.etag,
        region=profile.region,
        project=profile.project,
        revision=live.serving[0].name if live.serving else live.latest_ready,
        env=tuple(env),
        settings=tuple(settings),
        manual=tuple(manual),
        fixes=fixes,
        built_on=base.revision if base is not None and not base.on_template else "",
        template_differences=base.differences if base is not None else (),
        failed_template=base.failed if base is not None else "",
        from_template=base.on_template if base is not None else False,
    )


def _env_change(rule: VarRule, current: EnvVar | None) -> EnvChange | None:
    if rule.forbidden:
        return EnvChange(Action.REMOVE, rule.name, current) if current is not None else None
    if rule.secret is not None:
        wanted = SecretRef(rule.secret, rule.version)
        if current is None and rule.optional:
            return None
        if current is None or current.ref != wanted:
            return EnvChange(Action.SET_SECRET, rule.name, current, ref=wanted)
        return None
    if rule.value is not None:
        if current is None and rule.optional:
            return None
        if current is None or current.ref is not None or current.value != rule.value:
            return EnvChange(Action.SET_VALUE, rule.name, current, value=rule.value)
    return None


def _secret_blocker(
    ref: SecretRef, state: LiveState, account: str, cmd: _Commands
) -> ManualStep | None:
    """A reference can only be set when the canary will be able to read it."""
    info = state.versions.get(ref)
    if info is None:
        return ManualStep(
            f"secret.{ref.secret}",
            f"{ref} could not be verified; set the reference by hand once it is",
        )
    if info.state is VersionState.SECRET_MISSING:
        return ManualStep(
            f"secret.{ref.secret}",
            f"secret {ref.secret} does not exist: create it, then run drift fix again",
            cmd.create_secret(ref.secret),
        )
    if info.state is not VersionState.ENABLED:
        return ManualStep(
            f"secret.{ref.secret}",
            f"{ref} is {info.state.value}: enable it or add a version, then run drift fix again",
            cmd.enable(ref, info.resolved),
        )
    policy = state.policies.get(ref.secret)
    if policy is not None and account != DEFAULT_SERVICE_ACCOUNT and not policy.grants(account):
        return ManualStep(
            f"secret.{ref.secret}",
            f"{account} cannot access {ref.secret}: grant it, then run drift fix again",
            (cmd.grant(ref.secret, account),),
        )
    return None


def _manual_for(f: Finding, cmd: _Commands, account: str) -> ManualStep | None:
    name = f.target.split(".", 1)[-1]
    if f.rule in ("secret.missing",):
        return ManualStep(f.target, f.message, cmd.create_secret(name))
    if f.rule in ("secret.disabled", "secret.destroyed"):
        return ManualStep(
            f.target,
            f.message,
            (f"gcloud secrets versions add {name} --data-file=- --project {cmd.project}",),
        )
    if f.rule == "secret.no_access":
        return ManualStep(f.target, f.message, (cmd.grant(name, account),))
    if f.rule in ("env.constraint", "env.inconsistent"):
        return ManualStep(
            f.target,
            f"{f.message}: set a value that satisfies the profile",
            (cmd.update(f"--update-env-vars {name}=VALUE"),),
        )
    if f.rule == "env.plaintext_secret":
        return ManualStep(
            f.target,
            f"{f.message}",
            (
                f'printf %s "$VALUE" | gcloud secrets create SECRET --data-file=- '
                f"--project {cmd.project}",
                cmd.update(f"--remove-env-vars {name} --update-secrets {name}=SECRET:latest"),
            ),
        )
    if f.rule == "env.unexpected":
        return ManualStep(
            f.target,
            f"{f.message}: add it to the profile, or remove it",
            (cmd.update(f"--remove-env-vars {name}"),),
        )
    if f.rule == "revision.rollout":
        return ManualStep(
            f.target,
            f.message,
            (
                f"gcloud run services update-traffic {cmd.service} --to-latest "
                f"--project {cmd.project} --region {cmd.region}",
            ),
        )
    return None


@dataclass(frozen=True)
class _Commands:
    profile: Profile
    service: str

    @property
    def project(self) -> str:
        return self.profile.project

    @property
    def region(self) -> str:
        return self.profile.region

    def update(self, flags: str) -> str:
        return (
            f"gcloud run services update {self.service} {flags} "
            f"--project {self.project} --region {self.region}"
        )

    def create_secret(self, secret: str) -> tuple[str, ...]:
        return (
            f"gcloud secrets create {secret} --replication-policy=automatic "
            f"--project {self.project}",
            f'printf %s "$VALUE" | gcloud secrets versions add {secret} --data-file=- '
            f"--project {self.project}",
        )

    def enable(self, ref: SecretRef, resolved: str | None) -> tuple[str, ...]:
        version = resolved or ref.version
        return (
            f"gcloud secrets versions enable {version} --secret {ref.secret} "
            f"--project {self.project}",
        )

    def grant(self, secret: str, account: str) -> str:
        return (
            f"gcloud secrets add-iam-policy-binding {secret} "
            f"--member {shlex.quote('serviceAccount:' + account)} "
            f"--role roles/secretmanager.secretAccessor --project {self.project}"
        )
