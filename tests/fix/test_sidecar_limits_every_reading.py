"""helper-657 MEDIUM-2 and LOW-3: the plan judges the template it writes, the sidecars' limit
changes included (they go in the same update).

MEDIUM-2: a sidecar's cpu/memory that leaves a pair Cloud Run refuses by every reading (the
container's own pair and the instance's sums) was planned for a job or worker pool (and, at 1
CPU or more, a service), and `drift fix` failed on the server's INVALID_ARGUMENT ("Total cpu < 1
is not supported with memory > 1Gi", exit 4): the module docstring promises "never a patch
Cloud Run refuses by every reading". Each such limit is a manual step; the rest is written.

LOW-3: a service's cpu lowered below one beside a sidecar the same plan raises to 1 CPU was
judged on the sidecar as it runs (a manual step saying "concurrency 1", two runs of fix and
advice the profile contradicts): it is planned with the sidecar's change, written at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.sidecar_lab import SECTION, otel_of, profile, run, world
from tests.fix.sidecar_lab import template_of as _template


def _world(kind: str, app_cpu: str = "1") -> dict[str, Any]:
    """app at `app_cpu` / 512Mi beside otel at 1 CPU / 256Mi (a service: concurrency 1)."""
    scenario = world(kind)
    (body,) = scenario["projects"].values()
    template = body[SECTION[kind]]["app"]["template"]
    template["containers"][0]["resources"] = {"limits": {"cpu": app_cpu, "memory": "512Mi"}}
    if kind == "service":
        template["maxInstanceRequestConcurrency"] = 1
    return scenario


def _plan(sandbox: Sandbox, tmp_path: Path, text: str) -> dict[str, Any]:
    planned = run(sandbox, tmp_path, text, "plan", "lab", "--format", "json")
    assert planned.returncode == 1, planned.stdout + planned.stderr
    (sp,) = json.loads(planned.stdout)["services"]
    return dict(sp)


def _one_step(sandbox: Sandbox, tmp_path: Path, kind: str, memory: str) -> tuple[str, str]:
    """The plan of otel's memory set to `memory` on `kind`: no setting and one manual step. The
    step's reason, and the profile."""
    text = profile(f"        settings:\n          memory: {memory}\n", kind)
    sp = _plan(sandbox, tmp_path, text)
    assert sp["settings"] == []
    (step,) = sp["manual"]
    return str(step["reason"]), text


def _fix_writes_nothing(
    sandbox: Sandbox, tmp_path: Path, text: str, kind: str, before: Any
) -> None:
    """`drift fix lab --yes` finds drift left (exit 1), not the server refusing a write, and
    `app` reads as `before`."""
    done = run(sandbox, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "INVALID_ARGUMENT" not in done.stdout + done.stderr
    assert _template(sandbox, kind) == before


def test_a_job_s_sidecar_below_one_cpu_in_all_with_too_much_memory_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """The reviewer's profile: app 500m / 1Gi, otel 250m / 1Gi: per container otel's 0.25 CPU
    takes 512Mi at most, per instance 0.75 CPU with 2Gi takes 1Gi at most: both refuse."""
    reseedable.reset(_world("job"))
    app = "    settings:\n      cpu: 500m\n      memory: 1Gi\n"
    text = profile("        settings:\n          cpu: 250m\n          memory: 1Gi\n", "job", app)
    sp = _plan(reseedable, tmp_path, text)
    assert [(s.get("container"), s["name"], s["after"]) for s in sp["settings"]] == [
        (None, "cpu", "500m"),
        (None, "memory", "1Gi"),
    ]
    steps = {step["target"]: step for step in sp["manual"]}
    assert set(steps) == {"setting.cpu", "setting.memory"}, sp["manual"]
    said = steps["setting.cpu"]["reason"]
    assert said.startswith("container otel: cpu 250m would leave the instance"), said
    assert "750m CPU and 2Gi in all: below 1 CPU Cloud Run requires memory 1Gi at most" in said
    assert steps["setting.memory"]["reason"].startswith("container otel: memory 1Gi would")
    assert "--container otel --cpu=250m" in steps["setting.cpu"]["commands"][0]

    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 1, said  # the steps are left, nothing refused (was 4)
    assert "INVALID_ARGUMENT" not in said, said
    template = _template(reseedable, "job")
    assert dict(template.containers[0].resources.limits) == {"cpu": "500m", "memory": "1Gi"}
    assert dict(otel_of(template).resources.limits) == {"cpu": "1", "memory": "256Mi"}


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_sidecar_pair_both_readings_refuse_at_one_cpu_or_more_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path, kind: str
) -> None:
    """otel at 1 CPU raised to 8Gi: 1 CPU takes 4Gi at most in one container, and the
    instance's 2 CPU with 8.5Gi (8Gi at most) are refused too."""
    reseedable.reset(_world(kind))
    before = _template(reseedable, kind)
    said, text = _one_step(reseedable, tmp_path, kind, "8Gi")
    assert said.startswith("container otel: memory 8Gi would leave the instance"), said
    assert "container otel: memory 8Gi needs at least 2 CPU" in said, said
    assert "2 CPU and 8704Mi in all: memory 8704Mi needs at least 4 CPU" in said, said

    _fix_writes_nothing(reseedable, tmp_path, text, kind, before)


