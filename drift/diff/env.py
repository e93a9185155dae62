"""The `env.*` rules on one revision: each rule of the profile against the variable the revision
has, then the variables the profile does not name."""

from __future__ import annotations

from collections.abc import Iterator

from drift.diff.context import Context
from drift.diff.describe import describe_live, describe_rule, mask_plain
from drift.findings import Finding, Severity
from drift.live.model import EnvVar, RevisionConfig, SecretRef
from drift.profiles.model import VarRule
from drift.redact import CHANGED, MASK, looks_like_credential

_UNEXPECTED_SEVERITY = {"warn": Severity.WARNING, "error": Severity.ERROR}


def env_findings(ctx: Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
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


def _var(ctx: Context, revision: str, config: RevisionConfig, rule: VarRule) -> Iterator[Finding]:
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


def _value(ctx: Context, var: EnvVar) -> str | None:
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


def _same_as(ctx: Context, revision: str, rule: VarRule, live: EnvVar) -> Iterator[Finding]:
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
