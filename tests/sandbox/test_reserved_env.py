"""Cloud Run refuses the variables its container runtime contract sets ("reserved and cannot
be set"): PORT, K_SERVICE, K_REVISION, K_CONFIGURATION in a service, the CLOUD_RUN_* task
variables in a job (400 "…env: The following reserved env names were provided: PORT…")."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.helpers import service_name
from tests.sandbox.jobworld import JOB, sandbox_of


@pytest.mark.parametrize("name", ["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"])
def test_a_service_write_naming_a_reserved_variable_is_refused(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, name: str
) -> None:
    client = clients_for(make_sandbox(None)).services
    api = client.get_service(name=service_name("api"))
    api.template.containers[0].env.append(run_v2.EnvVar(name=name, value="x"))
    with pytest.raises(exceptions.InvalidArgument, match=f"reserved env names .*{name}"):
        client.update_service(service=api)
    api.template.containers[0].env[-1].name = f"MY_{name}"  # any other name is fine
    assert client.update_service(service=api).result(timeout=10).uri


@pytest.mark.parametrize("name", ["CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION"])
def test_a_job_write_naming_a_reserved_variable_is_refused(
    make_sandbox: MakeSandbox, run_for: Any, name: str
) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    job = client.get_job(name=JOB)
    job.template.template.containers[0].env.append(run_v2.EnvVar(name=name, value="1"))
    with pytest.raises(exceptions.InvalidArgument, match=f"reserved env names .*{name}"):
        client.update_job(job=job)
    job.template.template.containers[0].env[-1].name = "PORT"  # a service's, not a job's
    assert client.update_job(job=job).result(timeout=10).etag
