"""revown41 repros (failed before its fix).

F4: on a GPU service, the cpu-below-1 step (drift/fix/below_one.py `floor_steps`, run before
`gpu_steps` in drift/fix/planner.py:104-107) says nothing of the GPU and sends the user to
concurrency 1, cpu_throttling true and memory ≤ 1Gi, each of which Cloud Run refuses with a
GPU (services/gpu page: "You must use instance-based billing to use the GPU feature", "a
minimum of 4 CPU and 16 GiB"): following it only leads to new GPU manual steps. And a cpu the
profile lowers to 2 under the GPU gets the step "state cpu, memory and cpu_throttling in the
profile beside gpu_type" with the command `… --cpu=2`, which Cloud Run refuses too.

F5 (3522f1f): a `--no-traffic` deploy that set only a field this client does not know leaves
the template as the spec of a ready revision that does not serve. `drift fix --from-template`
(the way on drift's own refusal names) now says "built on the template (it is what serves)",
and rolls that unreleased field out with the patch.

Repro: .venv/bin/python -m pytest -q tests/revown41/test_gpu_cpu_steps_and_unknown.py -n 0"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fields.test_hardware_settings import IMAGE, _profile, _run
from tests.fix.conftest import lab_world

pytestmark = pytest.mark.sandbox

GPU_SERVICE = {
    "image": IMAGE,
    "cpu": "4",
    "memory": "16Gi",
    "cpu_throttling": False,
    "api": {"nodeSelector": {"accelerator": "nvidia-l4"}},
}


def _steps(sandbox: Sandbox, tmp_path: Path) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    return [s for sp in json.loads(done.stdout)["services"] for s in sp["manual"]]


def test_f4_cpu_below_one_on_a_gpu_service_gives_advice_cloud_run_refuses(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template=GPU_SERVICE))
    _profile(tmp_path, "      cpu: 0.5\n")
    (step,) = _steps(sandbox, tmp_path)
    assert "GPU" in step["reason"], step  # it spoke of concurrency/throttling/memory only
    (command,) = step["commands"]
    for refused in ("--concurrency", "--cpu-throttling", "--cpu=500m"):  # each refused w/ GPU
        assert refused not in command, command
    assert "concurrency" not in step["reason"], step["reason"]
    # the two ways out it names: cpu a GPU instance can have, or no GPU
    assert "at least 4 CPU" in step["reason"] and "gpu_type: none" in step["reason"], step
    _profile(tmp_path, "      cpu: 4\n")
    assert not _steps(sandbox, tmp_path), "the advice led to new manual steps"
    _profile(tmp_path, "      cpu: 0.5\n      gpu_type: none\n")  # no GPU: 0.5 CPU's own rules
    (step,) = _steps(sandbox, tmp_path)
    assert "GPU" not in step["reason"] and "concurrency" in step["reason"], step


def test_f4_cpu_lowered_under_a_gpu_step_command_is_refused_too(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template=GPU_SERVICE))
    _profile(tmp_path, "      cpu: 2\n")
    (step,) = _steps(sandbox, tmp_path)
    (command,) = step["commands"]
    assert "--cpu=2" not in command, command  # 2 CPU with an L4: INVALID_ARGUMENT
