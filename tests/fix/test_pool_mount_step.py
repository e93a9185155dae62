"""A worker pool missing the secret file its profile mounts: the manual step printed
`gcloud beta run worker-pools update … --update-secrets=/PATH/<FILE>=S:V`, which gcloud
refuses for every worker pool ("Secrets volume mount is not supported for Worker Pools yet",
command_lib/run/v2/flags_parser.py `_GetSecretsChanges`, gcloud 528 and 578; helper-557 G8).
The step now gives no command and says where a pool's secret volume is set: its YAML, applied
with `gcloud beta run worker-pools replace`. A service's step keeps its command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import profile, run, world

MOUNT = '    mounts:\n      /etc/cfg/app.json: {secret: app-config, version: "1"}\n'


@pytest.mark.parametrize("kind", ["worker_pool", "service"])
def test_a_mount_step_gives_a_pool_no_command_gcloud_refuses(
    kind: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    scenario = world(kind)
    scenario["projects"][LAB]["secrets"] = {"app-config": {"versions": ["{}"]}}
    sandbox = make_sandbox(scenario)
    text = profile("        settings: {}\n", kind, app=MOUNT)
    done = run(sandbox, tmp_path, text, "plan", "lab", "--format", "json")
    (workload,) = json.loads(done.stdout)["services"]
    (step,) = [m for m in workload["manual"] if m["target"].startswith("mount.")]
    if kind == "worker_pool":
        assert step["commands"] == [], step
        assert "Secrets volume mount is not supported for Worker Pools yet" in step["reason"]
        assert "gcloud beta run worker-pools replace FILE" in step["reason"], step
    else:
        (command,) = step["commands"]
        assert "--update-secrets=/etc/cfg/app.json/<FILE>=app-config:1" in command, step
