"""`same_as: NAME.VAR` resolved against the workloads a profile describes: the key of the one
it names, or the problem with it, at the rule's line."""

from __future__ import annotations

from dataclasses import replace

from drift.errors import Problem
from drift.profiles.merged import Merged
from drift.profiles.model import ServiceProfile
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
        env = dict(svc.env)
        for name, rule in svc.env.items():
            if rule.same_as is None:
                continue
            other, var = rule.same_as
            here = f"{svc.label}.{rule.name}: same_as"
            target = by_name.get(other)
            if target is None:
                continue  # a service of the project the profile does not describe
            if var not in services[target].env:
                message = f"{here} names {other}.{var}, which " + _undefined(
                    merged, (services[target].kind.section, other, "env", var)
                )
            elif (target, var) == (key, rule.name):
                message = f"{here} names itself"
            else:
                env[name] = replace(rule, same_as=(target, var))
                continue
            merged.problems.append(Problem(rule.location.file, rule.location.line, message))
        out[key] = replace(svc, env=env)
    return out


def _undefined(merged: Merged, path: Path_) -> str:
    """Why the variable at `path` has no rule: the `null` that removed it, or none names it."""
    gone = merged.removed(path) or merged.removed(("defaults", *path[2:]))
    if gone is None:
        return "the profile does not define"
    return f"the `null` at {gone.file}:{gone.line} removes"
