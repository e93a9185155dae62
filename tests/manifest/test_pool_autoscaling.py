"""A worker pool a manifest puts on automatic (CPU) scaling has no fixed instance count: a
profile's `instance_count` is not verified (exit 3), never read as one manual instance and
reported clean (SPEC invariant 6). Sources: Cloud Run docs
run/docs/configuring/workerpools/cpu-autoscaling; the Terraform provider's
`google_cloud_run_v2_worker_pool` `scaling { scaling_mode = "AUTOMATIC" | "MANUAL",
min_instance_count, max_instance_count }`. The installed client's `WorkerPoolScaling` holds only
`manual_instance_count`, so the reader keeps the mode as an unknown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.manifest.test_check_manifest import POOL_HEAD, POOL_YAML, checked, pool_plan, profiles_of

ONE_INSTANCE = POOL_HEAD + "    settings:\n      instance_count: 1\n"
"""The pool's profile: manual scaling with 1 instance, as the manifests' default would read."""


def _not_verified(done: Any, doc: dict[str, Any]) -> str:
    """The reason instance_count is not verified, after checking nothing else is said."""
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert doc["status"] != "clean"
    assert doc["findings"] == [], doc["findings"]
    reasons = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert set(reasons) == {"setting.instance_count"}, reasons
    return " ".join(reasons["setting.instance_count"].split())


@pytest.mark.parametrize(
    ("marks", "said"),
    [
        ({}, "max_instance_count = 734"),
        # helper-778 F4: `max_instance_count = var.max`, a sensitive variable, was quoted
        ({"scaling": [{"max_instance_count": True}]}, "max_instance_count = ***"),
    ],
    ids=["plain", "marked-sensitive"],
)
def test_a_pool_a_terraform_plan_autoscales_leaves_instance_count_unverified(
    sandbox: Sandbox, tmp_path: Path, marks: dict[str, Any], said: str
) -> None:
    data = pool_plan()
    change = data["resource_changes"][0]["change"]
    change["after"]["scaling"] = [
        {"scaling_mode": "AUTOMATIC", "min_instance_count": 2, "max_instance_count": 734}
    ]
    change["after_sensitive"] = marks
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    done, doc = checked(sandbox, "pools", profiles_of(tmp_path, "pools", ONE_INSTANCE), str(plan))
    reason = _not_verified(done, doc)
    assert f"{plan}: resource_changes[0].change.after.scaling[0].scaling_mode = AUTOMATIC" in (
        reason
    )
    assert f"scales automatically (min_instance_count = 2, {said})" in reason
    assert "instance_count" in reason.split("AUTOMATIC", 1)[1]
    assert ("734" in done.stdout + done.stderr) == (not marks), done.stdout


def test_a_pool_whose_scaling_mode_a_plan_does_not_know_leaves_instance_count_unverified(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    data = pool_plan()
    change = data["resource_changes"][0]["change"]
    change["after"]["scaling"] = [{"manual_instance_count": 1}]
    change["after_unknown"]["scaling"] = [{"scaling_mode": True}]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    done, doc = checked(sandbox, "pools", profiles_of(tmp_path, "pools", ONE_INSTANCE), str(plan))
    assert "scaling[0].scaling_mode" in _not_verified(done, doc)


def test_a_pool_knative_yaml_autoscales_leaves_instance_count_unverified(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    text = POOL_YAML.format(count=0, split="latestRevision: true\n    percent: 100")
    manual = (
        "run.googleapis.com/scalingMode: manual\n    run.googleapis.com/manualInstanceCount: '0'"
    )
    assert manual in text
    text = text.replace(
        manual,
        "run.googleapis.com/scalingMode: automatic\n"
        "    autoscaling.knative.dev/minScale: '2'\n"
        "    autoscaling.knative.dev/maxScale: '10'",
    )
    manifest = tmp_path / "pool.yaml"
    manifest.write_text(text)
    profiles = profiles_of(tmp_path, "pools", ONE_INSTANCE)
    reason = _not_verified(*checked(sandbox, "pools", profiles, str(manifest)))
    assert f"{manifest}:10: run.googleapis.com/scalingMode: automatic" in reason
    assert "minScale: 2, autoscaling.knative.dev/maxScale: 10" in reason


def test_a_pool_on_manual_scaling_is_still_compared(sandbox: Sandbox, tmp_path: Path) -> None:
    """Only the automatic mode withholds the count: `MANUAL` with 1 instance is clean."""
    data = pool_plan()
    data["resource_changes"][0]["change"]["after"]["scaling"] = [
        {"scaling_mode": "MANUAL", "manual_instance_count": 1}
    ]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    done, doc = checked(sandbox, "pools", profiles_of(tmp_path, "pools", ONE_INSTANCE), str(plan))
    assert done.returncode == 0 and doc["unverified"] == [], (done.stderr, doc["unverified"])
