"""The names of lock files (`drift.fix.lock`): `PROJECT--REGION--COLLECTION--NAME.lock`, and
the name a drift before c693650 gave them (`PROJECT--REGION--NAME.lock`, no kind), the only
one such a drift takes and checks: drift holds a lock under both. A service, a job and a
worker pool of one name share the older name, so two commands on them exclude each other."""

from __future__ import annotations


def lock_name(full_name: str) -> str:
    """A service, a job and a worker pool of one name are three workloads, with three locks."""
    return _safe(full_name, (1, 3, 4, 5)) + ".lock"


def legacy_name(full_name: str) -> str:
    """The name an older drift gave the lock (no kind: one for every workload of a name)."""
    return _safe(full_name, (1, 3, 5)) + ".lock"


def names(full_name: str) -> tuple[str, str]:
    return lock_name(full_name), legacy_name(full_name)


def _safe(text: str, wanted_parts: tuple[int, ...]) -> str:
    parts = text.split("/")
    wanted = [parts[i] for i in wanted_parts if i < len(parts)] if len(parts) >= 6 else [text]
    return "--".join("".join(c for c in p if c.isalnum() or c in "-_.") for p in wanted)
