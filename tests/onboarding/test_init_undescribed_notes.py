"""helper-624 F6: `drift init` of a job or worker pool with several containers, none with a
port, writes each container's own cpu, memory and image under `containers:` (712bff88), yet it
also printed, and wrote as comments, "cpu/memory/image/depends_on not written: drift cannot read
it … name it with `container: NAME`" — advice the file below it contradicts. Those settings are
not the workload's to state there: nothing is said of them; the profile checks clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift, drift_on
from tests.conftest import MakeSandbox

AGENT = {"name": "agent", "image": "img/agent:1", "env": [{"name": "LEVEL", "value": "info"}]}
CONSUMER = {
    "name": "consumer",
    "image": "img/consumer:1",
    "env": [{"name": "QUEUE", "value": "prod"}],
    "resources": {"limits": {"cpu": "2", "memory": "1Gi"}},
}


def _world(kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {"template": {"containers": [AGENT, CONSUMER]}}
    if kind == "worker_pools":
        body["instances"] = 1
    name = "pool" if kind == "worker_pools" else "job"
    project = {"number": 111, "region": "us-central1", kind: {name: body}}
    return {"options": {"seed": 3}, "projects": {"acme": project}}


@pytest.mark.parametrize("kind", ["worker_pools", "jobs"])
def test_init_says_nothing_of_a_main_container_it_writes_none_of(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    sandbox = make_sandbox(_world(kind))
    folder = tmp_path / "profiles"
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    done = drift(
        "init", "prod", "--from-live", "--project", "acme", "--region", "us-central1",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (folder / "prod.yaml").read_text()
    said = done.stdout + done.stderr + text
    assert "not written" not in said and "container: NAME" not in said, said
    assert "containers:" in text and 'cpu: "2"' in text, text
    check = drift_on(sandbox, tmp_path, ("prod", text), "check", "prod")
    assert check.returncode == 0, check.stdout + check.stderr
