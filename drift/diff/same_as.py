"""`same_as` (`env.inconsistent`): a variable holds the value another workload's variable holds
on every revision that serves it; the workloads such a rule compares with are read even when
only the one that names them is checked, and a comparison that could not be made is
unverified, never clean."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from drift.diff.context import At
from drift.findings import Finding, Location, Unverified
from drift.kinds import key_label, key_name
from drift.live.model import EnvVar, RevisionConfig, ServingRevision
from drift.live.state import LiveState
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.redact import CHANGED


def same_as_findings(at: At, rule: VarRule, live: EnvVar, container: str) -> Iterator[Finding]:
    """One finding when the value differs from the other's on any revision that serves it
    (naming those revisions), or lacks the variable where the profile lets it be absent
    there (optional, forbidden or not named: set here, absent there, the two cannot hold one
    value); nothing when the other is not read, or lacks a variable the profile requires
    there or does not describe the other (its own `env.missing`, or `uncompared`, says
    so). The finding is
    the `container`'s (a sidecar's: its id, an ignore's `container:`, its message), as every
    other finding of a variable (`env._var`)."""
    assert rule.same_as is not None
    other_key, other_var = rule.same_as
    ctx = at.ctx
    other = ctx.state.services.get(other_key)
    if other is None:
        return
    mine = ctx.value(live)
    sides = _sides(other_key, ctx.service.key, at.revision, other.serving)
    there = ctx.profile.services.get(other_key)
    differ = []
    unset = False
    for rev in sides:
        if rev.config.undescribed:
            continue  # which container holds it cannot be told: unverified (`unknown_sides`)
        theirs = rev.config.env.get(other_var)
        if theirs is None:
            if there is not None and not required_there(there, other_var, rev.config):
                # the profile lets it be absent there, and it is set here: the two cannot
                # hold the same value (required there: its `env.missing`, or `uncompared`)
                differ.append(rev)
                unset = True
            continue
        if live.ref is not None and live.ref == theirs.ref:
            continue
        their_value = ctx.value(theirs)
        if mine is None or their_value is None:
            continue  # not known: unverified (`unknown_sides`) or this side's secret not enabled
        if mine != their_value:
            differ.append(rev)
    if not differ:
        return
    other_name = key_name(other_key)
    where = ""
    if len(sides) > 1:  # say which of its revisions (the first is no longer implied)
        where = " on " + ", ".join(f"{r.name} ({r.percent} %)" for r in differ)
    how = f"{other_name} does not set it" if unset else ""
    how += ", " if unset and len(differ) > 1 else ""
    how += "compared by value, not shown" if not unset or len(differ) > 1 else ""
    yield at.finding(
        "env.inconsistent",
        f"env.{rule.name}",
        f"{rule.name} on {at.on(container)} does not hold the same value as "
        f"{other_name}.{other_var}{where} ({how})",
        location=rule.location,
        expected=f"same value as {other_name}.{other_var}",
        actual=CHANGED,
        severity=rule.severity,
        container=container,
    )


def required_there(there: ServiceProfile, var: str, config: RevisionConfig) -> bool:
    """Whether the profile requires `var` in the container `there`'s `env` describes on
    `config` (`containers:` may name that container too: a rule either states counts)."""
    return any(
        r.env[var].must_exist
        for r in there.containers
        if (r.name is None or r.name == config.primary) and var in r.env
    )


def _sides(
    other_key: str, key: str, revision: ServingRevision, serving: Sequence[ServingRevision]
) -> Sequence[ServingRevision]:
    """The revisions whose other variable a revision's is compared with: every one serving the
    other workload; its own, when the other variable is of the same workload (both are in each
    revision's configuration: an older revision, `drift.diff.since`, is judged by its own)."""
    return (revision,) if other_key == key else serving


def _rules(profile: Profile, names: Sequence[str]) -> Iterator[tuple[str, VarRule]]:
    for name, _, rule in same_as_rules(profile, names):
        yield name, rule


def same_as_rules(
    profile: Profile, names: Sequence[str]
) -> Iterator[tuple[str, str | None, VarRule]]:
    """Each `same_as` rule of the workloads `names`: (workload, its container's name or None
    for the one serving, the rule)."""
    for name in names:
        for rules in profile.services[name].containers:
            for rule in rules.env.values():
                if rule.same_as is not None:
                    yield name, rules.name, rule


def to_read(profile: Profile, names: Sequence[str]) -> tuple[Profile, list[str]]:
    """What a check of `names` reads, and the profile to read it with: those workloads and the
    ones their `same_as` rules compare with (`--service api` reads them too; they are not
    checked or reported themselves). A service the profile does not describe (SPEC §Profiles:
    `same_as: auth.JWT_SECRET_STAGING` without `auth`) is read as one without rules, in a
    copy of the profile only the reader sees: read once with the others, no finding of its
    own, and `uncompared` when it cannot be read, does not exist or lacks the variable."""
    chosen = set(names)
    others: dict[str, Location] = {}
    for _, rule in _rules(profile, names):
        if rule.same_as is not None and rule.same_as[0] not in chosen:
            others.setdefault(rule.same_as[0], rule.location)
    read = [*names, *others]
    bare = {
        k: ServiceProfile(k, at, check_tags="none")
        for k, at in others.items()
        if k not in profile.services
    }
    if not bare:
        return profile, read
    return replace(profile, services={**profile.services, **bare}), read


def uncompared(
    profile: Profile, names: Sequence[str], read: Sequence[str], state: LiveState
) -> list[Unverified]:
    """The `same_as` rules of the workloads checked (`names`) that could not be compared: the
    other workload does not exist, could not be read (it was among those `read`), is not part
    of this check (a manifest's), or has no revision serving; or it lacks the variable and
    nothing else says so: the profile does not describe it, or requires the variable there
    but does not check it here (`--service`: its `env.missing` is not reported)."""
    out = []
    for name, rule in _rules(profile, names):
        assert rule.same_as is not None
        other_key, other_var = rule.same_as
        if name not in state.services:
            continue  # this one could not be read: already unverified
        other = state.services.get(other_key)
        if other is not None and other.serving:
            lacking = [
                r.config
                for r in other.serving
                if other_var not in r.config.env and not r.config.undescribed
            ]
            if not lacking:
                continue
            why = f"it does not set {other_var}"  # no rule of the profile's says so
            if (there := profile.services.get(other_key)) is not None:
                if other_key in names or not any(
                    required_there(there, other_var, c) for c in lacking
                ):
                    # checked: its own env.missing says so; allowed to be absent there:
                    # `same_as_findings` says so where it is set here
                    continue
                why += " (it is not checked here: its own env.missing is not reported)"
        elif other is not None:
            why = "no revision of it serves"
        elif other_key in state.missing:
            why = "it does not exist"
        elif other_key in read:
            why = "it could not be read"
        else:
            why = "it is not part of this check"
        label = key_label(other_key)
        out.append(
            Unverified.at(
                name,
                f"env.{rule.name}",
                f"same_as {label}.{other_var} not compared: {why}",
            )
        )
    return out + unknown_sides(profile, names, state)


def unknown_sides(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    """The `same_as` rules of the workloads checked whose other side was read but holds a
    value that is not known: its secret could not be read or is not enabled (when only this
    workload is checked, nothing else says so), or which of its containers holds it cannot
    be told (`_undescribed`). The comparison was not made: unverified, never clean and never
    `env.inconsistent`."""
    out: dict[tuple[str, str], Unverified] = {}
    for name, container, rule in same_as_rules(profile, names):
        assert rule.same_as is not None
        other_key, other_var = rule.same_as
        mine, other = state.services.get(name), state.services.get(other_key)
        if mine is None or other is None:
            continue  # `uncompared` says so
        for rev in mine.checked:
            live = rev.config.named(container if container is not None else rev.config.primary)
            var = live.env.get(rule.name)
            if var is None:
                continue
            sides = _sides(other_key, name, rev, other.serving)
            for side in sides:
                why = _undescribed(side.config) or _unknown(
                    state, var, side.config.env.get(other_var)
                )
                if why:
                    label = f"{key_label(other_key)}.{other_var}"
                    reason = f"same_as {label} not compared: {why}"
                    out.setdefault(
                        (name, rule.name), Unverified.at(name, f"env.{rule.name}", reason)
                    )
    return list(out.values())


def _undescribed(config: RevisionConfig) -> str:
    """Why the other side's variable cannot be told on `config` ("" when it can): its
    containers have no port and none is named (`RevisionConfig.undescribed`), so which one
    its `env` is cannot be told, nor whether it sets the variable (helper-624 F3)."""
    if not config.undescribed:
        return ""
    return (
        f"it runs {len(config.undescribed)} containers ({', '.join(config.undescribed)}), "
        "none with a port, and which one its `env` describes cannot be told: name it with "
        "`container: NAME`"
    )


def _unknown(state: LiveState, mine: EnvVar, theirs: EnvVar | None) -> str:
    """Why the other side's value is not known ("" when it is, or need not be)."""
    if theirs is None or (mine.ref is not None and mine.ref == theirs.ref):
        return ""
    if theirs.ref is not None and theirs.ref not in state.values:
        return f"the value of secret {theirs.ref} was not read"
    return ""
