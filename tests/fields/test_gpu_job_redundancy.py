"""A GPU job whose template does not set gpu_zonal_redundancy_disabled: the API's default for a
job is not documented (the services GPU page: "By default, zonal redundancy is turned on for
GPUs"; the jobs GPU page: "GPU for jobs follow No zonal redundancy pricing"), so a profile
stating it is not judged against a guessed default: the setting is not verified (exit 3,
SPEC invariant 6). Set on the job, it is compared; a service's unset value stays "on"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from drift.sandbox.state import JOBS
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.test_gpu_steps_jobs_pools import _plan_prod
from tests.sandbox.jobworld import world

pytestmark = pytest.mark.sandbox

PROFILE = "jobs:\n  job:\n    settings:\n      gpu_zonal_redundancy_disabled: false\n"


def gpu_job(make_sandbox: MakeSandbox, redundancy_off: bool | None) -> Sandbox:
    sandbox = make_sandbox(world())

    def apply() -> None:
        core: Any = sandbox._core  # noqa: SLF001 — a test-only patch of the emulator
        rec = core.world.job(core.world.find("p", "job", JOBS))
        task = rec.pb.template.template
        task.node_selector.accelerator = "nvidia-l4"
        if redundancy_off is not None:
            task.gpu_zonal_redundancy_disabled = redundancy_off

    sandbox._run(apply)  # noqa: SLF001
    return sandbox


def check(sandbox: Sandbox, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    done = _plan_prod(sandbox, tmp_path, PROFILE)  # writes the profile
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path / "profiles")}
    ran = drift("check", "prod", "--format", "json", "--no-history", env=env, cwd=tmp_path)
    assert done.returncode in (0, 1, 3) and "Traceback" not in ran.stderr, ran.stderr
    return ran.returncode, json.loads(ran.stdout)


def test_a_gpu_job_that_does_not_say_is_not_judged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    code, report = check(gpu_job(make_sandbox, None), tmp_path)
    unverified = [u for u in report["unverified"] if "gpu_zonal_redundancy" in u["target"]]
    assert code == 3 and unverified, report
    assert "not documented" in unverified[0]["reason"], unverified
    assert not [f for f in report["findings"] if "gpu_zonal" in f["target"]], report


@pytest.mark.parametrize(("live", "drifted"), [(False, False), (True, True)])
def test_a_gpu_job_that_says_is_compared(
    make_sandbox: MakeSandbox, tmp_path: Path, live: bool, drifted: bool
) -> None:
    code, report = check(gpu_job(make_sandbox, live), tmp_path)
    found = [f for f in report["findings"] if "gpu_zonal" in f["target"]]
    assert bool(found) is drifted and code == (1 if drifted else 0), report
