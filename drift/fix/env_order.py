"""Where a patch puts the variables it sets. Cloud Run expands a reference `$(NAME)` "using the
previous defined environment variables in the container" and leaves one it cannot resolve
"unchanged" (run v2 k8s_min.proto, EnvVar.value): a variable set before the one it refers to
runs with the text `$(NAME)`. A patch that set `API_URL: http://$(HOST)` in place, or added it
ahead of the `HOST` it adds too, would write exactly that, and `drift fix` reported what the
re-check then found. So a variable the plan sets is placed after the variables its value
refers to, and a variable the profile states as it runs but that comes before one it refers
to is named by the plan too (its value unchanged) and moved. No other variable moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from drift.expansion import reference_order, references
from drift.fix.model import Action, EnvChange
from drift.live.model import EnvVar
from drift.profiles.model import VarRule


def _as_set(
    env: Mapping[str, EnvVar], changes: Sequence[EnvChange]
) -> list[tuple[str, str | None]]:
    """The container's variables once the changes are made ((name, plain value as written, or
    None for a secret)), in the order the patch leaves them before any move: a changed
    variable where it was, an added one at the end (`drift.fix.patch`)."""
    out = {n: None if v.ref is not None else (v.written or v.value) for n, v in env.items()}
    for c in changes:
        if c.action is Action.REMOVE:
            out.pop(c.name, None)
        else:
            out[c.name] = c.value if c.ref is None else None
    return list(out.items())


def placed(
    env: Mapping[str, EnvVar],
    changes: Sequence[EnvChange],
    stated: Mapping[str, VarRule],
    container: str | None,
) -> list[EnvChange]:
    """One container's changes, each that moves saying what it is placed after
    (`EnvChange.placed_after`), with a change of its own for each variable the profile states
    as it runs that has to move."""
    pairs = _as_set(env, changes)
    values = dict(pairs)
    changed = {c.name for c in changes if c.action is not Action.REMOVE}
    as_stated = {
        name
        for name, rule in stated.items()
        if rule.value is not None and name in env and env[name].holds(rule.value)
    }
    _, moved = reference_order(pairs, lambda n: n in changed or n in as_stated)
    if not moved:
        return list(changes)

    def refers(name: str) -> tuple[str, ...]:
        return tuple(n for n in dict.fromkeys(references(values[name] or "")) if n in values)

    out = [replace(c, placed_after=refers(c.name)) if c.name in moved else c for c in changes]
    out += [
        EnvChange(
            Action.SET_VALUE, n, env[n], values[n], container=container, placed_after=refers(n)
        )
        for n, _ in pairs
        if n in moved and n not in changed
    ]
    return out


def in_reference_order(env: list[Any], changes: Sequence[EnvChange]) -> list[Any]:
    """`env` (run_v2 EnvVar messages, patched) with each variable a change places
    (`placed_after`) moved after the variables its value refers to, as `placed` planned it."""
    movable = {c.name for c in changes if c.placed_after}
    if not movable:
        return env
    plain = [(v.name, None if v.value_source.secret_key_ref.secret else v.value) for v in env]
    by_name = {v.name: v for v in env}
    return [by_name[n] for n in reference_order(plain, movable.__contains__)[0]]
