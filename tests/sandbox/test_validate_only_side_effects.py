"""A `validate_only` write changes nothing: "validated and default values populated, without
persisting the request" (run v2 UpdateServiceRequest.validate_only, UpdateWorkerPoolRequest's
alike). Neither the revisions the trial deploy would retire (or bring back into service) nor
a deploy in progress, which a real write would supersede, may move (revsbx84)."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.jobworld import JOB, POOL, sandbox_of

SVC = "projects/p/locations/us-central1/services/svc"
State = run_v2.Condition.State


def one_service(make_sandbox: MakeSandbox, history: int = 0, **options: Any) -> Sandbox:
    """Project `p` (number 3) with one service, `svc`, and `history` older revisions."""
    older = [{"image": f"us-docker.pkg.dev/example/img:0.{n}"} for n in range(history)]
    project = {"number": 3, "services": {"svc": {"history": older}}}
    return make_sandbox({"options": options, "projects": {"p": project}})


def revisions(clients: Any) -> list[run_v2.Revision]:
    return list(clients.revisions.list_revisions(parent=SVC))


@pytest.mark.parametrize("retired_ready", ["succeeded", "failed"])
def test_a_dry_run_of_a_new_revision_retires_nothing(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, retired_ready: str
) -> None:
    """The trial deploy moves LATEST's traffic to its new revision: the revision serving now
    must not come back RETIRED (nor, under `retired_ready: failed`, not ready)."""
    sandbox = one_service(make_sandbox, retired_ready=retired_ready)
    clients = clients_for(sandbox)
    before_service = clients.services.get_service(name=SVC)
    before = revisions(clients)
    service = clients.services.get_service(name=SVC)
    service.template.containers[0].image = "us-docker.pkg.dev/example/img:dry-run"
    operation = clients.services.update_service(
        request=run_v2.UpdateServiceRequest(service=service, validate_only=True)
    )
    operation.result(timeout=10)
    assert revisions(clients) == before
    assert clients.services.get_service(name=SVC) == before_service


def test_a_dry_run_routing_to_a_retired_revision_leaves_it_retired(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """The trial deploy routes to a retired revision: in the world it stays retired."""
    sandbox = one_service(make_sandbox, history=1)
    clients = clients_for(sandbox)
    before = revisions(clients)
    old = before[-1]  # oldest: retired once the newer one took the traffic
    assert old.conditions[0].revision_reason == run_v2.Condition.RevisionReason.RETIRED
    service = clients.services.get_service(name=SVC)
    del service.traffic[:]
    service.traffic.append(
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision=old.name.rsplit("/", 1)[-1],
            percent=100,
        )
    )
    clients.services.update_service(
        request=run_v2.UpdateServiceRequest(service=service, validate_only=True)
    ).result(timeout=10)
    assert revisions(clients) == before


def test_a_dry_run_leaves_a_deploy_in_progress_running(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """A real write supersedes the deploy in progress (it settles first); a dry run persists
    nothing, so the deploy goes on: still reconciling, its operation not done."""
    sandbox = one_service(make_sandbox, deploys_wait=True)
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=SVC)
    service.template.containers[0].image = "us-docker.pkg.dev/example/img:2"
    running = clients.services.update_service(service=service)
    mid = clients.services.get_service(name=SVC)
    assert mid.reconciling
    trial = clients.services.get_service(name=SVC)
    trial.template.containers[0].image = "us-docker.pkg.dev/example/img:3"
    clients.services.update_service(
        request=run_v2.UpdateServiceRequest(service=trial, validate_only=True)
    ).result(timeout=10)
    assert clients.services.get_service(name=SVC) == mid
    assert not running.done()
    done = sandbox.finish_deploy("p", "svc")
    assert done.template.containers[0].image == "us-docker.pkg.dev/example/img:2"
    assert running.result(timeout=10).etag == done.etag


def test_a_dry_run_leaves_a_job_update_in_progress_running(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    """UpdateJobRequest.validate_only says the same: the job's update in progress goes on."""
    sandbox = sandbox_of(make_sandbox, deploys_wait=True)
    client = run_for(sandbox).jobs
    job = client.get_job(name=JOB)
    job.template.template.containers[0].image = "us-docker.pkg.dev/example/migrate:2"
    running = client.update_job(job=job)
    mid = client.get_job(name=JOB)
    assert mid.reconciling
    trial = client.get_job(name=JOB)
    trial.template.template.containers[0].image = "us-docker.pkg.dev/example/migrate:3"
    client.update_job(request={"job": trial, "validate_only": True}).result(timeout=10)
    assert client.get_job(name=JOB) == mid
    assert not running.done()
    sandbox.finish_update("p", "job", "job")
    done = running.result(timeout=10)
    assert done.template.template.containers[0].image == "us-docker.pkg.dev/example/migrate:2"
    assert done.observed_generation == done.generation


def test_a_pool_dry_run_retires_nothing(make_sandbox: MakeSandbox, run_for: Any) -> None:
    """UpdateWorkerPoolRequest.validate_only alike: the pool's revisions as they were."""
    run = run_for(sandbox_of(make_sandbox))
    before = list(run.revisions.list_revisions(parent=POOL))
    pool = run.pools.get_worker_pool(name=POOL)
    pool.template.containers[0].image = "us-docker.pkg.dev/example/consumer:dry-run"
    request = run_v2.UpdateWorkerPoolRequest(worker_pool=pool, validate_only=True)
    run.pools.update_worker_pool(request=request).result(timeout=10)
    assert list(run.revisions.list_revisions(parent=POOL)) == before
