"""revown44: manual steps and the gcloud script against what gcloud and Cloud Run take.
Each failed before its fix (main 059e5ed).

- F1: a worker pool's `revision.rollout` step hands over `gcloud run services update-traffic
  POOL --to-latest` (a *service's* traffic, of a service that may share the pool's name) and
  `gcloud run revisions describe` (services' revisions). A pool's instances move with
  `gcloud beta run worker-pools update-instance-split POOL --to-latest` (reference page
  cloud.google.com/sdk/gcloud/reference/beta/run/worker-pools/update-instance-split), its
  revisions are `gcloud beta run worker-pools revisions describe` (SDK 528
  surface/run/worker_pools/revisions/describe.py).
- F2: with `gpu_type: none` on a workload with several containers, the script leaves the GPU
  change to `drift fix` (fixgpu2 0c91c65) but keeps `--memory=1Gi` / `--cpu-throttling` that
  are only valid once the GPU is gone: run as is, the revision keeps its L4 and Cloud Run
  refuses the update (services/gpu page: L4 needs 4 CPU, 16 GiB, instance-based billing).
- F3: a worker pool's blocked `vpc_egress` step offers `--vpc-connector=<CONNECTOR>`, a flag
  `gcloud beta run worker-pools update` does not have (its reference synopsis; SDK 528:
  "unrecognized arguments: --vpc-connector"); drift's own catalogue gives vpc_connector to
  services and jobs only.
"""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.fields.test_hardware_settings import IMAGE, _profile, _run
from tests.fix.conftest import lab_world
from tests.fix.test_gpu_steps_jobs_pools import _plan_prod
from tests.sandbox.jobworld import POOL_SPEC, world


def _steps(done: Any) -> list[dict[str, Any]]:
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return [m for sp in json.loads(done.stdout)["services"] for m in sp["manual"]]


@pytest.mark.sandbox
def test_f1_a_pool_rollout_step_moves_the_pools_instances_not_a_services_traffic(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{"image": "us-docker.pkg.dev/example/consumer:0", "env": {"QUEUE": "old"}}]
    pool["instance_splits"] = [{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}]
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}))
    profile = "worker_pools:\n  pool:\n    container: consumer\n    env:\n      QUEUE: events\n"
    (step,) = [
        s
        for s in _steps(_plan_prod(sandbox, tmp_path, profile))
        if s["target"].startswith("revision.")
    ]
    words = [shlex.split(c.removeprefix("# ")) for c in step["commands"]]
    for argv in words:
        assert argv[:4] != ["gcloud", "run", "services", "update-traffic"], step["commands"]
        assert argv[:3] != ["gcloud", "run", "revisions"], step["commands"]


@pytest.mark.sandbox
def test_f2_script_leaving_gpu_none_to_drift_fix_keeps_no_change_the_gpu_refuses(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    limits = {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}
    api = {
        "nodeSelector": {"accelerator": "nvidia-l4"},
        "containers": [
            {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}],
             "resources": {"limits": limits, "cpuIdle": False}},
            {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:v1",
             "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "cpuIdle": False}},
        ],
    }  # fmt: skip
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "api": api}))
    _profile(tmp_path, "      gpu_type: none\n      memory: 1Gi\n      cpu_throttling: true\n")
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    assert "setting gpu_type" in script, script  # left to drift fix: the GPU stays
    runnable = [line for line in script.splitlines() if not line.startswith("#")]
    for refused in ("--memory=1Gi", "--cpu-throttling"):
        assert not [line for line in runnable if refused in line], script


@pytest.mark.sandbox
def test_f3_a_pool_vpc_egress_step_names_no_connector(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world())
    done = _plan_prod(
        sandbox, tmp_path, "worker_pools:\n  pool:\n    settings:\n      vpc_egress: all-traffic\n"
    )
    (step,) = _steps(done)
    assert not [c for c in step["commands"] if "--vpc-connector" in c], step["commands"]
