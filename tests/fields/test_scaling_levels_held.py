"""Where a patch writes a scaling bound when the service level reads 0 (proto3's unset) now but
held a value when drift last read the service (`held`: the journal's): the service's own level,
and the revision's too only where its bound would still bind (helper-700 F3)."""

from __future__ import annotations

import pytest
from google.cloud import run_v2

from drift.fields import FIELDS


def _service(service: int, revision: int, bound: str) -> run_v2.Service:
    made = run_v2.Service()
    setattr(made.scaling, f"{bound}_instance_count", service)
    setattr(made.template.scaling, f"{bound}_instance_count", revision)
    return made


@pytest.mark.parametrize(
    ("bound", "revision", "value", "held", "levels"),
    [
        ("min", 1, 2, False, {"revision"}),  # nothing says the service level held it
        ("min", 1, 2, True, {"service"}),  # the revision's 1 no longer binds under 2
        ("min", 5, 2, True, {"service", "revision"}),  # 5 would still be the floor
        ("min", 0, 2, True, {"service"}),
        ("max", 10, 20, True, {"service", "revision"}),  # 10 would still be the cap
        ("max", 30, 20, True, {"service"}),
    ],
)
def test_a_bound_the_service_held_is_written_there(
    bound: str, revision: int, value: int, held: bool, levels: set[str]
) -> None:
    field = FIELDS[f"{bound}_instances"]
    service = _service(0, revision, bound)
    assert field.levels(service, value, held) == levels
    assert field.levels(_service(3, revision, bound), value, held) == field.levels(
        _service(3, revision, bound), value
    )  # a service level set now decides alone
