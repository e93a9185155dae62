"""helper-545 F1, the repair side: a sidecar's own settings (image, cpu, memory) that differ
from the profile are planned as changes of that container — gcloud's `--container NAME`
group, a change id naming it, `--only` taking it — written to that container alone (the
app's container is sent back exactly as read: `fix` changes only what its plan names), proven
by the re-check, and put back by a rollback; a pattern is a manual step for that container."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import OTEL, OTEL_NEXT, otel_of, profile, run, world
from tests.fix.sidecar_lab import template_of as _template

WANTED = f"        settings:\n          image: {OTEL_NEXT}\n          memory: 512Mi\n"


def _app(template: Any) -> Any:
    return next(c for c in template.containers if c.name == "app")


def test_the_plan_names_the_sidecar_in_every_format(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    text = profile(WANTED)
    table = run(reseedable, tmp_path, text, "plan", "lab")
    assert "setting otel/memory  256Mi" in table.stdout, table.stdout
    assert f"setting otel/image   {OTEL}  ->  {OTEL_NEXT}" in table.stdout

    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert {(s["id"], s["container"], s["before"], s["after"]) for s in sp["settings"]} == {
        ("app/otel/setting.memory", "otel", "256Mi", "512Mi"),
        ("app/otel/setting.image", "otel", OTEL, OTEL_NEXT),
    }
    assert len(sp["fixes"]) == 2

    script = run(reseedable, tmp_path, text, "plan", "lab", "--format", "gcloud").stdout
    command = " ".join(
        line.rstrip("\\") for line in script.splitlines() if not line.startswith("#")
    )
    words = shlex.split(command.split("gcloud run services update app", 1)[1])
    # the container's flags follow `--container otel`, and nothing names the app's container
    at = words.index("--container")
    assert words[at + 1] == "otel" and "app" not in words[at:]
    assert set(words[at + 2 :]) == {"--memory=512Mi", f"--image={OTEL_NEXT}"}
    assert "# settings memory in otel, image in otel" in script

    yaml_doc = run(reseedable, tmp_path, text, "plan", "lab", "--format", "yaml").stdout
    assert "set memory (container otel) = 512Mi" in yaml_doc


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_fix_writes_the_sidecar_alone_and_rollback_puts_it_back(
    reseedable: Sandbox, tmp_path: Path, kind: str
) -> None:
    reseedable.reset(world(kind))
    before = _template(reseedable, kind)
    text = profile(WANTED, kind)
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    after = _template(reseedable, kind)
    otel = otel_of(after)
    assert (otel.image, otel.resources.limits["memory"]) == (OTEL_NEXT, "512Mi")
    assert otel.resources.limits["cpu"] == "1"  # not named by the plan: as it was
    assert _app(after) == _app(before)  # the app's container exactly as read
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0

    back = run(reseedable, tmp_path, text, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    otel = otel_of(_template(reseedable, kind))
    assert (otel.image, otel.resources.limits["memory"]) == (OTEL, "256Mi")
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 1


def test_only_takes_one_of_the_sidecars_changes(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    text = profile(WANTED)
    done = run(
        reseedable, tmp_path, text, "fix", "lab", "--yes", "--only", "app/otel/setting.memory"
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the image is still drift
    otel = otel_of(_template(reseedable, "service"))
    assert (otel.image, otel.resources.limits["memory"]) == (OTEL, "512Mi")


def test_a_pattern_is_the_sidecars_manual_step(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    text = profile("        settings:\n          image: {pattern: ':0\\.99\\.'}\n")
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert sp["settings"] == []
    (step,) = sp["manual"]
    assert step["reason"].startswith("container otel: image is " + OTEL)
    assert "--container otel" in step["commands"][0]
    before = reseedable.service(LAB, "app")
    run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert reseedable.service(LAB, "app").template == before.template  # nothing written


def _limits(scenario: dict[str, Any], app: dict[str, Any], otel: dict[str, Any]) -> dict[str, Any]:
    (body,) = scenario["projects"].values()
    template = body["services"]["app"]["template"]
    template["containers"][0]["resources"] = app
    template["containers"][1]["resources"] = otel
    return template


def _held_back(
    sandbox: Sandbox, tmp_path: Path, scenario: dict[str, Any], text: str
) -> dict[str, Any]:
    """The one manual step of the plan of `text` on `scenario`, which changes nothing."""
    sandbox.reset(scenario)
    plan = json.loads(run(sandbox, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert sp["settings"] == []
    (step,) = sp["manual"]
    return dict(step)


def test_a_sidecar_cpu_leaving_the_instance_below_one_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """helper-548 F1: app 0.5 + otel 1 CPU at concurrency 80; the profile lowers otel to 0.25,
    0.75 CPU in all, where Cloud Run refuses a concurrency above 1 ("Total cpu < 1 is not
    supported with concurrency > 1"): no patch the server refuses, a step saying why."""
    scenario = world()
    idle = {"cpuIdle": True}
    template = _limits(
        scenario,
        {"limits": {"cpu": "500m", "memory": "256Mi"}, **idle},
        {"limits": {"cpu": "1", "memory": "256Mi"}, **idle},
    )
    template["maxInstanceRequestConcurrency"] = 80
    text = profile("        settings:\n          cpu: 0.25\n")
    step = _held_back(reseedable, tmp_path, scenario, text)
    assert step["reason"].startswith("container otel: cpu 250m would leave the instance")
    assert "concurrency 1 (it is 80)" in step["reason"]
    assert "--container otel" in step["commands"][0]
    before = reseedable.service(LAB, "app").template
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert "Total cpu < 1" not in done.stdout + done.stderr
    assert reseedable.service(LAB, "app").template == before


def test_a_sidecar_shrinking_a_gpu_instance_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """An L4 instance (app 3 CPU / 15Gi + otel 1 CPU / 1Gi: 4 CPU, 16Gi, its minimum):
    lowering otel takes it under what the GPU requires."""
    scenario = world()
    always = {"cpuIdle": False}
    template = _limits(
        scenario,
        {"limits": {"cpu": "3", "memory": "15Gi", "nvidia.com/gpu": "1"}, **always},
        {"limits": {"cpu": "1", "memory": "1Gi"}, **always},
    )
    template.update(
        nodeSelector={"accelerator": "nvidia-l4"},
        gpuZonalRedundancyDisabled=True,
        scaling={"maxInstanceCount": 3},
    )
    text = profile("        settings:\n          memory: 512Mi\n")
    step = _held_back(reseedable, tmp_path, scenario, text)
    assert "with a GPU" in step["reason"] and "configuring/services/gpu" in step["reason"]
    dry = run(reseedable, tmp_path, text, "fix", "lab", "--dry-run")
    assert dry.returncode != 2, dry.stdout + dry.stderr
