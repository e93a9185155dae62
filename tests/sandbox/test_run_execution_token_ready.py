"""revfidelity2 F2: a Job waits for the execution its run_execution_token starts.
job.proto (google/cloud/run/v2, Job.run_execution_token): "A unique string used as a suffix for
creating a new execution. The Job will become ready when the execution is successfully
completed"; start_execution_token: "… when the execution is successfully started". The sandbox
settles the job's Ready condition with the update alone (jobs.settle_job), whatever the token's
execution does (jobs_core.JobRunner.update / _start): a job whose run_execution_token execution
is still running, or failed, reads ready — so drift's reading of such a job (Terraform's
google_cloud_run_v2_job) is tested only against a behaviour the proto contradicts.

    PYTHONPATH=. .venv/bin/python -m pytest -q tests/sandbox/test_revfidelity2_token_ready.py
"""

from __future__ import annotations

from typing import Any

from google.cloud import run_v2

from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, sandbox_of

SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED


def test_a_job_is_not_ready_before_its_run_execution_token_execution_completes(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox = sandbox_of(make_sandbox)
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    job.run_execution_token = "v2"
    sandbox.hold_deploys()
    run.jobs.update_job(job=job)  # the operation is not waited on: it is held
    sandbox.finish_update("p", "job", "job")  # the update's own reconciliation ends
    now = run.jobs.get_job(name=JOB)
    running = sandbox.execution("p", "job", "job-v2")
    assert running.reconciling and not running.completion_time, running
    assert now.terminal_condition.state != SUCCEEDED, (
        "the job reads ready while the execution its run_execution_token started still runs",
        now.terminal_condition,
    )


def test_a_job_whose_run_execution_token_execution_failed_is_not_ready(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox = sandbox_of(make_sandbox)
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    job.run_execution_token = "v2"
    sandbox.hold_deploys()
    run.jobs.update_job(job=job)
    sandbox.finish_update("p", "job", "job")
    failed = sandbox.finish_execution("p", "job", "job-v2", failure="OOMKilled")
    assert failed.failed_count, failed
    now = run.jobs.get_job(name=JOB)
    assert now.terminal_condition.state != SUCCEEDED, (
        "the job reads ready though the execution its run_execution_token started failed",
        now.terminal_condition,
    )
