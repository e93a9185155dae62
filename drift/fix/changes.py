"""What a patch does to a revision's variables: the change a variable rule asks for, in the
container it names, and the secrets the revision references once the patch is made."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drift.fix.model import Action, EnvChange
from drift.live.model import EnvVar, RevisionConfig
from drift.profiles.model import VarRule
from drift.refs import SecretRef


@dataclass(frozen=True)
class After:
    """The secrets the revision references once the patch is made: (container, variable or
    mount path, reference), in every container, volumes included."""

    uses: tuple[tuple[str, str, SecretRef], ...]


def apply_changes(template: RevisionConfig, changes: Iterable[EnvChange]) -> After:
    uses: list[tuple[str, str, SecretRef]] = []
    for container in template.containers:
        env = dict(container.env)
        for c in changes:
            if (c.container or template.primary) != container.name:
                continue
            if c.action is Action.REMOVE:
                env.pop(c.name, None)
            else:
                env[c.name] = EnvVar(c.name, value=c.value, ref=c.ref)
        uses += [(container.name, v.name, v.ref) for v in env.values() if v.ref is not None]
        uses += [(container.name, m.path, m.ref) for m in container.mounts.values()]
    return After(tuple(uses))


def env_change(rule: VarRule, current: EnvVar | None, container: str | None) -> EnvChange | None:
    if rule.forbidden:
        if current is None:
            return None
        return EnvChange(Action.REMOVE, rule.name, current, container=container)
    wanted = rule.ref  # with the project of a secret of another project
    if wanted is not None:
        if current is None and rule.optional:
            return None
        if current is None or current.ref != wanted:
            return EnvChange(Action.SET_SECRET, rule.name, current, ref=wanted, container=container)
        return None
    if rule.value is not None:
        if current is None and rule.optional:
            return None
        if current is None or not current.holds(rule.value):
            return EnvChange(
                Action.SET_VALUE, rule.name, current, value=rule.value, container=container
            )
    return None