def test_a_sidecar_pair_one_reading_takes_is_written(reseedable: Sandbox, tmp_path: Path) -> None:
    """otel at 1 CPU with 5Gi beside the app at 4 CPU / 4Gi: the container's pair is refused,
    the instance's 5 CPU with 9Gi taken: the server decides, the plan writes it (the sandbox
    pairing the sums, as one reading does, takes it)."""
    scenario = _world("worker_pool", app_cpu="4")
    (body,) = scenario["projects"].values()
    body["worker_pools"]["app"]["template"]["containers"][0]["resources"]["limits"]["memory"] = (
        "4Gi"
    )
    scenario["options"]["max_size_of"] = "instance"
    reseedable.reset(scenario)
    text = profile("        settings:\n          memory: 5Gi\n", "worker_pool")
    sp = _plan(reseedable, tmp_path, text)
    assert sp["manual"] == []
    assert [(s.get("container"), s["after"]) for s in sp["settings"]] == [("otel", "5Gi")]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert otel_of(_template(reseedable, "worker_pool")).resources.limits["memory"] == "5Gi"


def _at_concurrency_80(sandbox: Sandbox) -> None:
    """`sandbox` reset to the service of `_world`, otel lowered to 250m, concurrency 80."""
    scenario = _world("service")
    (body,) = scenario["projects"].values()
    template = body["services"]["app"]["template"]
    template["maxInstanceRequestConcurrency"] = 80
    template["containers"][1]["resources"]["limits"]["cpu"] = "250m"
    sandbox.reset(scenario)


