"""Plain values that are secrets, remembered (`redact.register`) as soon as they are read."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence

from drift import credentials, redact
from drift.live.history import every_revision
from drift.live.model import LiveService, RevisionVariables
from drift.live.state import RevisionRecord
from drift.profiles.model import ServiceProfile


def remember_plain_secrets(profile: ServiceProfile, live: LiveService) -> None:
    """Register every plain value of `live` that must not be shown, before anything describes
    it, so that every path masks it wherever it appears (a finding, a copy in another
    variable, a plan, a rollback, a server's refusal quoting it): the values of variables
    the profile says must be secrets (SPEC Findings: "any plain value that is expected to be
    a secret"), values shaped like credentials (README "What drift never shows"), and the
    plain values of a variable that is a secret reference in another configuration read
    (`remember_inlined`: a traffic split, the template against a serving revision)."""
    for config in live.configs:
        remember_config(profile, config.variables)
    remember_inlined(c.variables for c in live.configs)


def remember_history(live: LiveService | None, records: Sequence[RevisionRecord]) -> None:
    """`remember_inlined` over everything read of one workload: what is checked (`live`: its
    template and reachable revisions) and its older revisions (`records`, read for `since`
    or listed by `drift history`, the deleted ones Cloud Run still lists too:
    `drift.live.history.every_revision`), as soon as they are read."""
    older = every_revision(records)
    read = (c.variables for c in (live.configs if live is not None else ()))
    remember_inlined((*read, *(r.variables for r in older)))


def referenced(configs: Iterable[RevisionVariables]) -> frozenset[str]:
    """The variables that are a Secret Manager reference in some configuration of `configs`
    (in any container: a renamed container keeps its secrets)."""
    return frozenset(
        var.name
        for config in configs
        for container in config.containers
        for var in container.env.values()
        if var.ref is not None
    )


def inlined(configs: Iterable[RevisionVariables]) -> Iterator[str]:
    """The plain values, in any configuration of `configs`, of a variable that is a secret
    reference in one of them: a value that replaces (or is replaced by) a reference is very
    likely that secret's value pasted in, which drift never shows (SPEC: no secret value in
    any output), whether or not anything reads the secret. The one rule `drift check` and
    `drift history` (`drift.history.changes.Masking`) both apply."""
    configs = tuple(configs)
    names = referenced(configs)
    if not names:
        return
    for config in configs:
        for container in config.containers:
            for var in container.env.values():
                if var.ref is None and var.value and var.name in names:
                    yield var.value


def remember_inlined(configs: Iterable[RevisionVariables]) -> None:
    """Register each value `inlined` finds (`redact.register`)."""
    for value in inlined(configs):
        redact.register(value)


def remember_config(profile: ServiceProfile, config: RevisionVariables) -> None:
    """`remember_plain_secrets` for one configuration (a revision `drift history` lists)."""
    remember_configs(profile, (config,))


def remember_configs(
    profile: ServiceProfile,
    configs: Iterable[RevisionVariables],
    secret: Callable[[str], bool] | None = None,
) -> None:
    """`remember_config` of each of `configs` (a service's revisions `drift history` lists),
    each variable's value judged once where revisions repeat it; `secret`: the names whose
    plain values are registered too (`drift.history.changes.Masking.secret`)."""
    # a variable any of the profile's rule sets (the main `env`, each sidecar's) expects to be
    # a secret is one in every container of the revision: a sidecar renamed since, a variable
    # moved between the main container and a sidecar keep it (helper-619 F1, helper-622; as
    # `drift.history.changes.Masking` masks it); more hidden, never less
    rules = [profile.main, *profile.sidecars.values()]
    expected = {v for r in rules for v, rule in r.env.items() if rule.expects_secret}
    done: set[tuple[str, str]] = set()
    for config in configs:
        for container in config.containers:
            for var in container.env.values():
                if var.ref is not None or not var.value or (var.name, var.value) in done:
                    continue
                done.add((var.name, var.value))
                secret_here = var.name in expected or (secret is not None and secret(var.name))
                # shaped like a credential, not merely named like one: `SECRET_PROJECT=acme-chat`
                # is masked as its own variable's value, never wherever `acme-chat` appears
                pieces = _pieces(var.value)
                if secret_here or pieces:
                    redact.register(var.value)
                for piece in pieces:  # each one too (of `--db-password=…`, its value), wherever
                    redact.register(piece)


@functools.lru_cache(maxsize=8192)
def _pieces(value: str) -> tuple[str, ...]:
    """`credentials.credential_pieces`, once a value: a history repeats most values in each
    revision."""
    return tuple(credentials.credential_pieces(value))
