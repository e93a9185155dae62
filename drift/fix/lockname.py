"""The names of lock files (`drift.fix.lock`): `PROJECT--REGION--COLLECTION--NAME.lock`, and
the name a drift before c693650 gave them (`PROJECT--REGION--NAME.lock`, no kind), the only
one such a drift takes and checks: drift holds a lock under both. A service, a job and a
worker pool of one name share the older name, so two commands on them exclude each other.

PROJECT is the project as the resource name Cloud Run returned spells it, and the API takes a
project's id or its number there (`projects/{project}`); whether `Service.name` echoes the
form asked for, the run v2 field docs leave open. A number cannot be told from an id without
an API call, so a lock under a number stands for the workload of that region, kind and name
in every project named by id, and the reverse (`other_forms`): two profiles naming one
project both ways never take two locks on one service. Two ids, or two numbers, that differ
are two projects."""

from __future__ import annotations

from collections.abc import Iterable


def lock_name(full_name: str) -> str:
    """A service, a job and a worker pool of one name are three workloads, with three locks."""
    return _safe(full_name, (1, 3, 4, 5)) + ".lock"


def legacy_name(full_name: str) -> str:
    """The name an older drift gave the lock (no kind: one for every workload of a name)."""
    return _safe(full_name, (1, 3, 5)) + ".lock"


def names(full_name: str) -> tuple[str, str]:
    return lock_name(full_name), legacy_name(full_name)


def other_forms(full_name: str, present: Iterable[str]) -> list[str]:
    """The lock files among `present` (file names) that may be the workload's own under the
    other form of its project: the same region, kind and name (or the older name's region
    and name), under a number where `full_name` names the project by id, or the reverse."""
    project = _safe(full_name, (1,))
    if len(full_name.split("/")) < 6 or not project:
        return []
    tails = [f"--{n.removeprefix(project + '--')}" for n in names(full_name)]
    out = []
    for name in present:
        for tail in tails:
            head = name.removesuffix(tail) if name.endswith(tail) else ""
            if head and head.isdigit() != project.isdigit():
                out.append(name)
                break
    return out


def _safe(text: str, wanted_parts: tuple[int, ...]) -> str:
    parts = text.split("/")
    wanted = [parts[i] for i in wanted_parts if i < len(parts)] if len(parts) >= 6 else [text]
    return "--".join("".join(c for c in p if c.isalnum() or c in "-_.") for p in wanted)
