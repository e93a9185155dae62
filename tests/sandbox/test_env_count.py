"""At most 1,000 environment variables per container: "you can set a maximum of 1000
environment variables per container for each Cloud Run service" (…/configuring/services/
environment-variables, "Maximum number of environment variables"), and for each job (…/jobs/
environment-variables). A write over it is refused (INVALID_ARGUMENT, the sandbox's wording),
dry run or not; one at the limit is taken (revsbx84)."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.jobworld import JOB, sandbox_of

SVC = "projects/p/locations/us-central1/services/svc"


def with_vars(container: Any, count: int) -> None:
    del container.env[:]
    container.env.extend(run_v2.EnvVar(name=f"V{n}", value="x") for n in range(count))


@pytest.mark.parametrize("validate_only", [True, False], ids=["dry-run", "write"])
def test_a_service_container_holds_at_most_1000_variables(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, validate_only: bool
) -> None:
    sandbox = make_sandbox({"projects": {"p": {"number": 3, "services": {"svc": {}}}}})
    client = clients_for(sandbox).services
    service = client.get_service(name=SVC)
    with_vars(service.template.containers[0], 1001)
    request = run_v2.UpdateServiceRequest(service=service, validate_only=validate_only)
    with pytest.raises(exceptions.InvalidArgument, match="at most 1000 environment variables"):
        client.update_service(request=request)
    with_vars(service.template.containers[0], 1000)
    request = run_v2.UpdateServiceRequest(service=service, validate_only=validate_only)
    done = client.update_service(request=request).result(timeout=10)
    assert len(done.template.containers[0].env) == 1000


def test_a_job_container_holds_at_most_1000_variables(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    job = client.get_job(name=JOB)
    with_vars(job.template.template.containers[0], 1001)
    with pytest.raises(exceptions.InvalidArgument, match="at most 1000 environment variables"):
        client.update_job(job=job)
    with_vars(job.template.template.containers[0], 1000)
    done = client.update_job(job=job).result(timeout=10)
    assert len(done.template.template.containers[0].env) == 1000
