"""RunJob and the Executions API through the official clients: overrides merged as
RunJobRequest.Overrides says, the execution behind a long-running operation, its counts,
conditions and times, a failure on the secret check with the revision's message, seeded past
executions listed newest first and paged, the sandbox's run and settle helpers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.sandbox.conftest import async_run
from tests.sandbox.jobworld import JOB, JOB_SPEC, PARENT, sandbox_of, short

State = run_v2.Condition.State
Status = run_v2.ExecutionReference.CompletionStatus
SECRETS_FAILED = run_v2.Condition.CommonReason.SECRETS_ACCESS_CHECK_FAILED


def conditions(execution: run_v2.Execution) -> dict[str, State]:
    return {c.type_: c.state for c in execution.conditions}


def with_secret(secret: str) -> dict[str, Any]:
    template = dict(JOB_SPEC["template"], env={"TOKEN": {"secret": secret}}, task_count=3)
    return {"job": {"template": template}}


def test_run_job_merges_the_overrides(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox))
    overrides = run_v2.RunJobRequest.Overrides(
        container_overrides=[
            run_v2.RunJobRequest.Overrides.ContainerOverride(
                env=[
                    run_v2.EnvVar(name="MODE", value="dry-run"),
                    run_v2.EnvVar(name="X", value="1"),
                ],
                args=["--only=0042"],
            )
        ],
        task_count=2,
        timeout=timedelta(seconds=60),
    )
    operation = run.jobs.run_job(request={"name": JOB, "overrides": overrides})
    assert operation.metadata.name.startswith(f"{JOB}/executions/job-")  # the execution
    execution = operation.result(timeout=10)
    container = execution.template.containers[0]
    # env "merged with existing env": MODE replaced in place, X added, TOKEN kept
    assert [(v.name, v.value) for v in container.env] == [
        ("MODE", "dry-run"),
        ("TOKEN", ""),
        ("X", "1"),
    ]
    assert container.args == ["--only=0042"]
    assert execution.task_count == 2 and execution.template.timeout == timedelta(seconds=60)
    assert execution.succeeded_count == 2 and not execution.failed_count
    assert conditions(execution)["Completed"] == State.CONDITION_SUCCEEDED
    assert execution.start_time and execution.completion_time and not execution.reconciling
    job = run.jobs.get_job(name=JOB)
    assert job.template.task_count == 1  # the job itself is unchanged
    assert [v.name for v in job.template.template.containers[0].env] == ["MODE", "TOKEN"]
    assert job.execution_count == 1
    latest = job.latest_created_execution
    assert latest.name == execution.name and latest.completion_status == Status.EXECUTION_SUCCEEDED
    assert latest.create_time == execution.create_time
    assert execution.job == JOB and execution.name.startswith(f"{JOB}/executions/job-")
    assert len(short(execution.name)) == len("job-") + 5


def test_an_unknown_container_override_is_refused(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox))
    override = run_v2.RunJobRequest.Overrides.ContainerOverride(name="nope", args=["x"])
    overrides = run_v2.RunJobRequest.Overrides(container_overrides=[override])
    with pytest.raises(exceptions.InvalidArgument, match="no container named 'nope'"):
        run.jobs.run_job(request={"name": JOB, "overrides": overrides})
    assert run.jobs.get_job(name=JOB).execution_count == 0


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("missing", "Secret projects/3/secrets/missing/versions/latest was not found"),
        ("rotated", "Secret projects/3/secrets/rotated/versions/latest is in DISABLED state"),
        (
            "projects/4/secrets/locked",
            "Permission denied on secret: projects/4/secrets/locked/versions/latest for "
            "Revision service account runner@p.iam.gserviceaccount.com",
        ),
    ],
)
def test_an_execution_fails_on_the_secret_check(
    make_sandbox: MakeSandbox, run_for: Any, secret: str, message: str
) -> None:
    run = run_for(sandbox_of(make_sandbox, jobs=with_secret(secret)))
    operation = run.jobs.run_job(name=JOB)
    with pytest.raises(exceptions.FailedPrecondition, match=message):
        operation.result(timeout=10)
    execution = run.executions.get_execution(name=operation.metadata.name)
    completed = next(c for c in execution.conditions if c.type_ == "Completed")
    assert completed.state == State.CONDITION_FAILED and completed.reason == SECRETS_FAILED
    where = "spec.template.spec.containers[0].env[0].value_from.secret_key_ref.name"
    assert completed.message.startswith(f"{where}: {message}")
    assert execution.failed_count == 3 and not execution.succeeded_count  # no task started
    assert not execution.start_time and execution.completion_time
    assert conditions(execution)["Started"] == State.CONDITION_FAILED
    latest = run.jobs.get_job(name=JOB).latest_created_execution
    assert latest.completion_status == Status.EXECUTION_FAILED


def test_run_validate_only_records_nothing(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox))
    operation = run.jobs.run_job(request={"name": JOB, "validate_only": True})
    assert operation.done() and operation.result().name.startswith(f"{JOB}/executions/")
    assert run.jobs.get_job(name=JOB).execution_count == 0
    assert not list(run.executions.list_executions(parent=JOB))
    with pytest.raises(exceptions.Aborted):
        run.jobs.run_job(request={"name": JOB, "etag": '"stale"'})


def test_a_running_execution_is_polled_until_settled(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox = sandbox_of(make_sandbox, deploys_wait=True)
    run = run_for(sandbox)
    operation = run.jobs.run_job(name=JOB)
    running = run.executions.get_execution(name=operation.metadata.name)
    assert running.reconciling and running.running_count == 1 and not operation.done()
    assert conditions(running)["Completed"] == State.CONDITION_RECONCILING
    assert run.jobs.get_job(name=JOB).latest_created_execution.completion_status == (
        Status.EXECUTION_RUNNING
    )
    done = sandbox.finish_execution("p", "job", failure="exit status 1")
    with pytest.raises(exceptions.FailedPrecondition, match="exit status 1"):
        operation.result(timeout=10)
    assert done.failed_count == 1 and done.retried_count == 1  # max_retries 3: it retried
    completed = next(c for c in done.conditions if c.type_ == "Completed")
    assert completed.message == f"Task {short(done.name)}-task0 failed with message: exit status 1"
    assert completed.execution_reason == run_v2.Condition.ExecutionReason.NON_ZERO_EXIT_CODE
    with pytest.raises(LookupError, match="no execution is running on job 'job'"):
        sandbox.finish_execution("p", "job")


def test_an_execution_completes_after_the_operation_delay(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    sandbox = sandbox_of(make_sandbox, operation_delay_ms=300)
    run = run_for(sandbox)
    operation = run.jobs.run_job(name=JOB)
    assert not operation.done()
    assert operation.result(timeout=10).succeeded_count == 1
    assert sandbox.call_counts()["GetOperation"] >= 1  # the client polled it


SEEDED = {
    "template": dict(JOB_SPEC["template"], env={"TOKEN": {"secret": "rotated"}}),
    "executions": [
        {"name": "job-first", "created": "3d", "duration": "10m"},
        {"created": "2d", "outcome": "cancelled"},
        {"created": "1d", "outcome": "failed", "message": "out of memory", "task_count": 2},
        {"name": "job-latest", "created": "2h", "outcome": "failed"},
    ],
}


def test_seeded_executions_list_newest_first_and_page(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    run = run_for(sandbox_of(make_sandbox, jobs={"job": SEEDED, "other": JOB_SPEC}))
    listed = list(run.executions.list_executions(parent=JOB))
    assert [short(e.name) for e in listed][::3] == ["job-latest", "job-first"]
    latest, failed, cancelled, first = listed
    assert latest.failed_count == 1 and SECRETS_FAILED == latest.conditions[-1].reason
    assert "rotated/versions/latest is in DISABLED state" in latest.conditions[-1].message
    assert failed.conditions[-1].message == "out of memory" and failed.task_count == 2
    assert cancelled.cancelled_count == 1
    ran = first.completion_time - first.create_time
    assert abs(ran - timedelta(minutes=10)) < timedelta(seconds=1)
    job = run.jobs.get_job(name=JOB)
    assert job.execution_count == 4 and job.latest_created_execution.name == latest.name
    pages = run.executions.list_executions(request={"parent": JOB, "page_size": 3}).pages
    assert [len(page.executions) for page in pages] == [3, 1]
    run.jobs.run_job(name=f"{PARENT}/jobs/other").result(timeout=10)
    every = list(run.executions.list_executions(parent=f"{PARENT}/jobs/-"))
    assert len(every) == 5 and short(every[0].name).startswith("other-")
    with pytest.raises(exceptions.NotFound, match="'job-nope' of kind 'EXECUTION'"):
        run.executions.get_execution(name=f"{JOB}/executions/job-nope")


def test_short_references_by_option(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox, execution_refs="short"))
    execution = run.jobs.run_job(name=JOB).result(timeout=10)
    assert execution.job == "job"
    assert run.jobs.get_job(name=JOB).latest_created_execution.name == short(execution.name)


def test_helpers_update_and_run_as_gcloud_does(make_sandbox: MakeSandbox) -> None:
    sandbox = sandbox_of(make_sandbox)
    job = sandbox.update_job("p", "job", env={"MODE": None, "LEVEL": "debug"})
    assert [v.name for v in job.template.template.containers[0].env] == ["TOKEN", "LEVEL"]
    assert (job.client, job.generation) == ("gcloud", 2)
    good = sandbox.run_job("p", "job", env={"EXTRA": "1"}, task_count=2)
    assert good.succeeded_count == 2 and good.template.containers[0].env[-1].name == "EXTRA"
    failed = sandbox.update_job("p", "job", secrets={"TOKEN": "rotated:2"})
    assert failed.terminal_condition.state == State.CONDITION_FAILED
    assert "rotated/versions/2 is in DISABLED state" in failed.terminal_condition.message
    execution = sandbox.run_job("p", "job")
    assert execution.failed_count == 1 and sandbox.execution("p", "job") == execution
    sandbox.hold_deploys()
    held = sandbox.run_job("p", "job", wait=False)
    assert held.reconciling
    cancelled = sandbox.finish_execution("p", "job", cancel=True)
    assert cancelled.cancelled_count == 1 and sandbox.job("p", "job").execution_count == 3


def test_async_clients(make_sandbox: MakeSandbox) -> None:
    sandbox: Sandbox = sandbox_of(make_sandbox)

    async def go() -> tuple[str, int]:
        async with async_run(sandbox) as run:
            operation = await run.jobs.run_job(name=JOB)
            execution = await operation.result(timeout=10)
            pager = await run.executions.list_executions(parent=JOB)
            return execution.name, len([e async for e in pager])

    name, count = asyncio.run(go())
    assert count == 1 and name.startswith(JOB)
