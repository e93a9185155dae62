"""helper-710 F7, settled by helper-739: Cloud Run's healthchecks page says a TCP startup probe
"is automatically configured for a new Cloud Run service with default values" (`tcpSocket:
port: CONTAINER_PORT, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1`); run v2's
`Container.startup_probe` does not say what a read returns where a write left it out, nor
whether an update without one gets it back. The Terraform provider marks the block
`default_from_api` (magic-modules mmv1/products/cloudrunv2/Service.yaml): the API answers one
it was not sent, at least for a new service. So the sandbox does either (option
`template_defaults`: `filled` writes the default in on every write, `unset` keeps a write as
sent) and drift must be right under both, on a service as Terraform writes it (a fixed
revision name per apply, no client, the whole template sent each time):

- no probe anywhere, the profile naming the default: clean (drift reads a service's ingress
  container without a probe as having the default, which `filled` makes literal);
- the profile's HTTP probe taken out by an apply that leaves the block out: drift under either
  reading, on the new revision, the default TCP probe its `actual` (said to be Cloud Run's
  default where none was read: tests/fields/test_default_probe_said.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import TEMPLATE_READINGS, ClientsFor, MakeSandbox

P = "acme-prod"
NAME = f"projects/{P}/locations/us-central1/services/billing"
DEFAULT = "tcp port 8080 delay 0s timeout 240s period 240s failure 1"


def _world(reading: str, probe: dict[str, Any] | None) -> dict[str, Any]:
    app: dict[str, Any] = {
        "image": "us-central1-docker.pkg.dev/acme-prod/apps/billing:7.1.3",
        "ports": [{"containerPort": 8080}],
    }
    if probe is not None:
        app["startupProbe"] = probe
    service = {
        "labels": {"managed-by": "terraform"},
        "template": {"revision": "billing-v42", "containers": [app]},
    }
    return {
        "options": {"seed": 7, "template_defaults": reading},
        "projects": {P: {"number": 500000000001, "region": "us-central1",
                         "services": {"billing": service}}},
    }  # fmt: skip


@pytest.fixture(params=TEMPLATE_READINGS)
def reading(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.param


def _check(sandbox: Sandbox, tmp_path: Path, probe: str) -> tuple[int, list[dict[str, Any]]]:
    profile = f"project: {P}\nregion: us-central1\nservices:\n  billing:\n    settings:\n"
    profile += f"      startup_probe: {probe}\n"
    done = drift_on(sandbox, tmp_path, ("prod", profile), "check", "prod", "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def _apply_without_probe(sandbox: Sandbox, clients_for: ClientsFor) -> None:
    """`terraform apply` of the same service with the `startup_probe` block left out: the whole
    template sent, a new fixed revision name, all traffic to the latest revision."""
    services = clients_for(sandbox).services
    service = services.get_service(name=NAME)
    service.template.containers[0]._pb.ClearField("startup_probe")
    service.template.revision = "billing-v43"
    latest = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
    del service.traffic[:]
    service.traffic.append(run_v2.TrafficTarget(type_=latest, percent=100))
    services.update_service(service=service).result()


def test_no_probe_anywhere_is_the_default_a_profile_names(
    make_sandbox: MakeSandbox, tmp_path: Path, reading: str
) -> None:
    sandbox = make_sandbox(_world(reading, None))
    read = sandbox.service(P, "billing").template.containers[0]
    assert ("startup_probe" in read) is (reading == "filled")  # the two readings differ
    assert _check(sandbox, tmp_path, "tcp port 8080 timeout 240s period 240s failure 1") == (0, [])


def test_an_apply_that_leaves_the_probe_out_is_drift_from_an_http_probe(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, reading: str
) -> None:
    sandbox = make_sandbox(_world(reading, {"httpGet": {"path": "/healthz", "port": 8080}}))
    assert _check(sandbox, tmp_path, "http /healthz port 8080") == (0, [])
    _apply_without_probe(sandbox, clients_for)
    read = sandbox.service(P, "billing").template.containers[0]
    assert ("startup_probe" in read) is (reading == "filled")
    code, found = _check(sandbox, tmp_path, "http /healthz port 8080")
    assert code == 1, found
    ((rule, target, revision, actual),) = [
        (f["rule"], f["target"], f["revision"], f["actual"]) for f in found
    ]
    # read under `filled`; under `unset` none was read, and the finding says so (helper-739 F4)
    said = DEFAULT + (" (Cloud Run's default: none set)" if reading == "unset" else "")
    assert (rule, target, revision, actual) == (
        "setting.value",
        "setting.startup_probe",
        "billing-v43",
        said,
    )
