"""helper-647 O2, the fix side: a profile lowering the app to 0.5 CPU at concurrency 80 beside
the collector it states at 1 CPU (1.5 CPU in all, where Cloud Run takes concurrency above 1:
"Total cpu < 1 is not supported with concurrency > 1") was refused at load, so `plan` and
`fix` exited 2 on it. The plan judges the template it would write (`drift.fix.below_one`): the
cpu is planned, written, and the service then checks clean. With the collector stated at 0.25
CPU (0.75 in all) the profile loads with a note (containers it does not name may add CPU,
helper-681) and the plan makes the collector's cpu a manual step, naming the instance's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import profile, run, world

APP = "    settings:\n      cpu: 500m\n      concurrency: 80\n"


UNNAMED = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n{APP}"
"""The app alone: the collector is a container the profile does not name (helper-672's
leftover: refused at load before helper-681, though the collector, which a fix keeps as it
runs, brings the instance to 1.5 CPU)."""


def _world(sidecar: bool = True) -> dict[str, Any]:
    scenario = world()
    (body,) = scenario["projects"].values()
    template = body["services"]["app"]["template"]
    template["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "512Mi"}}
    if not sidecar:
        del template["containers"][1:]
    template["maxInstanceRequestConcurrency"] = 80
    return scenario


@pytest.mark.parametrize(
    "text",
    [profile("        settings:\n          cpu: 1\n          memory: 256Mi\n", app=APP), UNNAMED],
    ids=["stated", "unnamed"],
)
def test_a_cpu_below_one_beside_a_one_cpu_sidecar_is_planned_and_written(
    reseedable: Sandbox, tmp_path: Path, text: str
) -> None:
    reseedable.reset(_world())
    planned = run(reseedable, tmp_path, text, "plan", "lab", "--format", "json")
    assert planned.returncode == 1, planned.stdout + planned.stderr  # something to fix
    (service,) = json.loads(planned.stdout)["services"]
    assert service["manual"] == [], service
    assert [(s["name"], s["after"]) for s in service["settings"]] == [("cpu", "500m")]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    template = reseedable.service(LAB, "app").template
    assert [c.resources.limits["cpu"] for c in template.containers] == ["500m", "1"]
    assert template.max_instance_request_concurrency == 80
    checked = run(reseedable, tmp_path, text, "check", "lab")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_sidecar_stated_below_one_in_all_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """0.25 CPU for the collector: 0.75 in all. The profile loads with a note (containers it
    does not name could add CPU: helper-681), and the plan judges the template it would write:
    the app's 500m beside the collector's 1 CPU as it runs is planned, the collector's 0.25
    (0.75 in all at concurrency 80) is a manual step naming what Cloud Run requires."""
    reseedable.reset(_world())
    text = profile("        settings:\n          cpu: 0.25\n          memory: 256Mi\n", app=APP)
    done = run(reseedable, tmp_path, text, "plan", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    (service,) = json.loads(done.stdout)["services"]
    assert [(s["name"], s["after"]) for s in service["settings"]] == [("cpu", "500m")]
    (manual,) = service["manual"]
    assert manual["reason"].startswith(
        "container otel: cpu 250m would leave the instance without what Cloud Run requires "
        "(below one CPU in all, concurrency 1 (it is 80)"
    ), manual
    fixed = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # the collector's cpu is left
    template = reseedable.service(LAB, "app").template
    assert [c.resources.limits["cpu"] for c in template.containers] == ["500m", "1"]
    assert template.max_instance_request_concurrency == 80


def test_alone_below_one_cpu_the_plan_says_what_cloud_run_requires_and_writes_nothing(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """No other container: the profile loads with its note (said on `check`), and the plan,
    judging the template, makes the cpu a manual step; nothing is written."""
    reseedable.reset(_world(sidecar=False))
    before = reseedable.service(LAB, "app")
    checked = run(reseedable, tmp_path, UNNAMED, "check", "lab")
    said = checked.stdout + checked.stderr
    assert checked.returncode == 1, said  # the cpu drifted: checked, not refused
    assert "said, not refused: containers the profile does not name" in said, said
    planned = run(reseedable, tmp_path, UNNAMED, "plan", "lab", "--format", "json")
    assert planned.returncode == 1, planned.stdout + planned.stderr
    (service,) = json.loads(planned.stdout)["services"]
    assert service["settings"] == [], service
    (manual,) = service["manual"]
    assert "less than 1 CPU, where Cloud Run requires concurrency 1" in manual["reason"]
    done = run(reseedable, tmp_path, UNNAMED, "fix", "lab", "--yes")
    assert "Traceback" not in done.stdout + done.stderr
    assert reseedable.service(LAB, "app") == before
