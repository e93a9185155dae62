"""Plain values that are secrets, remembered (`redact.register`) as soon as they are read."""

from __future__ import annotations

from drift import credentials, redact
from drift.live.model import LiveService, RevisionConfig
from drift.profiles.model import ServiceProfile


def remember_plain_secrets(profile: ServiceProfile, live: LiveService) -> None:
    """Register every plain value of `live` that must not be shown, before anything describes
    it, so that every path masks it wherever it appears (a finding, a copy in another
    variable, a plan, a rollback, a server's refusal quoting it): the values of variables
    the profile says must be secrets (SPEC Findings: "any plain value that is expected to be
    a secret"), and values shaped like credentials (README "What drift never shows")."""
    for config in live.configs:
        remember_config(profile, config)


def remember_config(profile: ServiceProfile, config: RevisionConfig) -> None:
    """`remember_plain_secrets` for one configuration (a revision `drift history` lists)."""
    # the main rules (`env`, whatever `container:` names) are those of the revision's main
    # container whatever it was called then (`RevisionConfig.described`), sidecars' by name;
    # `containers:` may name that container too, and a variable either expects to be a secret
    # is one (`drift.diff.env._others`): every rule set is kept, none replaces another
    secrets: dict[str, set[str]] = {}
    named = [(config.described, profile.main), *profile.sidecars.items()]
    for name, r in named:
        held = secrets.setdefault(name, set())
        held.update(v for v, rule in r.env.items() if rule.expects_secret)
    for container in config.containers:
        expected = secrets.get(container.name, set())
        for var in container.env.values():
            if var.ref is not None or not var.value:
                continue
            secret = var.name in expected
            # shaped like a credential, not merely named like one: `SECRET_PROJECT=acme-chat`
            # is masked as its own variable's value, never wherever `acme-chat` appears
            pieces = credentials.credential_pieces(var.value)
            if secret or pieces:
                redact.register(var.value)
            for piece in pieces:  # each one too (of `--db-password=…`, its value), wherever
                redact.register(piece)
