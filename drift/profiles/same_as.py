"""`same_as: NAME.VAR` resolved against the workloads a profile describes: the key of the one
it names, or the problem with it, at the rule's line."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from drift.errors import Problem
from drift.findings import Location
from drift.profiles.merged import Merged
from drift.profiles.model import ServiceProfile, VarRule
from drift.profiles.spec import WORKLOAD_NAME
from drift.yamldoc import Path_


def resolve_same_as(
    services: dict[str, ServiceProfile], merged: Merged
) -> dict[str, ServiceProfile]:
    """`same_as: NAME.VAR` names a workload by name: the service of that name, else the job,
    else the worker pool. Rules come out holding its key. A name the profile does not
    describe is a service read only to compare with (SPEC §Profiles: `same_as:
    auth.JWT_SECRET_STAGING` in a profile without `auth`; `drift.diff.same_as.to_read`)."""
    by_name: dict[str, str] = {}
    for key, workload in services.items():  # services first: a service wins its name
        by_name.setdefault(workload.name, key)
    out: dict[str, ServiceProfile] = {}
    for key, svc in services.items():
        env = _resolved(services, by_name, merged, key, svc, svc.env, main=True)
        sidecars = {
            name: replace(rules, env=_resolved(services, by_name, merged, key, svc, rules.env))
            for name, rules in svc.sidecars.items()
        }  # a sidecar's rule names a workload, and a variable of its rules, the same way
        # (helper-597 F5, helper-599 F2)
        out[key] = replace(svc, env=env, sidecars=sidecars)
    return out


def _resolved(
    services: dict[str, ServiceProfile],
    by_name: dict[str, str],
    merged: Merged,
    key: str,
    svc: ServiceProfile,
    rules: dict[str, VarRule],
    *,
    main: bool = False,
) -> dict[str, VarRule]:
    """`rules` (a container's of the workload `key`) with each `same_as` holding its key."""
    env = dict(rules)
    for name, rule in rules.items():
        if rule.same_as is None:
            continue
        other, var = rule.same_as
        here = f"{svc.label}.{rule.name}: same_as"
        target = by_name.get(other)
        if target is None:  # a service of the project the profile does not describe
            _outside(here, other, by_name, rule.location, merged)
            continue
        if var not in services[target].env:
            message = f"{here} names {other}.{var}, which " + _undefined(
                merged, (services[target].kind.section, other, "env", var)
            )
        elif main and (target, var) == (key, rule.name):
            message = f"{here} names itself"
        else:
            env[name] = replace(rule, same_as=(target, var))
            continue
        merged.problems.append(Problem(rule.location.file, rule.location.line, message))
    return env


def _outside(
    here: str, other: str, described: Collection[str], at: Location, merged: Merged
) -> None:
    """A `same_as` naming a workload the profile does not describe: read from the project to
    compare with, so it must be a name Cloud Run gives a service (an error); one a letter
    from a workload the profile describes is likely a typo of it, said but not an error
    (SPEC §Profiles names a service outside the profile, and `api2` beside `api` is real)."""
    if not WORKLOAD_NAME["services"].fullmatch(other):
        merged.problems.append(
            Problem(
                at.file,
                at.line,
                f"{here} names {other!r}: not a workload the profile describes, nor a Cloud "
                "Run service name (lowercase letters, digits and hyphens, starting with a "
                "letter, not ending with a hyphen, at most 63 characters)",
            )
        )
    elif close := sorted(name for name in described if _one_edit(other, name)):
        message = (
            f"{here} names {other}, a service the profile does not describe (read from the "
            f"project to compare with); did you mean {close[0]}?"
        )
        merged.notes.append(Problem(at.file, at.line, message))


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` is `b` with one letter changed, added, left out, or two side by side
    swapped (auht / auth)."""
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(
        long[:i] + long[i + 1 :] == short for i in range(len(long))
    )


def _undefined(merged: Merged, path: Path_) -> str:
    """Why the variable at `path` has no rule: the `null` that removed it, or none names it."""
    gone = merged.removed(path) or merged.removed(("defaults", *path[2:]))
    if gone is None:
        return "the profile does not define"
    return f"the `null` at {gone.file}:{gone.line} removes"
