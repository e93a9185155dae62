"""revown40 F2: the concurrency an unset `max_instance_request_concurrency` has, read from the
ingress container's CPU alone (drift/fields/limits.py `default_concurrency`: `read_cpu(source)`
is `source.container`'s limit). RevisionTemplate.max_instance_request_concurrency: "defaults to
80 when requested CPU >= 1 and defaults to 1 when requested CPU < 1"; what Cloud Run refuses
below one CPU is the instance's ("Total cpu < 1 is not supported with concurrency > 1"), and so
drift reads it elsewhere (drift/fields/cpu_floor.py: "'Total': the instance's CPU, every
container's"), and so does its sandbox (drift/sandbox/templates.py `default_concurrency`).

A Knative manifest (unset concurrency is common there) with an ingress container of 0.5 CPU and
a sidecar of 0.5 CPU: `drift check --manifest` says concurrency 1, a drift from the profile's 80
(exit 1: the pipeline's gate stops the deploy); the same spec once deployed reads 80, clean.

Repro: .venv/bin/python -m pytest -q tests/fields/test_sidecar_concurrency_default.py -n 0"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

PROFILE = (
    "project: p\nregion: us-central1\nservices:\n  web:\n    settings:\n      concurrency: 80\n"
)
MANIFEST = """apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: x/web:1
        ports:
        - containerPort: 8080
        resources:
          limits: {cpu: 500m, memory: 512Mi}
      - name: proxy
        image: x/proxy:1
        resources:
          limits: {cpu: 500m, memory: 256Mi}
"""


def _container(name: str, cpu: str, port: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "image": f"x/{name}:1",
        "resources": {"limits": {"cpu": cpu, "memory": "256Mi"}, "cpuIdle": True},
    }
    if port:
        out["ports"] = [{"containerPort": port}]
    return out


def test_the_manifests_default_concurrency_is_the_instances(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    live = {"containers": [_container("app", "500m", 8080), _container("proxy", "500m")]}
    sandbox = make_sandbox(
        {"projects": {"p": {"number": 5, "services": {"web": {"template": {"api": live}}}}}}
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    (tmp_path / "web.yaml").write_text(MANIFEST)
    env = sandbox.environ()
    deployed = drift("check", "prod", "-f", "json", env=env, cwd=tmp_path)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr  # live: 80, clean
    planned = drift("check", "prod", "-m", "web.yaml", "-f", "json", env=env, cwd=tmp_path)
    doc = json.loads(planned.stdout)
    # main: exit 1, "concurrency on manifest:web.yaml is 1, the profile says 80"
    assert planned.returncode == 0, [(f["target"], f.get("message")) for f in doc["findings"]]
