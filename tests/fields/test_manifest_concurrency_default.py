"""The concurrency an unset `max_instance_request_concurrency` has, as `drift check --manifest`
reads it from a Knative manifest's CPUs.

revown40 F2: the concurrency an unset `max_instance_request_concurrency` has, read from the
ingress container's CPU alone (drift/fields/limits.py `default_concurrency`: `read_cpu(source)`
is `source.container`'s limit). RevisionTemplate.max_instance_request_concurrency: "defaults to
80 when requested CPU >= 1 and defaults to 1 when requested CPU < 1"; what Cloud Run refuses
below one CPU is the instance's ("Total cpu < 1 is not supported with concurrency > 1"), and so
drift reads it elsewhere (drift/fields/cpu_floor.py: "'Total': the instance's CPU, every
container's"), and so does its sandbox (drift/sandbox/templates.py `default_concurrency`).

A Knative manifest (unset concurrency is common there) with an ingress container of 0.5 CPU and
a sidecar of 0.5 CPU: `drift check --manifest` says concurrency 1, a drift from the profile's 80
(exit 1: the pipeline's gate stops the deploy); the same spec once deployed reads 80, clean.

Repro: .venv/bin/python -m pytest -q tests/fields/test_manifest_concurrency_default.py -n 0

revown43 F2: an empty CPU limit in a manifest was an
internal error since fixcpu2 (8493260): it is the default, as read_cpu says.

drift reads `resources.limits.cpu: ""` as unset everywhere (`limits.read_cpu`: "if not raw:
DEFAULT_CPU"; `access.unparsed_limit`: "" is "unset", so `concurrency_unknown` says nothing),
except in the one rule fixcpu2 made the unset concurrency's default go through:
`cpu_floor.instance_cpu` does `parse_cpu(c.resources.limits.get("cpu", "1"))`, and `.get` gives
"" for a key present with an empty value. `default_concurrency` (drift/fields/limits.py) then
raises ValueError out of the diff: `drift: error: internal error: ValueError: not a CPU
quantity: ''`, exit 2. An empty value is what a templated manifest gives when its variable is
unset (`cpu: "${CPU}"`). Before 8493260 the same check read 1 CPU, concurrency 80: clean, exit 0.
SPEC invariant 7: bad input gets one clear message and an exit code, never an internal error.

Repro: .venv/bin/python -m pytest -q tests/fields/test_manifest_concurrency_default.py -n 0"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
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
          limits: {cpu: %s, memory: 512Mi}
"""
SIDECAR = """      - name: proxy
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


def _world(sandbox: Sandbox, tmp_path: Path, manifest: str) -> dict[str, str]:
    """The profile and the manifest written; the environment that reaches `sandbox`."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    (tmp_path / "web.yaml").write_text(manifest)
    return sandbox.environ()


def test_the_manifests_default_concurrency_is_the_instances(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    live = {"containers": [_container("app", "500m", 8080), _container("proxy", "500m")]}
    sandbox = make_sandbox(
        {"projects": {"p": {"number": 5, "services": {"web": {"template": {"api": live}}}}}}
    )
    env = _world(sandbox, tmp_path, MANIFEST % "500m" + SIDECAR)
    deployed = drift("check", "prod", "-f", "json", env=env, cwd=tmp_path)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr  # live: 80, clean
    planned = drift("check", "prod", "-m", "web.yaml", "-f", "json", env=env, cwd=tmp_path)
    doc = json.loads(planned.stdout)
    # main: exit 1, "concurrency on manifest:web.yaml is 1, the profile says 80"
    assert planned.returncode == 0, [(f["target"], f.get("message")) for f in doc["findings"]]


def test_an_empty_cpu_limit_in_a_manifest_is_no_internal_error(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox({"projects": {"p": {"number": 5, "services": {"web": {}}}}})
    env = _world(sandbox, tmp_path, MANIFEST % '""')
    done = drift("check", "prod", "-m", "web.yaml", env=env, cwd=tmp_path)
    assert "internal error" not in done.stderr, done.stderr
    # read as unset (1 CPU: concurrency 80, clean) as read_cpu reads it, or refused at its
    # line; never a Python exception
    assert done.returncode in (0, 2, 3), (done.returncode, done.stdout, done.stderr)
