"""A null element of a list in a plan's `after` that `after_unknown` does not mark: Terraform
writes null in a list only for a value not known until apply, which it marks, and refuses a
known one ("Null value found in list"). Such a plan is malformed — one line at its JSON path,
exit 2 — never the defaults a missing block leaves judged as drift (a job's `template: [null]`
gave `max_retries … is 3`, `image … is ''`) nor a clean run (helper-525 F2, F3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, change_of, check_offline, plan
from tests.manifest.test_check_manifest import POOL_PROFILE, pool_plan

API = "google_cloud_run_v2_service.api"
JOB = "google_cloud_run_v2_job.migrate"

PROFILE = (
    API_ONLY
    + """\
jobs:
  db-migrate:
    env:
      DATABASE_URL: {secret: database-url-staging, version: latest}
    settings: {max_retries: 0, task_timeout: 900s}
"""
)


def _after(data: dict[str, Any], address: str) -> dict[str, Any]:
    after: dict[str, Any] = change_of(data, address)["change"]["after"]
    return after


def _api_env(data: dict[str, Any]) -> list[Any]:
    env: list[Any] = _after(data, API)["template"][0]["containers"][0]["env"]
    return env


def _value_source_null(data: dict[str, Any]) -> None:
    """A plain variable whose `value_source` holds a null: no second value (F3)."""
    var = next(e for e in _api_env(data) if e["name"] == "LOG_LEVEL")
    var["value_source"] = [None]


CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "job-execution-template": (
        lambda d: _after(d, JOB).__setitem__("template", [None]),
        "resource_changes[4].change.after.template[0]",
    ),
    "job-task-template": (
        lambda d: _after(d, JOB)["template"][0].__setitem__("template", [None]),
        "resource_changes[4].change.after.template[0].template[0]",
    ),
    "job-container": (
        lambda d: _after(d, JOB)["template"][0]["template"][0]["containers"].append(None),
        "resource_changes[4].change.after.template[0].template[0].containers[1]",
    ),
    "service-container": (
        lambda d: _after(d, API)["template"][0]["containers"].insert(0, None),
        "resource_changes[1].change.after.template[0].containers[0]",
    ),
    "service-variable": (
        lambda d: _api_env(d).append(None),
        "resource_changes[1].change.after.template[0].containers[0].env[",
    ),
    "service-scaling": (
        lambda d: _after(d, API).__setitem__("scaling", [None]),
        "resource_changes[1].change.after.scaling[0]",
    ),
    "a-string-of-a-list": (
        lambda d: _after(d, JOB)["template"][0]["template"][0]["containers"][0]["args"].append(
            None
        ),
        "resource_changes[4].change.after.template[0].template[0].containers[0].args[3]",
    ),
    "value-source-beside-a-value": (
        _value_source_null,
        "resource_changes[1].change.after.template[0].containers[0].env[2].value_source[0]",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_unmarked_null_in_a_list_is_refused_at_its_path(tmp_path: Path, case: str) -> None:
    change, path = CASES[case]
    data = plan()
    change(data)
    done = check_offline(tmp_path, data, PROFILE, "-f", "json")
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert f"plan.json: {path}" in line, line
    assert "null, which after_unknown does not mark as not known until apply" in line
    assert "are both set" not in line  # F3: a null is no second value


def test_a_worker_pools_unmarked_null_scaling_is_refused(tmp_path: Path) -> None:
    """`scaling: [null]` was read as no scaling block: `instance_count … 1`, a default."""
    data = pool_plan()
    data["resource_changes"][0]["change"]["after"]["scaling"] = [None]
    done = check_offline(tmp_path, data, POOL_PROFILE, "-f", "json")
    assert done.returncode == 2, done.stdout
    assert "plan.json: resource_changes[0].change.after.scaling[0]: null, which" in done.stderr


def _mark_api_env(data: dict[str, Any], i: int) -> None:
    marks = change_of(data, API)["change"]["after_unknown"]["template"][0]["containers"][0]
    env = marks["env"]
    env += [{} for _ in range(i + 1 - len(env))]
    env[i] = True


def test_a_null_after_unknown_marks_is_not_verified_not_refused(tmp_path: Path) -> None:
    """The same null where the plan marks it: a variable not known until apply (not verified,
    exit 3), as before."""
    data = plan()
    _api_env(data).append(None)
    _mark_api_env(data, len(_api_env(data)) - 1)
    done = check_offline(tmp_path, data, PROFILE, "-f", "json")
    assert done.returncode == 3, done.stderr
    doc = json.loads(done.stdout)
    assert any(
        u["service"] == "api" and u["target"] == "env.*" and "not known until apply" in u["reason"]
        for u in doc["unverified"]
    ), doc["unverified"]


def test_a_null_below_a_value_marked_unknown_as_a_whole_is_not_refused(tmp_path: Path) -> None:
    """`after_unknown` marks the whole container list: what `after` holds below it is not
    judged, a null in it included."""
    data = plan()
    _api_env(data).append(None)
    change_of(data, API)["change"]["after_unknown"]["template"][0]["containers"] = True
    done = check_offline(tmp_path, data, PROFILE, "-f", "json")
    assert done.returncode == 3, done.stderr
