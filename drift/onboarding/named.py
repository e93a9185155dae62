"""A workload `init --service NAME` names that is not there as the kind named: a job or a
worker pool of that name (`-s batch` where batch is a job) is said with the `--service
job/batch` that describes it, not "is the region right?" (helper-532)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from drift.errors import ApiError
from drift.kinds import Kind, split_key, workload_key
from drift.live.secrets import Tasks
from drift.live.session import Session


async def of_other_kinds(
    session: Session, missing: Collection[str], project: str, region: str, shared: Tasks
) -> dict[str, str]:
    """For each missing key, the key of the workload of that name of another kind, where the
    region lists one (each other kind listed once; a listing refused tells nothing)."""
    wanted = {split_key(key) for key in missing}
    kinds = [k for k in Kind if any(other is not k for other, _ in wanted)]
    listed = await asyncio.gather(
        *(session.list_workloads(project, region, k, shared) for k in kinds),
        return_exceptions=True,
    )
    found: dict[str, str] = {}
    for kind, names in zip(kinds, listed, strict=True):
        if isinstance(names, ApiError):
            continue
        if isinstance(names, BaseException):
            raise names
        for other, name in wanted:
            if other is not kind and name in names:
                found.setdefault(workload_key(other, name), workload_key(kind, name))
    return found


def as_other_kinds(kinds: dict[str, str]) -> str:
    """`batch is a job there: --service job/batch`, for each (`of_other_kinds`); "" for none."""
    return "; ".join(
        f"{split_key(key)[1]} is a {split_key(other)[0].noun} there: --service {other}"
        for key, other in kinds.items()
    )
