"""The largest number each proto field a row's patch writes holds (`Field.largest`,
`Field.numbers_at`): read from the run_v2 messages' descriptors, once a run."""

from __future__ import annotations

from functools import cache
from typing import Any

from drift.kinds import Kind

_TYPE_MAX = {1: 2**31 - 1, 2: 2**63 - 1, 3: 2**32 - 1, 4: 2**64 - 1}
"""The largest value of each integer `FieldDescriptor.cpp_type` (CPPTYPE_INT32, _INT64,
_UINT32, _UINT64): proto-plus refuses a larger one with "Value out of range"."""


@cache
def held_most(kinds: frozenset[Kind], places: tuple[tuple[str, str], ...]) -> int:
    """The least of the largest numbers the proto fields at `places` (`Field.numbers_at`)
    hold in the workloads of `kinds`."""
    from google.cloud import run_v2

    workloads: dict[Kind, Any] = {
        Kind.SERVICE: run_v2.Service,
        Kind.JOB: run_v2.Job,
        Kind.WORKER_POOL: run_v2.WorkerPool,
    }
    bounds = []
    for kind in kinds:
        for start, path in places:
            message = workloads[kind].pb().DESCRIPTOR
            steps = ["template"] * (start == "template") + path.split(".")
            if kind is Kind.JOB and start == "template":
                steps.insert(0, "template")  # a Job's task template (`template_of`)
            for step in steps[:-1]:
                message = message.fields_by_name[step].message_type
            bounds.append(_TYPE_MAX[message.fields_by_name[steps[-1]].cpp_type])
    return min(bounds)
