"""The minimal patch per service that repairs fixable drift, and the manual steps (with the
command to adapt) for what no patch can fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drift.errors import ExitCode
from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS
from drift.findings import Finding, finding_id
from drift.fix.base import Base, fix_base
from drift.fix.formats.text import shell_line
from drift.fix.manual import (
    Commands,
    constraint_step,
    missing_service_step,
    rollout_step,
    secret_version_step,
)
from drift.fix.model import Action, EnvChange, ManualStep, Plan, ServicePlan, SettingChange
from drift.kinds import Kind
from drift.live.iam_policy import Grant
from drift.live.model import EnvVar, LiveService, LiveState, VersionState
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.refs import SecretRef
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
    """The patched run_v2.Service (Job, WorkerPool) of each workload with a patch, by key
    (for `--format yaml`)."""
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
    bases = {  # a job or a worker pool is patched on its template, in place: no base
        name: fix_base(live, from_template=from_template)
        for name, live in result.state.services.items()
        if live.kind is Kind.SERVICE
    }
    plan = build_plan(profile, result.report.services, result.state, result.report, bases)
    patched = {
        sp.key: patched_template(
            result.state.services[sp.key].source,
            sp,
            profile.services[sp.key].container,
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
        findings = [f for f in report.active if f.key == name]
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
        planner = _Planner(profile, profile.services[name], live, state, base)
        services.append(planner.plan(findings))
    unverified = tuple(f"{u.service} {u.target}: {u.reason}" for u in report.unverified)
    return Plan(profile.environment, profile.project, profile.region, tuple(services), unverified)


class _Planner:
    """Patch what the fix builds on (what serves, or the template with `--from-template`)
    towards the profile; what cannot be patched, or would fail if it were, becomes a manual
    step judged against what the patch leaves."""

    def __init__(
        self,
        profile: Profile,
        service: ServiceProfile,
        live: LiveService,
        state: LiveState,
        base: Base | None = None,
    ) -> None:
        self.profile, self.service, self.live, self.state = profile, service, live, state
        self.base = base
        self.template = template = base.config if base is not None else live.template
        several = len(template.containers) > 1
        self.cmd = Commands(
            profile.project,
            profile.region,
            service.name,
            template.primary if several else "",
            service.kind,
        )
        self.manual: list[ManualStep] = []

    def plan(self, findings: list[Finding]) -> ServicePlan:
        template, base = self.template, self.base
        settings = [
            SettingChange(s.name, template.settings.get(s.name), s.value)
            for s in self.service.settings.values()
            if not FIELDS[s.name].same(s.value, template.settings.get(s.name))
        ]
        account = str(template.settings.get("service_account", DEFAULT_SERVICE_ACCOUNT))
        planned_account = next(
            (str(c.after) for c in settings if c.name == "service_account"), account
        )
        env = self._env_changes(planned_account)
        after = _apply(template.env, env)
        if planned_account != account and self._unreadable(after, planned_account):
            self.manual.append(self._account_step(after, planned_account))
            settings = [c for c in settings if c.name != "service_account"]
            planned_account = account
            env = [c for c in env if c.ref is None or self._readable(c.ref, account)]
            after = _apply(template.env, env)
        patched = {f"env.{c.name}" for c in env} | {f"setting.{c.name}" for c in settings}
        fixes = [
            finding_id(self.profile.environment, self.service.key, rule, target)
            for target in sorted(patched)
            for rule in FIXABLE
            if any(f.rule == rule and f.target == target for f in findings)
        ]
        for f in findings:
            if f.target in patched or f.rule.startswith("probe."):
                continue
            step = self._manual_for(f, after, planned_account)
            if step is None and f.rule.startswith("secret."):
                fixes.append(f.id)  # the patch no longer references what was broken
            elif step is not None and step.target not in {m.target for m in self.manual}:
                self.manual.append(step)
        return ServicePlan(
            service=self.service.name,
            full_name=self.live.full_name,
            etag=self.live.etag,
            region=self.profile.region,
            project=self.profile.project,
            revision=self.live.serving[0].name if self.live.serving else self.live.latest_ready,
            env=tuple(env),
            settings=tuple(settings),
            manual=tuple(self.manual),
            fixes=tuple(dict.fromkeys(fixes)),
            containers=tuple(c.name for c in template.containers),
            primary=template.primary,
            unreleased=_unreleased(self.live),
            built_on=base.revision if base is not None and not base.on_template else "",
            template_differences=base.differences if base is not None else (),
            failed_template=base.failed if base is not None else "",
            from_template=base.on_template if base is not None else False,
            kind=self.service.kind,
        )

    def _env_changes(self, account: str) -> list[EnvChange]:
        env: list[EnvChange] = []
        for rule in self.service.env.values():
            current = self.template.env.get(rule.name)
            change = _env_change(rule, current)
            if change is None:
                if rule.must_exist and current is None:
                    self.manual.append(
                        ManualStep(
                            f"env.{rule.name}",
                            f"{rule.name} is missing and the profile states no value to set",
                            (self.cmd.set_plain(rule.name),),
                        )
                    )
                continue
            if change.ref is not None:
                blocker = self._blocker(rule.name, change.ref, account)
                if blocker is not None:
                    if blocker.target not in {m.target for m in self.manual}:
                        self.manual.append(blocker)
                    continue
            env.append(change)
        return env

    def _readable(self, ref: SecretRef, account: str) -> bool:
        """Not denied by IAM (the secret's, its project's or their parents' policies)."""
        return self.state.grant(account, ref) is not Grant.DENIED

    def _unreadable(self, env: Mapping[str, EnvVar], account: str) -> bool:
        return any(v.ref is not None and not self._readable(v.ref, account) for v in env.values())

    def _account_step(self, env: Mapping[str, EnvVar], account: str) -> ManualStep:
        """The service account the profile wants cannot read a secret the revision needs:
        setting it would make a revision that cannot start."""
        refs = sorted({v.ref.secret_ref for v in env.values() if v.ref is not None})
        missing = [r for r in refs if not self._readable(r, account)]
        return ManualStep(
            "setting.service_account",
            f"{account} cannot access {', '.join(r.key for r in missing)}: grant it, then run "
            "drift fix again to set the service account",
            tuple(self.cmd.grant(r, account) for r in missing),
        )

    def _blocker(self, name: str, ref: SecretRef, account: str) -> ManualStep | None:
        """A reference can only be set when the new revision will be able to read it."""
        info = self.state.versions.get(ref)
        target = f"secret.{ref.key}"
        if info is None:
            return ManualStep(
                target,
                f"{ref} could not be verified; set the reference by hand once it is",
                (self.cmd.repoint(name, ref, ref.version),),
            )
        if info.state is VersionState.SECRET_MISSING:
            reason = f"secret {ref.key} does not exist: create it, then run drift fix again"
            return secret_version_step(self.cmd, ref, self.state, [name], reason)
        if info.state is not VersionState.ENABLED:
            reason = f"{ref} is {info.state.value}: make it readable, then run drift fix again"
            return secret_version_step(self.cmd, ref, self.state, [name], reason)
        if not self._readable(ref, account):
            return ManualStep(
                target,
                f"{account} cannot access {ref.key}: grant it, then run drift fix again",
                (self.cmd.grant(ref, account),),
            )
        return None

    def _manual_for(self, f: Finding, env: Mapping[str, EnvVar], account: str) -> ManualStep | None:
        name = f.target.split(".", 1)[-1]
        if f.rule in ("secret.missing", "secret.disabled", "secret.destroyed"):
            bad = [
                (v.name, v.ref)
                for v in env.values()
                if v.ref is not None
                and v.ref.key == name
                and (info := self.state.versions.get(v.ref)) is not None
                and info.state is not VersionState.ENABLED
            ]
            if not bad:
                return None
            ref = bad[0][1]
            users = [n for n, r in bad if r == ref]
            return secret_version_step(self.cmd, ref, self.state, users, f.message)
        if f.rule == "secret.no_access":
            refs = [v.ref for v in env.values() if v.ref is not None and v.ref.key == name]
            if not refs or self._readable(refs[0], account):
                return None
            return ManualStep(f.target, f.message, (self.cmd.grant(refs[0], account),))
        rule = self.service.env.get(name)
        live = self.template.env.get(name)
        if f.rule in ("env.constraint", "env.inconsistent") and rule and live:
            return constraint_step(self.cmd, rule, live, f.message)
        if f.rule == "env.plaintext_secret":
            create = "printf %s <VALUE> | " + shell_line(
                ["gcloud", "secrets", "create", "<SECRET>", "--data-file=-"]
                + [f"--project={self.profile.project}"]
            )
            swap = self.cmd.update(
                f"--remove-env-vars={name}", f"--update-secrets={name}=<SECRET>:latest"
            )
            return ManualStep(f.target, f"{f.message}: move it to Secret Manager", (create, swap))
        if f.rule == "env.unexpected":
            return ManualStep(
                f.target,
                f"{f.message}: add it to the profile, or remove it",
                (self.cmd.update(f"--remove-env-vars={name}"),),
            )
        if f.rule == "revision.rollout":
            return rollout_step(self.cmd, self.live, f.target, f.message)
        if f.rule.startswith("mount."):
            path = f.target.split(".", 1)[1]
            repoint = self.cmd.update(f"--update-secrets={path}=<SECRET>:<VERSION>")
            return ManualStep(
                f.target, f"{f.message}: mount the secret the profile names", (repoint,)
            )
        return None


def _apply(env: Mapping[str, EnvVar], changes: Iterable[EnvChange]) -> dict[str, EnvVar]:
    """The primary container's variables once the changes are made."""
    out = dict(env)
    for c in changes:
        if c.action is Action.REMOVE:
            out.pop(c.name, None)
        else:
            out[c.name] = EnvVar(c.name, value=c.value, ref=c.ref)
    return out


def _unreleased(live: LiveService) -> str:
    """Why the service's (worker pool's) template is not what serves (empty when it is; a
    job's template is what its next execution runs)."""
    noun = live.kind.noun
    if live.latest_created and not live.latest_created_ready:
        return (
            f"the {noun} template's revision {live.latest_created} failed "
            f"({live.latest_created_message})"
        )
    differs = [
        r.name
        for r in live.serving
        if r.percent > 0 and r.config.fingerprint != live.template.fingerprint
    ]
    if differs:
        return f"the {noun} template differs from what serves ({', '.join(differs)})"
    return ""


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
