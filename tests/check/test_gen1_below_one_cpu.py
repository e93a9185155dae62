"""helper-547 F3: below one CPU, "You must use the first generation execution environment"
(cloud.google.com/run/docs/configuring/services/cpu); a service that leaves the environment
unset there ("Cloud Run selects the execution environment based on the features used") runs
gen1. drift read it as `default`, so a profile stating what runs (`gen1`) was drift. At one
CPU or more, unset stays Cloud Run's choice; `init` says gen1 below one CPU as a comment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run


def _world(cpu: str) -> dict[str, Any]:
    template = {
        "maxInstanceRequestConcurrency": 1,
        "containers": [
            {
                "name": "app",
                "image": "us-docker.pkg.dev/lab/app:v1",
                "ports": [{"containerPort": 8080}],
                "resources": {"limits": {"cpu": cpu, "memory": "512Mi"}, "cpuIdle": True},
            }
        ],
    }
    service = {"client": "gcloud", "client_version": "467.0.0", "template": template}
    return {
        "options": {"seed": 7},
        "projects": {
            LAB: {"number": 555000111444, "region": "us-central1", "services": {"app": service}}
        },
    }


def _profile(environment: str) -> str:
    return (
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        f"      execution_environment: {environment}\n"
    )


def test_unset_below_one_cpu_is_gen1(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(_world("0.5"))
    assert run(reseedable, tmp_path, _profile("gen1"), "check", "lab").returncode == 0
    done = run(reseedable, tmp_path, _profile("gen2"), "check", "lab", "--format", "json")
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["target"], finding["actual"]) == ("setting.execution_environment", "gen1")
    init = run(
        reseedable, tmp_path, _profile("gen1"),
        "init", "fresh", "--from-live", "--project", LAB, "--region", "us-central1",
    )  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    # what Cloud Run must run there, written as a comment: a line stating it would become
    # drift once the CPU is raised to one and Cloud Run chooses again (helper-550 F1)
    text = (tmp_path / "profiles/fresh.yaml").read_text()
    assert "      # execution_environment: gen1   # what Cloud Run runs below one CPU" in text
    assert "\n      execution_environment:" not in text


@pytest.mark.parametrize("environment", ["gen1", "gen2"])
def test_unset_at_one_cpu_is_cloud_runs_choice(
    reseedable: Sandbox, tmp_path: Path, environment: str
) -> None:
    reseedable.reset(_world("1"))
    done = run(reseedable, tmp_path, _profile(environment), "check", "lab", "--format", "json")
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["actual"] == "default"
