"""helper-647 O2: a service whose ingress container runs at 0.5 CPU beside a collector at 1 CPU
runs 1.5 CPU in all, where Cloud Run takes concurrency above 1, CPU always allocated, gen2 and
2Gi: its refusal is about the instance ("Total cpu < 1 is not supported with concurrency > 1",
drift/fields/cpu_floor.py), and the sandbox takes the template. `drift init --from-live`
commented out those settings ("a profile cannot state it": the app's 0.5 CPU judged alone),
and a profile stating them was refused at load. init now writes them with the sidecar's
limits, the profile loads, and `check` of the unchanged service is clean; a teammate's
concurrency change is then a finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import served

INIT = ("init", "lab", "--from-live", "--project", LAB, "--region", "us-central1")


def _world() -> dict[str, Any]:
    containers = served()  # the collector: 1 CPU, 256Mi
    containers[0]["resources"] = {"limits": {"cpu": "500m", "memory": "2Gi"}, "cpuIdle": False}
    template = {
        "containers": containers,
        "maxInstanceRequestConcurrency": 80,
        "executionEnvironment": "EXECUTION_ENVIRONMENT_GEN2",
    }
    body = {"client": "gcloud", "client_version": "467.0.0", "template": template}
    return {
        "options": {"seed": 7},
        "projects": {
            LAB: {"number": 555000111444, "region": "us-central1", "services": {"app": body}}
        },
    }


def _check(sandbox: Sandbox, tmp_path: Path) -> tuple[int, list[dict[str, str]], str]:
    done = drift("check", "lab", "--format", "json", env=sandbox.environ(), cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"] if done.stdout else []
    return done.returncode, findings, done.stderr


def test_init_states_what_a_sidecar_s_cpu_allows_and_the_profile_checks_clean(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    reseedable.reset(_world())
    done = drift(*INIT, env=reseedable.environ(), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "cannot state it" not in text, text
    own = text.split("    settings:\n", 1)[1].split("    containers:\n", 1)[0]
    for line in (
        "concurrency: 80",
        "cpu: 500m",
        "memory: 2Gi",
        "cpu_throttling: false",
        "execution_environment: gen2",
    ):
        assert f"      {line}\n" in own, text
    assert '          cpu: "1"\n          memory: 256Mi\n' in text, text
    validated = drift("profiles", "validate", env=reseedable.environ(), cwd=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "note:" not in validated.stdout + validated.stderr, validated.stdout + validated.stderr
    code, findings, said = _check(reseedable, tmp_path)
    assert (code, findings) == (0, []), said
    assert "memory 2Gi with cpu 500m" not in said, said

    services = clients_for(reseedable).services
    service = services.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
    service.template.max_instance_request_concurrency = 40
    services.update_service(service=service).result()
    code, findings, said = _check(reseedable, tmp_path)
    assert code == 1, said
    assert [(f["target"], f["actual"]) for f in findings] == [("setting.concurrency", "40")]


def test_init_of_a_pair_the_sidecar_makes_valid_in_all_loads_without_the_note(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """helper-647 F5: the app at 1 CPU with 5Gi beside the collector at 1 CPU with 256Mi (2 CPU
    and 5.25Gi in all): the profile init writes states both, and was noted at every load
    ("memory 5Gi needs at least 2 CPU …, in one container; unless the instance's other
    containers add up to it"), though they do."""
    world = _world()
    app = world["projects"][LAB]["services"]["app"]["template"]
    app["containers"][0]["resources"]["limits"] = {"cpu": "1", "memory": "5Gi"}
    reseedable.reset(world)
    done = drift(*INIT, env=reseedable.environ(), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert '      cpu: "1"\n      memory: 5Gi\n' in text, text
    validated = drift("profiles", "validate", env=reseedable.environ(), cwd=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "note:" not in validated.stdout + validated.stderr, validated.stdout + validated.stderr
    code, findings, said = _check(reseedable, tmp_path)
    assert (code, findings) == (0, []), said
    assert "memory 5Gi" not in said, said
