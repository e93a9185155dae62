"""A Job created or updated with an execution token waits for that execution (revfidelity2 F2).
job.proto (google/cloud/run/v2, googleapis/googleapis google/cloud/run/v2/job.proto, Job):
`run_execution_token` "A unique string used as a suffix for creating a new execution. The Job
will become ready when the execution is successfully completed"; `start_execution_token` "…
The Job will become ready when the execution is successfully started". The sandbox
(drift/sandbox/jobs_core.JobRunner, jobs.execution_failed) keeps a run-token job reconciling
until its execution ends, then ready, or failed with the execution's message and reason; its
executions start when created, so a start-token job is ready when its update settles
(unless that start fails: tests/sandbox/test_job_token_fidelity.py).

    PYTHONPATH=. .venv/bin/python -m pytest -q tests/sandbox/test_run_execution_token_ready.py
"""

from __future__ import annotations

from typing import Any

from google.cloud import run_v2

from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, sandbox_of

FAILED = run_v2.Condition.State.CONDITION_FAILED

SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED


def _tokened(make_sandbox: MakeSandbox, run_for: Any, token: str = "run") -> tuple[Any, Any, Any]:
    """The job updated with a `{token}_execution_token` of `v2` (execution job-v2), deploys
    held, the update's own reconciliation ended: (sandbox, clients, the update's operation)."""
    sandbox = sandbox_of(make_sandbox)
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    setattr(job, f"{token}_execution_token", "v2")
    sandbox.hold_deploys()
    operation = run.jobs.update_job(job=job)  # not waited on: it is held
    sandbox.finish_update("p", "job", "job")
    return sandbox, run, operation


def test_a_job_is_not_ready_before_its_run_execution_token_execution_completes(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox, run, _ = _tokened(make_sandbox, run_for)
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
    sandbox, run, _ = _tokened(make_sandbox, run_for)
    failed = sandbox.finish_execution("p", "job", "job-v2", failure="OOMKilled")
    assert failed.failed_count, failed
    now = run.jobs.get_job(name=JOB)
    assert now.terminal_condition.state != SUCCEEDED, (
        "the job reads ready though the execution its run_execution_token started failed",
        now.terminal_condition,
    )
    assert now.terminal_condition.state == FAILED and now.terminal_condition.execution_reason, now
    assert "job-v2" in now.terminal_condition.message, now.terminal_condition


def test_the_job_is_ready_once_its_run_execution_token_execution_completed(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox, run, operation = _tokened(make_sandbox, run_for)
    assert run.jobs.get_job(name=JOB).reconciling  # waiting on job-v2
    sandbox.finish_execution("p", "job", "job-v2")
    now = operation.result(timeout=10)
    assert now.terminal_condition.state == SUCCEEDED and not now.reconciling, now
    assert now.observed_generation == now.generation, now


def test_a_start_execution_token_job_is_ready_when_its_execution_started(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox, run, _ = _tokened(make_sandbox, run_for, "start")
    assert sandbox.execution("p", "job", "job-v2").reconciling  # started, still running
    assert run.jobs.get_job(name=JOB).terminal_condition.state == SUCCEEDED


def test_a_newer_update_supersedes_the_wait(make_sandbox: MakeSandbox, run_for: Any) -> None:
    sandbox, run, _ = _tokened(make_sandbox, run_for)
    again = run.jobs.get_job(name=JOB)
    run_v2.Job.pb(again).ClearField("run_execution_token")  # drift's write: no token
    again.labels["x"] = "y"
    run.jobs.update_job(job=again)
    sandbox.finish_update("p", "job", "job")
    assert sandbox.execution("p", "job", "job-v2").reconciling
    assert run.jobs.get_job(name=JOB).terminal_condition.state == SUCCEEDED
