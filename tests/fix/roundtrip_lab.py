"""A one-service world for round trips as a user makes them (shrunk from revroundtrip's
generated worlds, /work/notes/reports/revroundtrip.md): `drift init --from-live`, a hand change
through the official ServicesClient (what gcloud / the console send: one UpdateService), then
drift as a user runs it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

PROJECT, REGION = "rt-prod", "us-central1"
SA = f"run@{PROJECT}.iam.gserviceaccount.com"
NAME = f"projects/{PROJECT}/locations/{REGION}/services/app"
IMAGE = "us-docker.pkg.dev/cloudrun/container/hello"


def world(service: dict[str, Any]) -> dict[str, Any]:
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
    return {
        "projects": {
            PROJECT: {
                "number": 500000000031,
                "region": REGION,
                "iam": grant,
                "services": {"app": service},
            }
        }
    }


def template(env: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    container = {"image": IMAGE, "ports": [{"containerPort": 8080}], "env": env or []}
    return {"serviceAccount": SA, "containers": [container]}


class Lab:
    def __init__(self, sandbox: Sandbox, tmp: Path) -> None:
        self.sandbox, self.tmp = sandbox, tmp
        self.channel = grpc.insecure_channel(sandbox.address)
        transport = ServicesGrpcTransport(channel=self.channel)
        self.services: Any = run_v2.ServicesClient(transport=transport)
        init = self.cli("init", "prod", "--from-live", "--project", PROJECT, "--region", REGION)
        assert init.returncode == 0, init.stdout + init.stderr

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**self.sandbox.environ(), "DRIFT_JOURNAL_DIR": str(self.tmp / "j")}
        profiles = str(self.tmp / "profiles")
        return drift(*args, "--profiles", profiles, env=env, cwd=self.tmp, timeout=120)

    def hand(self, change: Any) -> None:
        service = self.services.get_service(name=NAME)
        change(service)
        self.services.update_service(service=service).result()


@pytest.fixture
def lab(make_sandbox: MakeSandbox, tmp_path: Path) -> Any:
    made: list[Lab] = []

    def make(service: dict[str, Any]) -> Lab:
        made.append(Lab(make_sandbox(world(service)), tmp_path))
        return made[-1]

    yield make
    for one in made:
        one.channel.close()
