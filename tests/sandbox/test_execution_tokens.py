"""The sandbox's `create_execution` oneof of a Job as the real API treats it (job.proto:
"A unique string used as a suffix [for] creating a new execution"; GoogleCloudPlatform/
magic-modules#19060, observed: a re-sent token fails with "Resource 'job-token' already
exists", a new one starts an execution, and the job drops it once another execution is
created), and `run_job(failure=…)` with `wait` (revjobs3)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, JOB_SPEC, sandbox_of


def test_sandbox_refuses_a_token_of_an_existing_execution(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    spec = copy.deepcopy(JOB_SPEC)
    spec["api"] = {"startExecutionToken": "v1"}
    spec["executions"] = [{"name": "job-v1", "created": "1d"}]
    client = run_for(sandbox_of(make_sandbox, jobs={"job": spec})).jobs
    job = client.get_job(name=JOB)
    assert job.start_execution_token == "v1"  # answered: it created the current generation
    with pytest.raises(exceptions.AlreadyExists, match="Resource 'job-v1' already exists"):
        client.update_job(job=job).result(timeout=10)


def test_sandbox_starts_an_execution_for_a_new_token_and_drops_it_on_run(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    run = run_for(sandbox_of(make_sandbox))
    job = run.jobs.get_job(name=JOB)
    job.run_execution_token = "v2"
    run.jobs.update_job(job=job).result(timeout=10)
    now = run.jobs.get_job(name=JOB)
    assert now.run_execution_token == "v2"
    assert now.latest_created_execution.name.rsplit("/", 1)[-1] == "job-v2"
    run.jobs.run_job(name=JOB).result(timeout=10)
    # "drops it as soon as an execution is created any other way" (magic-modules#19060)
    assert run_v2.Job.pb(run.jobs.get_job(name=JOB)).WhichOneof("create_execution") is None


def test_sandbox_run_job_with_wait_applies_the_failure(make_sandbox: MakeSandbox) -> None:
    """`run_job(failure=…)` answered a succeeded execution: it settled before the failure."""
    execution = sandbox_of(make_sandbox).run_job("p", "job", failure="OOMKilled")
    assert execution.failed_count == 1 and "OOMKilled" in execution.conditions[-1].message