def test_a_cpu_below_one_beside_a_sidecar_the_plan_raises_is_written_with_it(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """Live: app 1 CPU, otel 250m, concurrency 80. The profile: app 500m at concurrency 80,
    otel 1 CPU: the update writes 1.5 CPU in all, which Cloud Run takes at concurrency 80."""
    _at_concurrency_80(reseedable)
    app = "    settings:\n      cpu: 500m\n      concurrency: 80\n"
    text = profile("        settings:\n          cpu: 1\n          memory: 256Mi\n", app=app)
    sp = _plan(reseedable, tmp_path, text)
    assert sp["manual"] == [], sp["manual"]
    assert [(s.get("container"), s["name"], s["after"]) for s in sp["settings"]] == [
        (None, "cpu", "500m"),
        ("otel", "cpu", "1"),
    ]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    written = _template(reseedable, "service")
    assert written.containers[0].resources.limits["cpu"] == "500m"
    assert otel_of(written).resources.limits["cpu"] == "1"
    assert written.max_instance_request_concurrency == 80
    checked = run(reseedable, tmp_path, text, "check", "lab")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_cpu_below_one_stays_a_step_when_the_sidecar_s_raise_is_held_back(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """As above, but the profile gives otel 1 CPU with 8Gi, which every reading refuses (1 CPU
    takes 4Gi in one container; 2 CPU with 8.5Gi in all): otel's limits are manual steps, so
    the app's 500m is judged beside otel as it runs (0.75 CPU in all, concurrency 80): a step
    too, nothing written."""
    _at_concurrency_80(reseedable)
    before = _template(reseedable, "service")
    app = "    settings:\n      cpu: 500m\n      concurrency: 80\n"
    text = profile("        settings:\n          cpu: 1\n          memory: 8Gi\n", app=app)
    sp = _plan(reseedable, tmp_path, text)
    assert sp["settings"] == []
    steps = sorted((step["target"], step["reason"]) for step in sp["manual"])
    assert [target for target, _ in steps] == ["setting.cpu", "setting.cpu", "setting.memory"]
    own = next(said for _, said in steps if not said.startswith("container otel: "))
    assert own.startswith("cpu 500m (750m in all) is less than 1 CPU"), own
    assert "concurrency 1 (it is 80)" in own, own
    _fix_writes_nothing(reseedable, tmp_path, text, "service", before)


def test_a_service_sidecar_pair_refused_as_stated_is_noted_and_held_by_the_plan(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """helper-657 LOW-2 through the CLI, as helper-669 F4 left it: the service's app 500m / 1Gi
    beside otel 250m / 1Gi loads with a note (a container the profile does not name may lift
    the instance to 1 CPU); the plan, which reads every live container (app and otel: 750m
    and 2Gi in all), holds otel's two limits as steps, and fix writes nothing refused."""
    reseedable.reset(_world("service"))
    app = "    settings:\n      cpu: 500m\n      memory: 1Gi\n      concurrency: 1\n"
    text = profile("        settings:\n          cpu: 250m\n          memory: 1Gi\n", app=app)
    done = run(reseedable, tmp_path, text, "profiles", "validate")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "lab.yaml:13: note: app: container otel: memory 1Gi with cpu 250m (" in said
    assert "the instance, 750m CPU and 2Gi in all as stated" in said, said
    assert "unless containers not stated add up to it" in said, said
    sp = _plan(reseedable, tmp_path, text)
    assert [(s.get("container"), s["name"]) for s in sp["settings"]] == [
        (None, "cpu"),
        (None, "memory"),
    ]
    steps = {step["target"]: step["reason"] for step in sp["manual"]}
    assert set(steps) == {"setting.cpu", "setting.memory"}, steps
    assert steps["setting.memory"].startswith("container otel: memory 1Gi would leave"), steps
    assert "below one CPU in all, memory 1Gi at most (it is 2Gi)" in steps["setting.memory"]
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "INVALID_ARGUMENT" not in said, said
    assert dict(otel_of(_template(reseedable, "service")).resources.limits) == {
        "cpu": "1",
        "memory": "256Mi",
    }


@pytest.mark.parametrize("kind", ["job", "worker_pool"])
def test_a_sidecar_memory_leaving_the_instance_below_its_kind_s_floor_is_a_manual_step(
    reseedable: Sandbox, tmp_path: Path, kind: str
) -> None:
    """app 256Mi beside otel 256Mi: 512Mi in all, the least a job or pool takes; the profile
    lowers otel to 128Mi (384Mi in all): below the floor by every reading (each container's or
    the instance's), so a step, nothing written."""
    scenario = _world(kind)
    (body,) = scenario["projects"].values()
    body[SECTION[kind]]["app"]["template"]["containers"][0]["resources"]["limits"]["memory"] = (
        "256Mi"
    )
    reseedable.reset(scenario)
    before = _template(reseedable, kind)
    said, text = _one_step(reseedable, tmp_path, kind, "128Mi")
    assert said.startswith("container otel: memory 128Mi would leave the instance"), said
    assert f"384Mi in all is below the 512Mi a {kind.replace('_', ' ')} takes" in said, said
    _fix_writes_nothing(reseedable, tmp_path, text, kind, before)
