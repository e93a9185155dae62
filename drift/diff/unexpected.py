"""`env.unexpected`: the live variables no rule names, as `unexpected_env` says (`ignore`,
`warn`, `error`), in a container the profile states rules for and in one it does not name at
all (a sidecar added after the profile was written: a debug proxy with `TESTING=1` is a live
variable the profile does not name as much as one beside the variables it does)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from drift.diff.context import At
from drift.diff.describe import describe_live
from drift.diff.suggest import told_apart
from drift.findings import Finding, Location, Severity
from drift.live.model import ContainerConfig
from drift.profiles.model import ContainerRules, UnexpectedEnv

LEVELS: tuple[UnexpectedEnv, ...] = ("ignore", "warn", "error")
"""`unexpected_env`, mildest first."""


def level(*said: UnexpectedEnv) -> int:
    """The strictest of what the rule sets `said` of a container (0: ignore)."""
    return max((LEVELS.index(s) for s in said), default=0)


def unexpected_vars(
    at: At,
    container: ContainerConfig,
    extra: Iterable[str],
    strictness: int,
    location: Location,
    *,
    sets: tuple[ContainerRules, ...] = (),
    typos: Mapping[str, str | None] | None = None,
) -> Iterator[Finding]:
    """An `env.unexpected` for each variable of `extra` in `container`; `sets`: the profile's
    rule sets of that container (none: a container the profile does not name)."""
    if not strictness:
        return
    name = container.name
    for var_name in sorted(extra):
        var = container.env[var_name]
        shown, typo, apart = told_apart(var_name, (typos or {}).get(var_name))
        if sets:
            message = f"{shown} is set on {at.on(name)} but the profile does not name it"
        else:
            message = (
                f"{shown} is set on {at.on(name)}, and the profile names no container {name} "
                f"(state its rules under `containers: {{{name}: {{env: …}}}}`, or leave its "
                "variables unjudged there with `unexpected_env: ignore`)"
            )
        if typo:
            message += f"; did you mean {typo}? (the profile expects it, and it is not set"
            message += f"{apart})"
        # SPEC's `TESTING: null`, in any rule set of this container
        null = next((r.removed_env[var_name] for r in sets if var_name in r.removed_env), None)
        if null is not None:
            message = (
                f"{var_name} is set on {at.on(name)}, and the profile removes its rule "
                f"(`{var_name}: null`); write `{var_name}: {{optional: true}}` there to "
                "allow it"
            )
        yield at.finding(
            "env.unexpected",
            f"env.{var_name}",
            message,
            location=null or location,
            expected=None,
            actual=describe_live(var, secret=at.ctx.never_shown(var)),
            severity=Severity.WARNING if strictness == 1 else Severity.ERROR,
            container=name,
        )
