"""Compare a profile with live state and produce findings (every rule except `probe.*`).

Values are compared in memory; what a finding shows is masked for secrets and for plain
values that are expected to be secrets or look like credentials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace

from deepdiff import DeepDiff

from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS, text
from drift.findings import Finding, Location, Severity, finding_id
from drift.live.model import (
    EnvVar,
    LiveService,
    LiveState,
    RevisionConfig,
    SecretPolicy,
    SecretRef,
    VersionState,
)
from drift.live.normalize import config_fingerprint
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.redact import CHANGED, MASK, looks_like_credential

_UNEXPECTED_SEVERITY = {"warn": Severity.WARNING, "error": Severity.ERROR}


def describe_rule(rule: VarRule) -> str:
    """The expectation of a rule in words, never a secret value."""
    if rule.secret is not None:
        return str(SecretRef(rule.secret, rule.version))
    if rule.value is not None:
        return mask_plain(rule.name, rule.value, secret=False)
    parts = []
    if rule.pattern is not None:
        parts.append(f"matches {rule.pattern}")
    if rule.one_of:
        parts.append("one of " + ", ".join(rule.one_of))
    if rule.not_values:
        parts.append("not " + ", ".join(rule.not_values))
    if rule.min_length is not None:
        parts.append(f"at least {rule.min_length} characters")
    if rule.same_as is not None:
        parts.append("same value as {}.{}".format(*rule.same_as))
    return "; ".join(parts) or "present"


def mask_plain(name: str, value: str, *, secret: bool) -> str:
    return MASK if secret or looks_like_credential(name, value) else value


def describe_live(var: EnvVar, *, secret: bool = False) -> str:
    if var.ref is not None:
        return str(var.ref)
    return mask_plain(var.name, var.value or "", secret=secret)


@dataclass
class _Context:
    profile: Profile
    state: LiveState
    service: ServiceProfile
    live: LiveService

    def finding(
        self,
        rule: str,
        target: str,
        message: str,
        *,
        revision: str | None,
        location: Location | None,
        expected: str | None = None,
        actual: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Finding:
        return Finding(
            id=finding_id(self.profile.environment, self.service.name, rule, target),
            rule=rule,
            severity=severity,
            service=self.service.name,
            revision=revision,
            target=target,
            message=message,
            expected=expected,
            actual=actual,
            location=location,
        )


def diff(profile: Profile, names: list[str], state: LiveState, today: dt.date) -> list[Finding]:
    findings: list[Finding] = []
    for name in names:
        service = profile.services[name]
        if name in state.missing:
            findings.append(
                Finding(
                    id=finding_id(profile.environment, name, "service.missing", "service"),
                    rule="service.missing",
                    severity=Severity.ERROR,
                    service=name,
                    revision=None,
                    target="service",
                    message=f"service {name} does not exist in {profile.project}/{profile.region}",
                    expected="exists",
                    actual=None,
                    location=service.location,
                )
            )
            continue
        live = state.services.get(name)
        if live is None:
            continue  # could not be read: already unverified
        ctx = _Context(profile, state, service, live)
        findings.extend(_merge_revisions(list(_service_findings(ctx))))
    return apply_ignores(profile, findings, today)


def _service_findings(ctx: _Context) -> Iterator[Finding]:
    yield from _rollout(ctx)
    for rev in ctx.live.serving:
        yield from _env(ctx, rev.name, rev.config)
        yield from _secrets(ctx, rev.name, rev.config)
        yield from _settings(ctx, rev.name, rev.config)


def _merge_revisions(findings: list[Finding]) -> list[Finding]:
    """The same drift on several serving revisions is one finding naming them all."""
    merged: dict[tuple[str, str, str | None, str | None], Finding] = {}
    others: dict[tuple[str, str, str | None, str | None], list[str]] = {}
    for f in findings:
        key = (f.rule, f.target, f.expected, f.actual)
        if key in merged:
            others[key].append(f.revision or "")
        else:
            merged[key] = f
            others[key] = []
    out = []
    for key, f in merged.items():
        if others[key]:
            f = replace(f, message=f"{f.message} (also on {', '.join(others[key])})")
        out.append(f)
    return out


def _rollout(ctx: _Context) -> Iterator[Finding]:
    live = ctx.live
    primary = live.serving[0].name if live.serving else None
    failed = not live.latest_created_ready and bool(live.latest_created)
    if failed:
        serving = f"traffic stays on {primary}" if primary else "no revision serves traffic"
        yield ctx.finding(
            "revision.rollout",
            f"revision.{live.latest_created}",
            f"latest created revision {live.latest_created} is not ready "
            f"({live.latest_created_message}); {serving}",
            revision=primary,
            location=ctx.service.location,
            expected="latest created revision ready",
            actual="not ready",
        )
    template = config_fingerprint(live.template)
    for rev in live.serving:
        delta = DeepDiff(template, config_fingerprint(rev.config), ignore_order=True)
        if not delta:
            continue
        paths = sorted({_diff_path(p) for p in delta.affected_paths})
        yield ctx.finding(
            "revision.rollout",
            f"revision.{rev.name}",
            f"{rev.name} serves {rev.percent}% of traffic with a configuration that differs "
            f"from the service template ({', '.join(paths)})",
            revision=rev.name,
            location=ctx.service.location,
            expected="serving revisions match the template",
            actual=f"{len(live.serving)} serving revisions",
            severity=Severity.WARNING,
        )
    unread = any(u.service == ctx.service.name for u in ctx.state.unverified)
    if not live.serving and not failed and not unread:
        yield ctx.finding(
            "revision.rollout",
            "revision.serving",
            "no revision serves traffic",
            revision=None,
            location=ctx.service.location,
            expected="a serving revision",
            actual=None,
        )


def _diff_path(path: str) -> str:
    """`root['env']['FOO']` -> `env.FOO`."""
    parts = [p.strip("'\"") for p in path.replace("root", "", 1).strip("[]").split("][")]
    return ".".join(parts[:2])


def _env(ctx: _Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
    for rule in ctx.service.env.values():
        yield from _var(ctx, revision, config, rule)
    level = _UNEXPECTED_SEVERITY.get(ctx.service.unexpected_env)
    if level is None:
        return
    for name, var in sorted(config.env.items()):
        if name in ctx.service.env:
            continue
        yield ctx.finding(
            "env.unexpected",
            f"env.{name}",
            f"{name} is set on {revision} but the profile does not name it",
            revision=revision,
            location=ctx.service.location,
            expected=None,
            actual=describe_live(var),
            severity=level,
        )


def _var(ctx: _Context, revision: str, config: RevisionConfig, rule: VarRule) -> Iterator[Finding]:
    live = config.env.get(rule.name)
    target = f"env.{rule.name}"

    def finding(
        kind: str,
        message: str,
        actual: str | None,
        *,
        expected: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return ctx.finding(
            kind,
            target,
            message,
            revision=revision,
            location=rule.location,
            expected=expected if expected is not None else describe_rule(rule),
            actual=actual,
            severity=severity or rule.severity,
        )

    if rule.forbidden:
        if live is not None:
            yield finding(
                "env.forbidden",
                f"{rule.name} is set on {revision} but the profile forbids it",
                describe_live(live),
                expected="absent",
            )
        return
    if live is None:
        if rule.must_exist:
            yield finding("env.missing", f"{rule.name} is not set on {revision}", None)
        return
    if rule.secret is not None:
        expected = SecretRef(rule.secret, rule.version)
        if live.ref is None:
            yield finding(
                "env.plaintext_secret",
                f"{rule.name} is a plain value on {revision}; expected a reference to {expected}",
                f"{MASK} (plain value)",
            )
            return
        if live.ref != expected:
            yield finding(
                "env.secret_ref",
                f"{rule.name} references {live.ref} instead of {expected}",
                str(live.ref),
            )
    elif rule.value is not None:
        if live.ref is not None:
            yield finding(
                "env.value",
                f"{rule.name} references a secret on {revision}; expected a plain value",
                str(live.ref),
            )
        elif live.value != rule.value:
            secret = looks_like_credential(rule.name, rule.value)
            shown = CHANGED if secret else mask_plain(rule.name, live.value or "", secret=False)
            yield finding(
                "env.value",
                f"{rule.name} on {revision} differs from the profile",
                shown,
            )
    if live.ref is None and rule.secret is None and live.value is not None:
        if looks_like_credential(rule.name, live.value) and rule.value is None:
            yield finding(
                "env.plaintext_secret",
                f"{rule.name} on {revision} holds a plain value that looks like a credential; "
                "store it in Secret Manager",
                f"{MASK} (plain value)",
                expected="a Secret Manager reference",
                severity=Severity.WARNING,
            )
    value = _value(ctx, live)
    if value is not None:
        failures = _constraints(rule, value)
        if failures:
            shown = MASK if live.ref is not None else mask_plain(rule.name, value, secret=False)
            yield finding(
                "env.constraint",
                f"{rule.name} on {revision} " + "; ".join(failures),
                shown,
            )
    if rule.same_as is not None:
        yield from _same_as(ctx, revision, rule, live)


def _value(ctx: _Context, var: EnvVar) -> str | None:
    if var.ref is not None:
        return ctx.state.values.get(var.ref)
    return var.value


def _constraints(rule: VarRule, value: str) -> list[str]:
    import re2

    failures = []
    if rule.pattern is not None and not re2.search(rule.pattern, value):
        failures.append(f"does not match {rule.pattern}")
    if rule.not_values and value in rule.not_values:
        failures.append("has a value the profile rules out")
    if rule.one_of and value not in rule.one_of:
        failures.append("is not one of " + ", ".join(rule.one_of))
    if rule.min_length is not None and len(value) < rule.min_length:
        failures.append(f"is shorter than {rule.min_length} characters")
    return failures


def _same_as(ctx: _Context, revision: str, rule: VarRule, live: EnvVar) -> Iterator[Finding]:
    assert rule.same_as is not None
    other_service, other_var = rule.same_as
    other = ctx.state.services.get(other_service)
    if other is None or not other.serving:
        return
    theirs = other.serving[0].config.env.get(other_var)
    if theirs is None:
        return  # reported as missing on the other service
    if live.ref is not None and live.ref == theirs.ref:
        return
    mine_value, their_value = _value(ctx, live), _value(ctx, theirs)
    if mine_value is None or their_value is None:
        return  # unreadable: the secret is reported as unverified or not enabled
    if mine_value != their_value:
        yield ctx.finding(
            "env.inconsistent",
            f"env.{rule.name}",
            f"{rule.name} on {revision} does not hold the same value as "
            f"{other_service}.{other_var} (compared by value, not shown)",
            revision=revision,
            location=rule.location,
            expected=f"same value as {other_service}.{other_var}",
            actual=CHANGED,
            severity=rule.severity,
        )


def _secrets(ctx: _Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
    by_secret: dict[str, list[EnvVar]] = {}
    for var in config.env.values():
        if var.ref is not None:
            by_secret.setdefault(var.ref.secret, []).append(var)
    for secret, variables in sorted(by_secret.items()):
        names = ", ".join(v.name for v in variables)
        rule = next((ctx.service.env[v.name] for v in variables if v.name in ctx.service.env), None)
        location = rule.location if rule else ctx.service.location
        target = f"secret.{secret}"
        for var in variables:
            assert var.ref is not None
            info = ctx.state.versions.get(var.ref)
            if info is None or info.state is VersionState.ENABLED:
                continue
            version = var.ref.version
            if info.resolved and info.resolved != version:
                version = f"{version} (version {info.resolved})"
            if info.state is VersionState.SECRET_MISSING:
                rule_id, text = "secret.missing", f"secret {secret} does not exist"
            elif info.state is VersionState.MISSING:
                rule_id, text = "secret.missing", f"version {version} of {secret} does not exist"
            elif info.state is VersionState.DESTROYED:
                rule_id, text = "secret.destroyed", f"version {version} of {secret} is DESTROYED"
            else:
                rule_id, text = "secret.disabled", f"version {version} of {secret} is DISABLED"
            yield ctx.finding(
                rule_id,
                target,
                f"{text} (referenced by {var.name} on {revision})",
                revision=revision,
                location=location,
                expected="ENABLED",
                actual=info.state.value,
            )
        policy = ctx.state.policies.get(secret)
        account = config.settings.get("service_account", "")
        if policy is None or not isinstance(account, str) or _granted(policy, account):
            continue
        yield ctx.finding(
            "secret.no_access",
            target,
            f"{account} (service account of {revision}) is not granted "
            f"roles/secretmanager.secretAccessor on {secret} (used by {names})",
            revision=revision,
            location=location,
            expected=f"{account} can access {secret}",
            actual="no accessor binding on the secret",
        )


def _granted(policy: SecretPolicy, account: str) -> bool:
    if account == DEFAULT_SERVICE_ACCOUNT:
        return any(m.endswith("-compute@developer.gserviceaccount.com") for m in policy.accessors)
    return policy.grants(account)


def _settings(ctx: _Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
    for name, setting in ctx.service.settings.items():
        expected = FIELDS[name].normalise(setting.value)
        actual = config.settings.get(name)
        if actual == expected:
            continue
        yield ctx.finding(
            "setting.value",
            f"setting.{name}",
            f"{name} on {revision} is {_fmt(actual)}, the profile says {_fmt(expected)}",
            revision=revision,
            location=setting.location,
            expected=_fmt(expected),
            actual=_fmt(actual),
        )


_fmt = text


def apply_ignores(profile: Profile, findings: list[Finding], today: dt.date) -> list[Finding]:
    """Silence matched findings; an expired ignore turns its findings into warnings."""
    out = []
    for f in findings:
        match = next((i for i in profile.ignores if i.matches(f)), None)
        if match is None:
            out.append(f)
        elif match.expired(today):
            severity = Severity.WARNING if f.severity is Severity.ERROR else f.severity
            out.append(
                replace(
                    f,
                    severity=severity,
                    message=f"{f.message} (ignore expired on {match.until}: {match.reason})",
                )
            )
        else:
            out.append(replace(f, ignored=True, ignore_reason=match.reason))
    return out
