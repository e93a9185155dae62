"""helper-545 F1, the first day: `drift init --from-live` writes each sidecar's limits (and
its image as a comment, as the main container's), the profile checks clean on the unchanged
service, and a teammate's `gcloud run services update app --container otel --memory 512Mi`
(here: UpdateService through the official client) is a finding. A split whose older
revision runs the sidecar with other limits is announced by init and is a rollout."""

from __future__ import annotations

import json
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import OTEL, OTEL_NEXT, otel_of, served, world

INIT = ("init", "lab", "--from-live", "--project", LAB, "--region", "us-central1")


def _init(sandbox: Sandbox, tmp_path: Path) -> tuple[str, str]:
    done = drift(*INIT, env=sandbox.environ(), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return (tmp_path / "profiles" / "lab.yaml").read_text(), done.stdout + done.stderr


def _check(sandbox: Sandbox, tmp_path: Path) -> tuple[int, list[dict[str, str]]]:
    done = drift("check", "lab", "--format", "json", env=sandbox.environ(), cwd=tmp_path)
    return done.returncode, json.loads(done.stdout)["findings"]


def test_init_states_the_sidecars_limits_and_a_change_is_then_found(
    reseedable: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    reseedable.reset(world())
    text, _ = _init(reseedable, tmp_path)
    block = text.split("      otel:\n", 1)[1]
    assert block.startswith(
        f'        settings:\n          cpu: "1"\n          memory: 256Mi\n'
        f"          # image: {OTEL}   # or {{pattern: …}}\n"
    ), text
    assert _check(reseedable, tmp_path) == (0, [])

    services = clients_for(reseedable).services
    service = services.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
    otel_of(service.template).resources.limits["memory"] = "512Mi"
    services.update_service(service=service).result()
    code, findings = _check(reseedable, tmp_path)
    assert code == 1
    assert [(f["target"], f["container"], f["actual"]) for f in findings] == [
        ("setting.memory", "otel", "512Mi")
    ]


def test_a_split_on_other_sidecar_limits_is_announced_and_a_rollout(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    old = {"name": "app-00001-old", "containers": served(OTEL_NEXT, "1Gi")}
    traffic = [{"latest": True, "percent": 70}, {"revision": "app-00001-old", "percent": 30}]
    reseedable.reset(world(history=[old], traffic=traffic))
    _, said = _init(reseedable, tmp_path)
    assert "app-00001-old (30%)" in said
    assert "memory on app-00001-old (container otel) is 1Gi, the profile says 256Mi" in said
    code, findings = _check(reseedable, tmp_path)
    assert code == 1
    assert {(f["rule"], f["target"]) for f in findings} == {
        ("revision.rollout", "revision.app-00001-old"),
        ("setting.value", "setting.memory"),
    }
