"""The `env.*` rules on one revision: each rule of the profile against the variable the revision
has, then the variables the profile does not name."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence

from drift.credentials import credential_shaped, hidden_plain, looks_like_credential
from drift.diff.context import At
from drift.diff.describe import describe_live, describe_rule, mask_plain
from drift.diff.same_as import same_as_findings
from drift.diff.suggest import pairs, told_apart
from drift.diff.unexpected import level, unexpected_vars
from drift.findings import Finding, Location, Severity, Unverified
from drift.live.model import ContainerConfig, EnvVar
from drift.live.secret_state import BINARY
from drift.live.state import LiveState
from drift.profiles.model import ContainerRules, Profile, VarRule, re2_search
from drift.redact import CHANGED, MASK


def env_findings(at: At, only: str | None = None) -> Iterator[Finding]:
    """Each container's rules (the main one, then the sidecars the profile names) against the
    variables that container has; then every plain variable no rule names, in any container,
    whose value looks like a credential (whatever `unexpected_env` says). `only`: the findings
    on that target alone (`env.NAME`, `container.NAME`), the others not looked for, nor a
    "did you mean" (`since` follows a drift by its rule and target: `engine.JUDGES`)."""
    wants, wants_var = judging(only), _judging_vars(only)
    ruled: set[str] = set()
    kind = at.ctx.service.kind
    for rules in at.rules:
        name = rules.name if rules.name is not None else at.config.primary
        container = at.config.named(name)
        # a sidecar, or the `container:` the service names, that the revision does not have
        absent = bool(name) and not at.config.has(name)
        if absent and wants(f"container.{name}"):
            yield _no_container(at, name, rules.location)
        env, expected = container.env, rules.env
        if not (own := at.config.sets_itself(kind, name)).isdisjoint(expected):
            # what Cloud Run sets in this container itself: not judged (`reserved_vars`)
            expected = {k: r for k, r in expected.items() if k not in own}
        # Most variables are as stated and none is unexpected: the typo pairs (which compare
        # every missing name with every unexpected one) are made only when a finding says them.
        unstated = [
            rule
            for rule in expected.values()
            if wants_var(rule.name) and not _as_stated(container, rule)
        ]
        others = _others(at, rules, name)
        named = {*expected, *(v for r in others for v in r.env)} if others else expected
        extra = [v for v in env if v not in named and wants_var(v)]
        missing = [r.name for r in unstated if r.must_exist and r.name not in env]
        typos = pairs(missing, extra) if missing and extra and only is None else {}
        for rule in unstated:
            yield from _var(at, container, rule, absent, typos.get(rule.name))
        if absent or name in ruled:  # what no rule names: said once per container
            continue
        ruled.add(name)
        yield from _plain_credentials(at, container, extra, rules.location)
        sets = (rules, *others)
        strictness = level(*(r.unexpected_env for r in sets))
        yield from unexpected_vars(
            at, container, extra, strictness, rules.location, sets=sets, typos=typos
        )
    # a revision without a container the profile names (`container.missing`): which of its
    # containers the profile means cannot be told, and none is judged unnamed (helper-540 F6)
    gone = any(r.name is not None and not at.config.has(r.name) for r in at.ctx.service.containers)
    # nor where no container is the one `env` describes (`At.rules`): its `unexpected_env`
    # is that container's
    strictness = 0 if gone or at.config.undescribed else level(at.ctx.service.unexpected_env)
    for container in at.config.containers:
        if container.name not in ruled:  # a sidecar the profile says nothing about
            where, judged = at.ctx.service.location, [v for v in container.env if wants_var(v)]
            yield from _plain_credentials(at, container, judged, where)
            yield from unexpected_vars(at, container, judged, strictness, where)


def judging(only: str | None) -> Callable[[str], bool]:
    """Whether a target is judged where a rule looks only for the findings on `only` (None:
    every one)."""
    return (lambda _: True) if only is None else only.__eq__


def _judging_vars(only: str | None) -> Callable[[str], bool]:
    """`judging(only)` of a variable's target (`env.NAME`), by its name: no target made for
    each variable of each revision `since` judges (only the one it follows is)."""
    if only is None:
        return lambda _: True
    return only.removeprefix("env.").__eq__ if only.startswith("env.") else lambda _: False


def _others(at: At, rules: ContainerRules, name: str) -> list[ContainerRules]:
    """The profile's other rule sets for the same container: `containers:` may name the one
    `env` describes (which container has the port is the revision's to say, not the
    profile's), and a variable either names is named."""
    sets = at.ctx.service.containers
    if len(sets) == 1:
        return []
    primary = at.config.primary
    return [
        r for r in sets if r is not rules and (r.name if r.name is not None else primary) == name
    ]


def _plain_credentials(
    at: At, container: ContainerConfig, names: Iterable[str], location: Location
) -> Iterator[Finding]:
    """`env.plaintext_secret` (warning) for each plain variable of `names` whose value alone
    is shaped like a credential (a private key, a provider's token, a URL with a password:
    `credential_shaped`; not the variable's name, which no rule here vouches for)."""
    for var_name in sorted(names):
        var = container.env[var_name]
        if var.ref is None and var.value is not None and credential_shaped(var.value):
            yield at.finding(
                "env.plaintext_secret",
                f"env.{var_name}",
                f"{var_name} on {at.on(container.name)} holds a plain value that looks like a "
                "credential; store it in Secret Manager",
                location=location,
                expected="a Secret Manager reference",
                actual=MASK,
                severity=Severity.WARNING,
                container=container.name,
            )


def _as_stated(container: ContainerConfig, rule: VarRule) -> bool:
    """The usual case, decided at once: the variable holds exactly the reference or the value
    the rule states, and no constraint or `same_as` needs its value (`_var` finds nothing)."""
    if rule.forbidden or rule.same_as is not None or rule.constrained:
        return False
    live = container.env.get(rule.name)
    if live is None:
        return False
    expected = rule.ref
    if expected is not None:  # (most often the very same object: `refs.one_ref`)
        return live.ref is expected or live.ref == expected
    return rule.value is not None and live.holds(rule.value)


def _no_container(at: At, name: str, location: Location) -> Finding:
    """A container the profile names that the revision does not have: said once, since its
    forbidden and optional rules cannot fail where it is not (the variables it requires are
    each `env.missing`)."""
    has = ", ".join(c.name for c in at.config.containers) or "none"
    return at.finding(
        "container.missing",
        f"container.{name}",
        f"{at.where} has no container {name} (it has {has}): its rules were checked against "
        "nothing",
        location=location,
        expected=f"a container named {name}",
        actual=has,
        container=name,  # the one it is about, not the ingress container (helper-537 F7)
        scoped=False,  # its id as it always was: the target names it
    )


def _var(
    at: At,
    container: ContainerConfig,
    rule: VarRule,
    absent: bool = False,
    typo: str | None = None,
) -> Iterator[Finding]:
    """`typo`: a variable the revision has and the profile does not name, close to this
    one's name (said in the `env.missing` message)."""
    live = container.env.get(rule.name)
    target = f"env.{rule.name}"

    def where() -> str:  # in words, only for a finding: most variables have none
        if absent:
            return f"{at.where} (container {container.name}, which the revision does not have)"
        return at.on(container.name)

    def finding(
        kind: str,
        message: str,
        actual: str | None,
        *,
        expected: str | None = None,
        severity: Severity | None = None,
        failed: tuple[str, ...] = (),
    ) -> Finding:
        return at.finding(
            kind,
            target,
            message,
            location=rule.location,
            expected=expected if expected is not None else describe_rule(rule),
            actual=actual,
            severity=severity or rule.severity,
            container=container.name,
            failed=failed,
        )

    if rule.forbidden:
        if live is not None:
            yield finding(
                "env.forbidden",
                f"{rule.name} is set on {where()} but the profile forbids it",
                describe_live(live, secret=at.ctx.never_shown(live)),
                expected="absent",
            )
        return
    if live is None:
        if rule.must_exist:
            shown, typo, apart = told_apart(rule.name, typo)
            message = f"{shown} is not set on {where()}"
            if typo:
                message += f"; did you mean {typo}? (it is set, and the profile does not name it"
                message += f"{apart})"
            yield finding("env.missing", message, None)
        return
    expected = rule.ref
    if expected is not None:
        if live.ref is None:
            yield finding(
                "env.plaintext_secret",
                f"{rule.name} is a plain value on {where()}; expected a reference to {expected}",
                MASK,
            )
            return
        if at.ctx.same_ref(expected, live.ref) is False:  # None: unverified (`unknown_refs`)
            yield finding(
                "env.secret_ref",
                f"{rule.name} on {where()} references {live.ref} instead of {expected}",
                str(live.ref),
            )
    elif rule.value is not None:
        if live.ref is not None:
            yield finding(
                "env.value",
                f"{rule.name} references a secret on {where()}; expected a plain value",
                str(live.ref),
            )
        elif not live.holds(rule.value):
            # as written: Cloud Run expands no `$(NAME)` (`EnvVar.holds`)
            secret = live.sensitive or at.ctx.inlined(live)
            secret = secret or _stated_credential(rule.name, rule.value)
            hidden = at.ctx.never_shown(live)  # a password another variable held: `***`
            shown = CHANGED if secret else mask_plain(rule.name, live.value or "", secret=hidden)
            message = f"{rule.name} on {where()} differs from the profile"
            yield finding("env.value", message, shown)
    if live.ref is None and rule.secret is None and live.value is not None:
        if rule.value is None and hidden_plain(rule.name, live.value):
            yield finding(
                "env.plaintext_secret",
                f"{rule.name} on {where()} holds a plain value that looks like a credential; "
                "store it in Secret Manager",
                MASK,
                expected="a Secret Manager reference",
                severity=Severity.WARNING,
            )
    value = at.ctx.value(live) if rule.constrained else None
    if value is not None:
        failures = _constraints(rule, value)
        if failures:
            hidden = live.ref is not None or live.sensitive or at.ctx.never_shown(live)
            shown = mask_plain(rule.name, value, secret=hidden)
            # the version read, as the secret-state findings name it: another version failing
            # alike is another value (a baseline's `updated`, revbase92 L1), never its words
            info = at.ctx.state.versions.get(live.ref) if live.ref is not None else None
            read = (f"version {info.resolved}",) if info is not None and info.resolved else ()
            yield finding(
                "env.constraint",
                f"{rule.name} on {where()} " + "; ".join(failures),
                shown,  # masked for a secret: `failed` tells one failure from another
                failed=(*failures, *read),
            )
    if rule.same_as is not None:
        yield from same_as_findings(at, rule, live, container.name)


@functools.lru_cache(maxsize=1024)
def _stated_credential(name: str, value: str) -> bool:
    """`looks_like_credential` of a value the profile states, once a rule: `since` asks it on
    each older revision whose value differs (the same rule, hundreds of revisions a service)."""
    return looks_like_credential(name, value)


VALUE_RULES = ("env.value", "env.constraint", "env.inconsistent")
"""The findings on a plain variable that hang on its value (`judges_value`); the others
(`env.forbidden`, `env.missing`, `env.unexpected`, `env.plaintext_secret` where a reference
is expected) on its name and shape alone."""


def judges_value(rule: VarRule) -> bool:
    """Whether a rule judges a plain variable's value (a value stated, a constraint, a
    `same_as`: `VALUE_RULES`), not only its name or shape (forbidden, required, a secret
    reference expected)."""
    if rule.ref is not None or rule.forbidden:
        return False
    return rule.constrained or rule.same_as is not None or rule.value is not None


def stated_vars(
    profile: Profile, names: Sequence[str], state: LiveState
) -> Iterator[tuple[str, VarRule, EnvVar]]:
    """Each variable rule of the workloads `names` with the variable it meets, in the container
    it describes, on every revision checked: (workload key, rule, variable)."""
    for name in names:
        live = state.services.get(name)
        revisions = live.checked if live is not None else ()
        for rules, config in (
            (r, v.config) for r in profile.services[name].containers for v in revisions
        ):
            container = config.named(rules.name if rules.name is not None else config.primary)
            for rule in rules.env.values():
                if (var := container.env.get(rule.name)) is not None:
                    yield name, rule, var


def reserved_vars(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    """Each rule on a variable Cloud Run sets itself in the container it describes, which
    turns out to be the one requests reach (PORT: a profile may state it for the container
    `container:` or `containers:` names, a sidecar reading its own; `Kind.sets_env`): no
    template may hold it, so it is neither judged nor written. Not verified, never clean."""
    out: dict[tuple[str, str], Unverified] = {}
    for name in names:
        live = state.services.get(name)
        service = profile.services[name]
        for rules, config in (
            (r, v.config) for r in service.containers for v in (live.checked if live else ())
        ):
            container = rules.name if rules.name is not None else config.primary
            for var in sorted(config.sets_itself(service.kind, container) & rules.env.keys()):
                why = (
                    f"Cloud Run sets {var} itself in {container}, the container requests reach "
                    "(the container runtime contract), and no template may hold it: the rule is "
                    f"not judged there; state {var} only for a sidecar that reads its own"
                )
                out.setdefault((name, f"env.{var}"), Unverified.at(name, f"env.{var}", why))
    return list(out.values())


def _constraints(rule: VarRule, value: str) -> list[str]:
    if value.startswith(BINARY):
        return ["is not UTF-8 text (the profile's constraints are on text)"]
    failures = []
    if rule.pattern is not None and not re2_search(rule.pattern, value):
        failures.append(f"does not match {rule.pattern}")
    if rule.not_values and value in rule.not_values:
        failures.append("has a value the profile rules out")
    if rule.one_of and value not in rule.one_of:
        failures.append("is not one of " + ", ".join(rule.one_of))
    if rule.min_length is not None and len(value) < rule.min_length:
        failures.append(f"is shorter than {rule.min_length} characters")
    return failures
