"""helper-669 F4: a profile stating a sidecar's cpu/memory exactly as it runs was refused at
load (exit 2, "below 1 CPU ... in all as stated") when the service runs a container the
profile does not name. Live: app 500m / 256Mi, otel 250m / 1Gi and a Cloud SQL proxy at
1 CPU / 512Mi, 1.75 CPU in all: no below-one rule applies to the instance ("Total cpu < 1"),
and Cloud Run (the sandbox, under either reading of `max_size_of`) takes that very template.
drift cannot know at load the containers a profile does not name: the pair is noted, and the
check runs (the profile matches what runs: exit 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import profile, run, world

PROXY = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2"


@pytest.mark.parametrize("reading", ["container", "instance"])
def test_a_sidecar_pair_a_container_not_named_lifts_to_one_cpu_is_noted_and_checked(
    reseedable: Sandbox, tmp_path: Path, clients_for: Any, reading: str
) -> None:
    scenario = world("service")
    (body,) = scenario["projects"].values()
    containers = body["services"]["app"]["template"]["containers"]
    containers[0]["resources"] = {"limits": {"cpu": "500m", "memory": "256Mi"}}
    containers[1]["resources"] = {"limits": {"cpu": "250m", "memory": "1Gi"}}
    limits = {"cpu": "1", "memory": "512Mi"}
    containers.append({"name": "proxy", "image": PROXY, "resources": {"limits": limits}})
    scenario["options"]["max_size_of"] = reading
    reseedable.reset(scenario)
    # the server takes a write of that very template under this reading
    services = clients_for(reseedable).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    service = services.get_service(name=name)
    service.template.revision = ""
    request = run_v2.UpdateServiceRequest(service=service, validate_only=True)
    services.update_service(request=request).result()

    app = "    settings:\n      cpu: 500m\n      memory: 256Mi\n"
    text = profile("        settings:\n          cpu: 250m\n          memory: 1Gi\n", app=app)
    for args in (("profiles", "validate"), ("check", "lab")):
        done = run(reseedable, tmp_path, text, *args)
        said = done.stdout + done.stderr
        assert done.returncode == 0, said  # was 2: refused at load
        assert "app: container otel: memory 1Gi with cpu 250m (profiles/lab.yaml:11)" in said
        assert "note" in said and "lab.yaml:12" in said, said
        assert "unless containers not stated add up to it" in said, said
