"""A saved plan nested deeper than any plan drift writes is one clear refusal (exit 2), at every
depth: not only where `json.loads` gives up (tests/fix/test_saved_plan.py's 100,000), but in the
band below it, where the document loads and the digest's `json.dumps` of it (one frame a level,
beside the caller's) ran out of stack instead: an "internal error: RecursionError"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.fix.formats.json_plan import PLAN_SCHEMA
from drift.fix.saved import read_saved


def _nested(depth: int) -> str:
    plan = {
        "schema": PLAN_SCHEMA,
        "environment": "lab",
        "project": "fix-lab",
        "region": "us-central1",
        "unverified": [],
        "services": [{"service": "app", "etag": "e", "env": [], "settings": [], "manual": 0}],
        "saved": {"services": [], "from_template": False, "profile_digest": "d", "digest": "x"},
    }
    return json.dumps(plan).replace('"manual": 0', '"manual": ' + "[" * depth + "]" * depth)


def test_no_depth_is_anything_but_a_plan_or_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    for depth in range(3, 1300, 3):  # through the band where loads succeeds, dumps cannot
        path.write_text(_nested(depth))
        try:
            read_saved(path)
        except UsageError:
            pass


def test_a_plan_nested_deeper_than_drift_writes_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(_nested(40))
    with pytest.raises(UsageError) as refused:
        read_saved(path)
    assert "is not a saved plan (nested too deeply)" in refused.value.message


def test_a_plan_nested_as_drift_writes_one_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(_nested(3))
    assert not read_saved(path).intact  # read (its digest is not the body's: edited)
