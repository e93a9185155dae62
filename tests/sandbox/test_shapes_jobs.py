"""The jobs and the worker pool of real-shapes.yaml, read through the official clients as its
header describes them: a migration job without DATABASE_URL, an E2E runner whose latest
execution failed on a DISABLED secret, a worker pool whose sidecar reads a DISABLED secret."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox import Sandbox

PROD = "projects/acme-prod/locations/us-central1"
Status = run_v2.ExecutionReference.CompletionStatus
DISABLED = "Secret projects/500000000001/secrets/{}/versions/latest is in DISABLED state"


@pytest.fixture
def run(real: Sandbox, run_for: Any) -> Any:
    return run_for(real)


def test_the_migration_job_has_no_database_url(run: Any) -> None:
    job = run.jobs.get_job(name=f"{PROD}/jobs/migrate-db")
    container = job.template.template.containers[0]
    assert container.name == "migrate" and container.image.endswith("chat-migrate:4.2.0")
    assert [v.name for v in container.env] == ["ENVIRONMENT", "MIGRATIONS_DIR"]
    assert job.template.template.max_retries == 0  # an explicit 0, not the default 3
    assert job.template.template.timeout == timedelta(seconds=900)
    assert job.template.template.service_account == "chat@acme-prod.iam.gserviceaccount.com"
    executions = list(run.executions.list_executions(parent=job.name))
    assert [e.succeeded_count for e in executions] == [1, 1]
    assert job.latest_created_execution.name == executions[0].name
    assert job.latest_created_execution.completion_status == Status.EXECUTION_SUCCEEDED


def test_the_e2e_runner_failed_on_a_disabled_secret(run: Any, real: Sandbox) -> None:
    job = run.jobs.get_job(name=f"{PROD}/jobs/e2e-runner")
    assert (job.template.task_count, job.template.parallelism) == (4, 2)
    assert job.template.template.max_retries == 1
    assert job.template.template.containers[0].args[0] == "--suite=smoke"
    latest, older = run.executions.list_executions(parent=job.name)
    assert latest.name.endswith("/e2e-runner-x9p4t") and older.name.endswith("/e2e-runner-7kq2m")
    assert older.succeeded_count == 4 and latest.failed_count == 4
    completed = latest.conditions[-1]
    assert (
        completed.type_ == "Completed"
        and completed.state == run_v2.Condition.State.CONDITION_FAILED
    )
    assert completed.message.endswith(DISABLED.format("e2e-oauth-key"))
    assert completed.reason == run_v2.Condition.CommonReason.SECRETS_ACCESS_CHECK_FAILED
    assert job.latest_created_execution.completion_status == Status.EXECUTION_FAILED
    assert job.terminal_condition.state == run_v2.Condition.State.CONDITION_SUCCEEDED
    operation = run.jobs.run_job(name=job.name)
    with pytest.raises(exceptions.FailedPrecondition, match="e2e-oauth-key"):
        operation.result(timeout=10)  # running it again fails the same way
    assert real.job("acme-prod", "e2e-runner").execution_count == 3


def test_the_queue_consumer_sidecar_reads_a_disabled_secret(run: Any, real: Sandbox) -> None:
    pool = run.pools.get_worker_pool(name=f"{PROD}/workerPools/queue-consumer")
    consumer, agent = pool.template.containers
    assert (consumer.name, agent.name) == ("consumer", "metrics-agent")
    assert consumer.env[1].value_source.secret_key_ref.secret == "queue-db-url"
    assert agent.env[0].value_source.secret_key_ref.secret == "metrics-api-key"
    assert pool.scaling.manual_instance_count == 3
    assert pool.terminal_condition.state == run_v2.Condition.State.CONDITION_SUCCEEDED
    revisions = list(run.revisions.list_revisions(parent=pool.name))
    assert [r.name for r in revisions] == [pool.latest_ready_revision, revisions[1].name]
    assert revisions[1].containers[0].image.endswith("queue-consumer:1.7.0")
    assert revisions[1].annotations["run.googleapis.com/client-version"] == "465.0.0"
    failed = real.deploy_pool("acme-prod", "queue-consumer", image="x/queue-consumer:1.9.0")
    assert failed.terminal_condition.message.endswith(DISABLED.format("metrics-api-key"))
    assert "containers[1].env[0]" in failed.terminal_condition.message
    assert failed.latest_ready_revision == pool.latest_ready_revision
