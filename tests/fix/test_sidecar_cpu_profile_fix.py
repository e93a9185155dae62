"""helper-647 O2, the fix side: a profile lowering the app to 0.5 CPU at concurrency 80 beside
the collector it states at 1 CPU (1.5 CPU in all, where Cloud Run takes concurrency above 1:
"Total cpu < 1 is not supported with concurrency > 1") was refused at load, so `plan` and
`fix` exited 2 on it. The plan judges the template it would write (`drift.fix.below_one`): the
cpu is planned, written, and the service then checks clean. With the collector stated at 0.25
CPU (0.75 in all) the profile stays refused, naming the instance's CPU."""

from __future__ import annotations

import json
from pathlib import Path

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import profile, run, world

APP = "    settings:\n      cpu: 500m\n      concurrency: 80\n"


def _world() -> dict[str, object]:
    scenario = world()
    (body,) = scenario["projects"].values()
    template = body["services"]["app"]["template"]
    template["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "512Mi"}}
    template["maxInstanceRequestConcurrency"] = 80
    return scenario


def test_a_cpu_below_one_beside_a_stated_one_cpu_sidecar_is_planned_and_written(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    reseedable.reset(_world())
    text = profile("        settings:\n          cpu: 1\n          memory: 256Mi\n", app=APP)
    planned = run(reseedable, tmp_path, text, "plan", "lab", "--format", "json")
    assert planned.returncode == 1, planned.stdout + planned.stderr  # something to fix
    (service,) = json.loads(planned.stdout)["services"]
    assert service["manual"] == [], service
    assert [(s["name"], s["after"]) for s in service["settings"]] == [("cpu", "500m")]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    template = reseedable.service(LAB, "app").template
    assert template.containers[0].resources.limits["cpu"] == "500m"
    assert template.max_instance_request_concurrency == 80
    checked = run(reseedable, tmp_path, text, "check", "lab")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_sidecar_stated_below_one_in_all_keeps_the_profile_refused(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    reseedable.reset(_world())
    text = profile("        settings:\n          cpu: 0.25\n          memory: 256Mi\n", app=APP)
    done = run(reseedable, tmp_path, text, "plan", "lab")
    assert done.returncode == 2, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "app: concurrency 80 with cpu 500m (" in said, said
    assert "with otel as stated, 750m CPU in all: below 1 CPU Cloud Run requires concurrency 1" in (
        said
    ), said
