"""helper-547 F1: CPU throttling is the instance's (what it is billed for), but the API holds it
per container (`ResourceRequirements.cpu_idle`: "true by default. However, if
ResourceRequirements is set, the caller must explicitly set this field to true"). A
Terraform-written service whose sidecar has `resources { limits }` and no `cpu_idle` keeps
that sidecar's CPU always allocated while the app's is throttled; which one the instance runs
with is not documented. drift read the app's alone, so `cpu_throttling: true` checked clean.
Now the setting is unverified there (exit 3), whatever the profile says, never clean and
never a finding on a guess; `plan` leaves it to a manual step and `fix` writes nothing of it;
`init` writes it as a comment saying why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.fields.allocation import throttled
from drift.sandbox import Sandbox
from tests.fix.sidecar_lab import profile, run, world

SAID = "its containers hold cpu_throttling differently (app: true, otel: false)"


def _terraform_shaped(otel_idle: bool | None) -> dict[str, Any]:
    """The app's resources say `cpu_idle = true`; the collector's as `otel_idle` (None: its
    `resources { limits }` without it)."""
    scenario = world()
    (body,) = scenario["projects"].values()
    app, otel = body["services"]["app"]["template"]["containers"]
    app["resources"] = {"limits": {"cpu": "1", "memory": "512Mi"}, "cpuIdle": True}
    if otel_idle is not None:
        otel["resources"]["cpuIdle"] = otel_idle
    return scenario


@pytest.mark.parametrize("stated", ["true", "false"])
def test_containers_that_disagree_leave_it_unverified(
    reseedable: Sandbox, tmp_path: Path, stated: str
) -> None:
    reseedable.reset(_terraform_shaped(None))
    text = profile("        env: {}\n", app=f"    settings:\n      cpu_throttling: {stated}\n")
    done = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 3, done.stdout
    assert report["findings"] == []
    (unverified,) = report["unverified"]
    assert unverified["target"] == "setting.cpu_throttling" and SAID in unverified["reason"]

    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    assert sp["settings"] == []
    (step,) = sp["manual"]
    assert step["target"] == "setting.cpu_throttling" and SAID in step["reason"]
    flag = "--cpu-throttling" if stated == "true" else "--no-cpu-throttling"
    assert flag in step["commands"][0]  # gcloud's revision flag: every container at once
    before = reseedable.service("fix-lab", "app").template
    run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert reseedable.service("fix-lab", "app").template == before


def test_containers_that_agree_are_judged(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(_terraform_shaped(True))
    text = profile("        env: {}\n", app="    settings:\n      cpu_throttling: true\n")
    assert run(reseedable, tmp_path, text, "check", "lab").returncode == 0
    wrong = text.replace("cpu_throttling: true", "cpu_throttling: false")
    done = run(reseedable, tmp_path, wrong, "check", "lab", "--format", "json")
    assert done.returncode == 1
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["target"] == "setting.cpu_throttling" and finding["actual"] == "true"


def test_init_writes_it_as_a_comment_saying_why(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(_terraform_shaped(None))
    done = run(
        reseedable, tmp_path, profile("        env: {}\n"),
        "init", "staging", "--from-live", "--project", "fix-lab", "--region", "us-central1",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "profiles" / "staging.yaml").read_text()
    assert f"# cpu_throttling: not written, drift cannot read it: {SAID}" in text
    assert "\n      cpu_throttling:" not in text


@pytest.mark.parametrize("defaults", ["unset", "filled"])
def test_fix_makes_every_container_agree(
    reseedable: Sandbox, tmp_path: Path, defaults: str
) -> None:
    """helper-548 F2: neither container has resources (both throttled); `cpu_throttling:
    false` is planned as gcloud's revision-wide `--no-cpu-throttling`, and `fix` writes it to
    every container — given resources where it had none — so its own re-check reads it. The
    sidecar's limits stay as they were: none where the server keeps a write as sent, the
    defaults it wrote in otherwise (option `template_defaults`)."""
    scenario = world()
    scenario["options"]["template_defaults"] = defaults
    (body,) = scenario["projects"].values()
    del body["services"]["app"]["template"]["containers"][1]["resources"]
    reseedable.reset(scenario)
    was = {
        c.name: dict(c.resources.limits)
        for c in reseedable.service("fix-lab", "app").template.containers
    }
    assert bool(was["otel"]) is (defaults == "filled")
    text = profile("        env: {}\n", app="    settings:\n      cpu_throttling: false\n")
    done = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    containers = reseedable.service("fix-lab", "app").template.containers
    assert {c.name: throttled(type(c).pb(c)) for c in containers} == {"app": False, "otel": False}
    assert {c.name: dict(c.resources.limits) for c in containers}["otel"] == was["otel"]
