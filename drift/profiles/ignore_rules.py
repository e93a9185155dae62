"""An `ignore:` entry of a profile built: what it silences (a workload, a target, a rule,
a container, a tag) and until when, checked against the workloads the profile names."""

from __future__ import annotations

from drift.errors import Problem
from drift.kinds import Kind, workload_key
from drift.profiles.merged import Merged
from drift.profiles.model import Ignore, ServiceProfile
from drift.profiles.spec import IgnoreSpec


def ignore_rule(
    i: int, item: IgnoreSpec, services: dict[str, ServiceProfile], merged: Merged
) -> Ignore | None:
    """The `ignore` entry `i` of the profile, naming what it silences; a problem recorded on
    `merged` for one naming what is not there, or more than one thing; None for an entry whose
    workload a profile extending it removed (noted)."""
    named = [
        (k, n) for k, n in zip(Kind, (item.service, item.job, item.worker_pool), strict=True) if n
    ]
    if len(named) > 1:
        merged.problem(("ignore", i), "ignore names at most one of service, job, worker_pool")
    kind, name = named[0] if named else (None, None)
    at = merged.at(("ignore", i))
    if kind is not None and workload_key(kind, str(name)) not in services:
        gone = merged.removed((kind.section, str(name)))
        if gone is not None and gone.file != at.file:  # a profile extending the entry's
            why = f"the `null` at {gone.file}:{gone.line} removes {kind.noun} {name}"
            merged.notes.append(Problem(at.file, at.line, f"ignore left out: {why}"))
            return None
        merged.problem(("ignore", i, kind.value), f"ignore names unknown {kind.noun} {name!r}")
    if sum(x is not None for x in (item.env, item.setting, item.secret, item.mount)) > 1:
        merged.problem(("ignore", i), "ignore names at most one of env, setting, secret, mount")
    chain = merged.chain
    return Ignore(
        reason=item.reason,
        location=at,
        newer=chain[chain.index(at.file) + 1 :] if at.file in chain else (),
        service=name,
        target=_ignore_target(item.env, item.setting, item.secret, item.mount),
        rule=item.rule,
        until=item.until,
        container=item.container,
        tag=item.tag,
        kind=kind,
    )


def _ignore_target(
    env: str | None, setting: str | None, secret: str | None, mount: str | None
) -> str | None:
    for kind, name in (("env", env), ("setting", setting), ("secret", secret), ("mount", mount)):
        if name is not None:
            return f"{kind}.{name}"
    return None
