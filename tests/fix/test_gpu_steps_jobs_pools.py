"""The GPU step of a job or a worker pool asks for CPU and memory only: neither has a CPU
allocation to choose (the jobs and worker pools GPU pages, cloud.google.com/run/docs/configuring/
jobs/gpu and …/workerpools/gpu, ask for CPU and memory; `gcloud run jobs update` and `gcloud
beta run worker-pools update` have no --[no-]cpu-throttling; a job profile stating
cpu_throttling is refused), and it cites its own GPU page, not the services'."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import world


def _manual(done: Any) -> list[dict[str, Any]]:
    assert done.returncode in (0, 1), done.stdout + done.stderr
    plan = json.loads(done.stdout)
    return [step for sp in plan["services"] for step in sp["manual"]]


def _plan_prod(sandbox: Any, tmp_path: Path, profile: str) -> Any:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "prod.yaml").write_text(f"project: p\nregion: us-central1\n{profile}")
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    return drift("plan", "prod", "--format", "json", env=env, cwd=tmp_path, timeout=120)


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("section", "page"),
    [  # the pool's two containers have no port: it names its main one (helper-619 F4)
        ("jobs:\n  job:\n", "jobs/gpu"),
        ("worker_pools:\n  pool:\n    container: consumer\n", "workerpools/gpu"),
    ],
)
def test_gpu_step_of_a_job_or_pool_asks_for_cpu_and_memory_only(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, page: str
) -> None:
    sandbox = make_sandbox(world())
    done = _plan_prod(sandbox, tmp_path, f"{section}    settings:\n      gpu_type: nvidia-l4\n")
    (step,) = _manual(done)
    (command,) = step["commands"]
    assert "cpu-throttling" not in command and "cpu_throttling" not in step["reason"], step
    assert f"cloud.google.com/run/docs/configuring/{page}" in step["reason"], step["reason"]
    assert "--cpu=<CPU>" in command and "--gpu-type=nvidia-l4" in command, command
    words = shlex.split(command)
    if "--container" in words:  # the pool's two containers: the revision's flag first
        assert words.index("--gpu-type=nvidia-l4") < words.index("--container"), command
