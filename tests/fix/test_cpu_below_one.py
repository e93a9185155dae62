"""A cpu below 1 in a plan: Cloud Run refuses a revision of less than 1 CPU with concurrency
over 1, CPU always allocated or the second generation environment
(cloud.google.com/run/docs/configuring/services/cpu), so a plan never writes the cpu alone onto
a revision that has them. What the profile states beside it is planned with it; what it does
not state makes the cpu a manual step naming what Cloud Run requires. `profiles validate`
notes a profile that states the contradiction itself (tests/profiles/test_catalogue_values):
containers it does not name may lift the instance to 1 CPU."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world, updates

IMAGE = "us-docker.pkg.dev/lab/app:v1"
ALWAYS_ON_GEN2 = {
    "image": IMAGE,
    "port": 8080,
    "cpu": "1",
    "concurrency": 80,
    "cpu_throttling": False,
    "execution_environment": "gen2",
}


def _profile(tmp_path: Path, settings: str) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n{settings}"
    )


def _run(sandbox: Sandbox, tmp_path: Path, *args: str) -> Any:
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(tmp_path / "profiles"),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }
    return drift(*args, env=env, cwd=tmp_path, timeout=120)


def test_a_cpu_below_one_alone_is_a_manual_step_naming_what_cloud_run_requires(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template=ALWAYS_ON_GEN2))
    _profile(tmp_path, "      cpu: 0.5\n")
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (service,) = json.loads(plan.stdout)["services"]
    assert service["settings"] == [] and service["env"] == [], plan.stdout
    (step,) = service["manual"]
    assert step["target"] == "setting.cpu"
    for needed in (
        "concurrency 1 (it is 80)",
        "cpu_throttling true (it is false)",
        "execution_environment gen1 (it is gen2)",
        "cloud.google.com/run/docs/configuring/services/cpu",
    ):
        assert needed in step["reason"], step["reason"]
    (command,) = step["commands"]
    for flag in (
        "--cpu=500m",
        "--concurrency=1",
        "--cpu-throttling",
        "--execution-environment=gen1",
    ):
        assert flag in command, command
    sandbox.clear_calls()
    for args in (("--dry-run",), ("--yes", "--no-verify")):
        done = _run(sandbox, tmp_path, "fix", "lab", *args)
        assert done.returncode == 1 and "nothing to patch" in done.stdout, done.stdout
    assert updates(sandbox) == []  # never a patch the server refuses, nor a dry run of one
    template = sandbox.service(LAB, "app").template
    assert template.containers[0].resources.limits["cpu"] == "1"


def test_what_the_profile_states_beside_the_cpu_is_planned_with_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template=ALWAYS_ON_GEN2))
    _profile(
        tmp_path,
        "      cpu: 0.5\n      concurrency: 1\n      cpu_throttling: true\n"
        "      execution_environment: gen1\n",
    )
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (service,) = json.loads(plan.stdout)["services"]
    assert {s["name"] for s in service["settings"]} == {
        "cpu",
        "concurrency",
        "cpu_throttling",
        "execution_environment",
    }
    assert service["manual"] == []
    dry = _run(sandbox, tmp_path, "fix", "lab", "--dry-run")
    assert dry.returncode == 0 and "accepted the patch" in dry.stdout, dry.stdout + dry.stderr
    fixed = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    template = sandbox.service(LAB, "app").template
    (container,) = template.containers
    assert container.resources.limits["cpu"] == "500m" and container.resources.cpu_idle
    assert template.max_instance_request_concurrency == 1
    assert template.execution_environment.name.endswith("GEN1")


def test_a_concurrency_the_revisions_cpu_refuses_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The cpu the revision keeps (500m, concurrency 1): concurrency 10 alone is refused."""
    small = {"image": IMAGE, "port": 8080, "cpu": "500m", "timeout": "60s"}
    sandbox = make_sandbox(lab_world(template=small))
    _profile(tmp_path, "      concurrency: 10\n      timeout: 120s\n")
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (service,) = json.loads(plan.stdout)["services"]
    assert [s["name"] for s in service["settings"]] == ["timeout"], plan.stdout
    (step,) = service["manual"]
    assert step["target"] == "setting.concurrency"
    assert "needs 1 CPU or more" in step["reason"] and "500m" in step["reason"]
    assert "--cpu=1" in step["commands"][0] and "--concurrency=10" in step["commands"][0]


def test_profiles_validate_notes_a_cpu_below_one_with_concurrency(tmp_path: Path) -> None:
    """A note, not a refusal (helper-681): containers the profile does not name may bring the
    instance to 1 CPU; the plan judges the template (tests/fix/test_sidecar_cpu_profile_fix)."""
    _profile(tmp_path, "      cpu: 0.5\n      concurrency: 80\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    said = done.stderr + done.stdout
    assert "lab.yaml:7: note: app: concurrency 80 with cpu 500m" in said, said
    assert "said, not refused: containers the profile does not name" in said, said
