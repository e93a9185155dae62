"""Jobs and their executions as Google documents them, where drift once held only because the
sandbox agreed with it (helper-631 F3, F4, F5), through the official clients:

- job.proto, Job.start_execution_token: "The Job will become ready when the execution is
  successfully started"; run_execution_token: "… when the execution is successfully
  completed". A start token's execution that fails to start (Binary Authorization, the secret
  check) leaves the job not ready; so does a seeded job whose token's execution did not
  (a shape job.proto rules out otherwise).
- The Ready condition's words for it are not documented: option `token_failure_ready`.
- ExecutionTemplate.parallelism: "if this field is 0 or unset, the maximum possible value will
  be used for that execution" — a quota "that varies depending on how many CPUs you are using"
  (cloud.google.com/run/docs/configuring/parallelism): option `execution_parallelism`."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, JOB_SPEC, world

FAILED = run_v2.Condition.State.CONDITION_FAILED
SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED
DENIED = "us-docker.pkg.dev/example/migrate:2"


def _started(execution: run_v2.Execution) -> Any:
    return next(c for c in execution.conditions if c.type_ == "Started")


def test_a_start_token_whose_execution_is_denied_by_binary_authorization_is_not_ready(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["binaryAuthorization"] = {"useDefault": True}
    sandbox = make_sandbox(world(jobs={"job": job}, binauthz_denied_images=[DENIED]))
    run = run_for(sandbox)
    wanted = run.jobs.get_job(name=JOB)
    wanted.template.template.containers[0].image = DENIED
    wanted.start_execution_token = "t1"
    operation = run.jobs.update_job(job=wanted)
    with pytest.raises(exceptions.GoogleAPICallError):
        operation.result(timeout=30)
    execution = sandbox.execution("p", "job", "job-t1")
    assert _started(execution).state == FAILED and not execution.start_time, execution
    now = run.jobs.get_job(name=JOB)
    assert not now.reconciling and now.terminal_condition.state == FAILED, now
    assert now.latest_created_execution.completion_status.name == "EXECUTION_FAILED"


@pytest.mark.parametrize("token", ["start", "run"])
def test_a_token_whose_execution_fails_its_secret_check_at_start_leaves_the_job_not_ready(
    make_sandbox: MakeSandbox, run_for: Any, token: str
) -> None:
    sandbox = make_sandbox(world(job_update_secret_check=False))
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    for var in job.template.template.containers[0].env:
        if var.name == "TOKEN":
            var.value_source.secret_key_ref.secret = "rotated"  # its latest version: DISABLED
    setattr(job, f"{token}_execution_token", "t1")
    with pytest.raises(exceptions.GoogleAPICallError):
        run.jobs.update_job(job=job).result(timeout=30)
    assert _started(sandbox.execution("p", "job", "job-t1")).state == FAILED
    assert run.jobs.get_job(name=JOB).terminal_condition.state == FAILED


def test_a_start_token_whose_execution_started_then_failed_in_a_task_is_ready(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox = make_sandbox(world())
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    job.start_execution_token = "t1"
    sandbox.hold_deploys()
    operation = run.jobs.update_job(job=job)
    sandbox.finish_update("p", "job", "job")  # started: ready, it need not complete
    assert operation.result(timeout=10).terminal_condition.state == SUCCEEDED
    sandbox.finish_execution("p", "job", "job-t1", failure="OOMKilled")
    assert run.jobs.get_job(name=JOB).terminal_condition.state == SUCCEEDED


@pytest.mark.parametrize(
    ("token", "run", "ready"),
    [
        ("runExecutionToken", {"outcome": "failed", "message": "boom"}, False),
        ("runExecutionToken", {"outcome": "cancelled"}, False),
        ("runExecutionToken", {"outcome": "succeeded"}, True),
        ("startExecutionToken", {"outcome": "failed"}, False),  # the secret check: never started
        ("startExecutionToken", {"outcome": "failed", "message": "boom"}, True),  # a task's
    ],
)
def test_a_seeded_token_job_is_ready_only_as_job_proto_says(
    make_sandbox: MakeSandbox, token: str, run: dict[str, Any], ready: bool
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    if run == {"outcome": "failed"}:
        job["template"]["env"]["TOKEN"] = {"secret": "rotated"}  # its latest: DISABLED
    job["api"] = {token: "v1"}
    job["executions"] = [{"name": "job-v1", "created": "1d", **run}]
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    seeded = sandbox.job("p", "job")
    state = seeded.terminal_condition.state
    assert (state == SUCCEEDED) is ready and (state == FAILED) is not ready, seeded


@pytest.mark.parametrize("wording", ["names_execution", "execution_words", "generic"])
def test_the_words_of_a_failed_token_jobs_ready_condition_are_the_options(
    make_sandbox: MakeSandbox, run_for: Any, wording: str
) -> None:
    sandbox = make_sandbox(world(token_failure_ready=wording))
    run = run_for(sandbox)
    job = run.jobs.get_job(name=JOB)
    job.run_execution_token = "v2"
    sandbox.hold_deploys()
    run.jobs.update_job(job=job)
    sandbox.finish_update("p", "job", "job")
    sandbox.finish_execution("p", "job", "job-v2", cancel=True)
    ready = run.jobs.get_job(name=JOB).terminal_condition
    assert ready.state == FAILED, ready
    assert ("job-v2" in ready.message) is (wording == "names_execution"), ready
    assert bool(ready.execution_reason) is (wording == "names_execution"), ready


@pytest.mark.parametrize(("option", "reported"), [("tasks", 500), ("quota", 100)])
def test_an_execution_of_a_job_whose_parallelism_is_0_reports_the_options_maximum(
    make_sandbox: MakeSandbox, option: str, reported: int
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["task_count"] = 500
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}, execution_parallelism=option))
    assert sandbox.job("p", "job").template.parallelism == 0
    assert sandbox.run_job("p", "job").parallelism == reported
    assert sandbox.run_job("p", "job", task_count=3).parallelism == 3  # at most its tasks
