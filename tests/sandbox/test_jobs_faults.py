"""Faults and the request log for the Jobs, Executions and WorkerPools methods: injected by
short name (and refused with a suggestion when misspelt), matched by resource, a write whose
answer is lost, and one JSON line per call with the resource and status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from google.api_core import exceptions

from drift.sandbox import Fault, Sandbox
from drift.sandbox.jobs_api import JobsApi
from drift.sandbox.pools_api import PoolsApi
from drift.sandbox.scenario_options import METHODS
from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import JOB, PARENT, POOL, sandbox_of, world


def test_the_new_methods_are_known_to_faults() -> None:
    served = [*JobsApi(cast(Any, None)).methods(), *PoolsApi(cast(Any, None)).methods()]
    assert {method.name for method in served} <= METHODS
    assert {method.service.rsplit(".", 1)[-1] for method in served} == {
        "Jobs",
        "Executions",
        "WorkerPools",
    }
    with pytest.raises(ValueError, match="did you mean 'RunJob'"):
        Fault(method="RunJobs")
    with pytest.raises(ValueError, match="did you mean 'GetWorkerPool'"):
        Fault(method="GetWorkerPools")


@pytest.mark.parametrize(
    ("method", "call"),
    [
        ("GetJob", lambda run: run.jobs.get_job(name=JOB, retry=None)),
        ("ListJobs", lambda run: list(run.jobs.list_jobs(parent=PARENT, retry=None))),
        ("RunJob", lambda run: run.jobs.run_job(name=JOB, retry=None)),
        ("GetExecution", lambda run: run.executions.get_execution(name=f"{JOB}/executions/x")),
        ("ListExecutions", lambda run: list(run.executions.list_executions(parent=JOB))),
        ("GetWorkerPool", lambda run: run.pools.get_worker_pool(name=POOL, retry=None)),
        ("ListWorkerPools", lambda run: list(run.pools.list_worker_pools(parent=PARENT))),
    ],
)
def test_faults_name_the_new_methods(
    make_sandbox: MakeSandbox, run_for: Any, method: str, call: Any
) -> None:
    sandbox = sandbox_of(make_sandbox)
    run = run_for(sandbox)
    sandbox.inject(Fault(method=method, code="PERMISSION_DENIED", first_n=1))
    with pytest.raises(exceptions.PermissionDenied, match="injected fault"):
        call(run)
    assert [c.code for c in sandbox.calls if c.short == method] == ["PERMISSION_DENIED"]
    assert sandbox.call_counts()[method] == 1


def test_match_limits_a_fault_to_one_job(make_sandbox: MakeSandbox, run_for: Any) -> None:
    jobs = {"job": world()["projects"]["p"]["jobs"]["job"], "other": {}}
    sandbox = sandbox_of(make_sandbox, jobs=jobs)
    run = run_for(sandbox)
    sandbox.inject(Fault(method="*", code="UNAVAILABLE", match="jobs/other"))
    assert run.jobs.get_job(name=JOB, retry=None).name == JOB
    with pytest.raises(exceptions.ServiceUnavailable):
        run.jobs.get_job(name=f"{PARENT}/jobs/other", retry=None)


def test_a_lost_answer_to_a_write_still_wrote(make_sandbox: MakeSandbox, run_for: Any) -> None:
    sandbox = sandbox_of(make_sandbox)
    run = run_for(sandbox)
    pool = run.pools.get_worker_pool(name=POOL)
    pool.template.containers[0].image = "us-docker.pkg.dev/example/consumer:9"
    pool.template.revision = ""
    sandbox.inject(Fault(method="UpdateWorkerPool", code="DEADLINE_EXCEEDED", after=True))
    with pytest.raises(exceptions.DeadlineExceeded):
        run.pools.update_worker_pool(worker_pool=pool, retry=None)
    assert sandbox.worker_pool("p", "pool").template.containers[0].image.endswith(":9")
    sandbox.inject(Fault(method="RunJob", code="UNAVAILABLE", after=True))
    with pytest.raises(exceptions.ServiceUnavailable):
        run.jobs.run_job(name=JOB, retry=None)
    assert sandbox.job("p", "job").execution_count == 1  # the execution was created


def test_the_request_log_names_the_new_methods(tmp_path: Path, run_for: Any) -> None:
    log = tmp_path / "calls.jsonl"
    with Sandbox(world(), log=log) as sandbox:
        run = run_for(sandbox)
        value = sandbox.secret_value("p", "token")
        run.jobs.run_job(name=JOB).result(timeout=10)
        run.pools.get_worker_pool(name=POOL)
        with pytest.raises(exceptions.NotFound):
            run.jobs.get_job(name=f"{PARENT}/jobs/nope")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    seen = {(line["method"].rsplit("/", 1)[-1], line["resource"], line["status"]) for line in lines}
    assert ("RunJob", JOB, "OK") in seen
    assert ("GetWorkerPool", POOL, "OK") in seen
    assert ("GetJob", f"{PARENT}/jobs/nope", "NOT_FOUND") in seen
    assert all(set(line) == {"time", "method", "resource", "status"} for line in lines)
    assert value not in log.read_text()
