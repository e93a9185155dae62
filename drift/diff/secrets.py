"""The `secret.*` rules on one revision: every secret it references, its version's state and
whether the revision's service account may access it."""

from __future__ import annotations

from collections.abc import Iterator

from drift.diff.context import Context
from drift.fields import DEFAULT_SERVICE_ACCOUNT
from drift.findings import Finding
from drift.live.model import EnvVar, RevisionConfig, SecretPolicy, VersionState


def secret_findings(ctx: Context, revision: str, config: RevisionConfig) -> Iterator[Finding]:
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
