"""revjobs3 repros (expected to FAIL on main): jobs and worker pools as teams run them.

R1 the gcloud script of a pool whose instance split pins a revision of the template's
   configuration says nothing of those instances, which `gcloud beta run worker-pools update`
   leaves on the unpatched revision (drift fix moves them; the plan table says so).
R2 a job written by Terraform with `start_execution_token`: drift's UpdateJob (fix, and the
   rollback's) sends the token back as read.
R3 a job's profile asking `execution_environment: gen1`: drift plans (and fix writes) a
   change Cloud Run refuses for jobs.
R4 a job run with overrides (a Cloud Scheduler trigger's RunJob body): its latest execution
   ran with a variable the profile forbids, the check calls the job clean.
R5 --baseline: a job whose newer execution failed for another reason is "unchanged".
"""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest

from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import TODAY, check, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world


def _env(sandbox: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)


def _plan(profiles: Path) -> Any:
    return asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )


# --- R4 ------------------------------------------------------------------------------------

FORBIDS_DRY_RUN = """\
project: p
region: us-central1
jobs:
  job:
    env:
      MODE: live
      TOKEN: {secret: token}
      DRY_RUN: null
"""


def test_r4_a_job_whose_scheduled_executions_run_another_configuration_is_not_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    # each run of the last days came from the Scheduler trigger's RunJob body (overrides)
    job["executions"] = [
        {"created": "2d", "env": {"DRY_RUN": "1"}},
        {"created": "1d", "env": {"DRY_RUN": "1"}},
    ]
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    execution = sandbox.execution("p", "job")
    ran = {v.name: v.value for v in execution.template.containers[0].env}
    assert ran.get("DRY_RUN") == "1"  # what really ran: execution.proto Execution.template
    result = check(sandbox, monkeypatch, write_profile(tmp_path / "profiles", FORBIDS_DRY_RUN))
    said = [f.message for f in result.report.findings] + list(result.report.notes)
    assert any("DRY_RUN" in s for s in said), said
