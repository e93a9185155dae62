"""Cloud Run worker pools through the official WorkerPoolsClient and RevisionsClient: a pool
read as written (sidecars without ports, instance count, instance splits), its revisions
under workerPools/*/revisions/*, UpdateWorkerPool as a long-running deploy (reconciling,
etag, validate_only, allow_missing, force_new_revision, the secret check in every container),
instance splits, DeleteRevision, the deploy helper."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.sandbox.conftest import async_run
from tests.sandbox.jobworld import PARENT, POOL, POOL_SPEC, RUNNER, sandbox_of, short

State = run_v2.Condition.State
LATEST = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST
REVISION = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION


def splits(pool: run_v2.WorkerPool) -> list[tuple[str, int]]:
    return [(short(s.revision), s.percent) for s in pool.instance_split_statuses]


def with_image(pool: run_v2.WorkerPool, image: str) -> run_v2.WorkerPool:
    pool.template.revision = ""
    pool.template.containers[0].image = image
    return pool


def test_a_pool_reads_as_written(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox))
    pool = run.pools.get_worker_pool(name=POOL)
    consumer, agent = pool.template.containers
    assert (consumer.name, agent.name) == ("consumer", "agent") and not consumer.ports
    assert agent.env[0].value_source.secret_key_ref.secret == "token"
    assert pool.template.service_account == RUNNER and pool.scaling.manual_instance_count == 2
    assert pool.terminal_condition.state == State.CONDITION_SUCCEEDED
    assert pool.latest_ready_revision == pool.latest_created_revision
    assert [s.type_ for s in pool.instance_split_statuses] == [LATEST]
    assert splits(pool) == [(short(pool.latest_ready_revision), 100)]
    revisions = list(run.revisions.list_revisions(parent=POOL))  # newest first
    assert [r.name for r in revisions][0] == pool.latest_created_revision
    assert [r.containers[0].image for r in revisions] == [
        "us-docker.pkg.dev/example/consumer:1"
    ] + ["us-docker.pkg.dev/example/consumer:0"]
    older = run.revisions.get_revision(name=revisions[1].name)
    assert older.name.startswith(f"{POOL}/revisions/pool-00001-") and not older.service
    assert older.service_account == RUNNER and len(older.containers) == 2
    assert len(list(run.revisions.list_revisions(parent=f"{PARENT}/workerPools/-"))) == 2
    pages = run.revisions.list_revisions(request={"parent": POOL, "page_size": 1}).pages
    assert [len(page.revisions) for page in pages] == [1, 1]


def test_revision_service_names_the_pool_by_option(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox, pool_revision_service="pool"))
    latest = run.pools.get_worker_pool(name=POOL).latest_created_revision
    assert run.revisions.get_revision(name=latest).service == POOL


def test_list_worker_pools_pages_and_refuses_every_region(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    pools = {f"pool-{i}": POOL_SPEC for i in range(3)}
    client = run_for(sandbox_of(make_sandbox, pools=pools)).pools
    pager = client.list_worker_pools(request={"parent": PARENT, "page_size": 2})
    assert [len(page.worker_pools) for page in pager.pages] == [2, 1]
    # "Location must be a valid Google Cloud region, and cannot be the "-" wildcard."
    with pytest.raises(exceptions.InvalidArgument, match="'-'"):
        list(client.list_worker_pools(parent="projects/p/locations/-"))


def test_a_deploy_reconciles_then_settles(make_sandbox: MakeSandbox, run_for: Any) -> None:
    sandbox = sandbox_of(make_sandbox, deploys_wait=True)
    client = run_for(sandbox).pools
    before = client.get_worker_pool(name=POOL)
    operation = client.update_worker_pool(
        worker_pool=with_image(before, "us-docker.pkg.dev/example/c:2")
    )
    running = client.get_worker_pool(name=POOL)
    # WorkerPool.reconciling: instance_split_statuses, observed_generation and
    # latest_ready_revision keep the values that run now
    assert running.reconciling and not operation.done()
    assert running.terminal_condition.state == State.CONDITION_RECONCILING
    assert running.observed_generation == running.generation - 1
    assert running.latest_created_revision != running.latest_ready_revision
    assert splits(running) == [(short(running.latest_ready_revision), 100)]
    sandbox.finish_update("p", "pool", "worker_pool")
    done = operation.result(timeout=10)
    assert splits(done) == [(short(done.latest_created_revision), 100)]
    assert done.latest_ready_revision == done.latest_created_revision
    assert done.observed_generation == done.generation and not done.reconciling


def test_etag_validate_only_and_allow_missing(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox)).pools
    stale = client.get_worker_pool(name=POOL)
    client.update_worker_pool(worker_pool=with_image(client.get_worker_pool(name=POOL), "a:2"))
    with pytest.raises(exceptions.Aborted, match="etag"):
        client.update_worker_pool(worker_pool=with_image(stale, "a:3"))
    current = client.get_worker_pool(name=POOL)
    trial = client.update_worker_pool(
        request={"worker_pool": with_image(current, "a:4"), "validate_only": True}
    )
    assert trial.done() and trial.result().template.containers[0].image == "a:4"
    assert client.get_worker_pool(name=POOL).template.containers[0].image == "a:2"
    new = run_v2.WorkerPool(name=f"{PARENT}/workerPools/fresh")
    new.template.containers.append(run_v2.Container(image="x/y:1"))
    with pytest.raises(exceptions.NotFound, match="'fresh' of kind 'WORKER_POOL'"):
        client.update_worker_pool(worker_pool=new)
    created = client.update_worker_pool(request={"worker_pool": new, "allow_missing": True})
    pool = created.result(timeout=10)
    assert pool.generation == 1 and splits(pool) == [(short(pool.latest_ready_revision), 100)]


def test_force_new_revision(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox)).pools
    before = client.get_worker_pool(name=POOL)
    same = client.update_worker_pool(worker_pool=client.get_worker_pool(name=POOL))
    assert same.result(timeout=10).latest_created_revision == before.latest_created_revision
    forced = client.update_worker_pool(
        request={"worker_pool": client.get_worker_pool(name=POOL), "force_new_revision": True}
    )
    assert forced.result(timeout=10).latest_created_revision != before.latest_created_revision


def test_a_sidecar_secret_fails_the_deploy(make_sandbox: MakeSandbox, run_for: Any) -> None:
    run = run_for(sandbox_of(make_sandbox))
    pool = run.pools.get_worker_pool(name=POOL)
    serving = splits(pool)
    pool.template.containers[1].env[0].value_source.secret_key_ref.secret = "rotated"
    operation = run.pools.update_worker_pool(worker_pool=pool)
    message = (
        "spec.template.spec.containers[1].env[0].value_from.secret_key_ref.name: "
        "Secret projects/3/secrets/rotated/versions/latest is in DISABLED state"
    )
    with pytest.raises(exceptions.FailedPrecondition, match=message.replace("[", r"\[")):
        operation.result(timeout=10)
    failed = run.pools.get_worker_pool(name=POOL)
    assert failed.terminal_condition.state == State.CONDITION_FAILED
    assert (
        splits(failed) == serving and failed.latest_ready_revision != failed.latest_created_revision
    )
    revision = run.revisions.get_revision(name=failed.latest_created_revision)
    ready = next(c for c in revision.conditions if c.type_ == "Ready")
    assert ready.reason == run_v2.Condition.CommonReason.SECRETS_ACCESS_CHECK_FAILED


def test_instance_splits(make_sandbox: MakeSandbox, run_for: Any) -> None:
    spec = dict(POOL_SPEC, instance_splits=[{"revision": 1, "percent": 100}])
    run = run_for(sandbox_of(make_sandbox, pools={"pool": spec}))
    pool = run.pools.get_worker_pool(name=POOL)
    first = short(pool.instance_splits[0].revision)
    assert first.startswith("pool-00001-") and splits(pool) == [(first, 100)]
    assert pool.instance_split_statuses[0].type_ == REVISION
    latest = pool.latest_created_revision
    with pytest.raises(exceptions.FailedPrecondition, match="running instances"):
        run.revisions.delete_revision(name=f"{POOL}/revisions/{first}")
    with pytest.raises(exceptions.FailedPrecondition, match="latest created"):
        run.revisions.delete_revision(name=latest)
    pool.instance_splits = [
        run_v2.InstanceSplit(type_=LATEST, percent=50),
        run_v2.InstanceSplit(type_=REVISION, revision=first, percent=40),
    ]
    with pytest.raises(exceptions.InvalidArgument, match="instance_splits: percents"):
        run.pools.update_worker_pool(worker_pool=pool)
    pool.instance_splits[1].percent = 50
    moved = run.pools.update_worker_pool(worker_pool=pool).result(timeout=10)
    assert splits(moved) == [(short(latest), 50), (first, 50)]


def test_the_deploy_helper(make_sandbox: MakeSandbox) -> None:
    sandbox = sandbox_of(make_sandbox)
    before = sandbox.worker_pool("p", "pool")
    pool = sandbox.deploy_pool(
        "p", "pool", image="us-docker.pkg.dev/example/consumer:2", instances=5
    )
    assert pool.scaling.manual_instance_count == 5 and pool.client == "gcloud"
    assert pool.latest_ready_revision != before.latest_ready_revision
    revision = sandbox.revision("p", "pool", worker_pool=True)
    assert revision.containers[0].image == "us-docker.pkg.dev/example/consumer:2"
    assert revision.annotations["run.googleapis.com/client-name"] == "gcloud"
    failed = sandbox.deploy_pool("p", "pool", secrets={"QUEUE_KEY": "missing:latest"})
    assert failed.terminal_condition.state == State.CONDITION_FAILED
    assert "missing/versions/latest was not found" in failed.terminal_condition.message


def test_async_client(make_sandbox: MakeSandbox) -> None:
    sandbox: Sandbox = sandbox_of(make_sandbox)

    async def go() -> list[str]:
        async with async_run(sandbox) as run:
            pool = await run.pools.get_worker_pool(name=POOL)
            operation = await run.pools.update_worker_pool(worker_pool=with_image(pool, "a:9"))
            await operation.result(timeout=10)
            pager = await run.pools.list_worker_pools(parent=PARENT)
            return [p.template.containers[0].image async for p in pager]

    assert asyncio.run(go()) == ["a:9"]


def test_a_seeded_failed_pool(make_sandbox: MakeSandbox, run_for: Any) -> None:
    spec = dict(POOL_SPEC, failed="Container failed to start.")
    pool = run_for(sandbox_of(make_sandbox, pools={"pool": spec})).pools.get_worker_pool(name=POOL)
    assert pool.terminal_condition.state == State.CONDITION_FAILED
    assert "Container failed to start." in pool.terminal_condition.message
    assert pool.latest_ready_revision != pool.latest_created_revision
    assert splits(pool) == [(short(pool.latest_ready_revision), 100)]
    assert pool.observed_generation == pool.generation - 1


def test_the_v2_json_form_of_a_pool_and_a_retired_revision(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    spec = {k: v for k, v in POOL_SPEC.items() if k != "instances"}
    spec |= {"scaling": {"manualInstanceCount": 4}, "binaryAuthorization": {"useDefault": True}}
    run = run_for(sandbox_of(make_sandbox, pools={"pool": spec}))
    pool = run.pools.get_worker_pool(name=POOL)
    assert pool.scaling.manual_instance_count == 4 and pool.binary_authorization.use_default
    older = list(run.revisions.list_revisions(parent=POOL))[-1]
    with pytest.raises(exceptions.Aborted):
        run.revisions.delete_revision(request={"name": older.name, "etag": '"stale"'})
    deleted = run.revisions.delete_revision(name=older.name).result(timeout=10)
    assert deleted.name == older.name and deleted.delete_time
    assert [r.name for r in run.revisions.list_revisions(parent=POOL)] == [
        pool.latest_created_revision
    ]


def test_a_revision_written_with_the_split_pinned_elsewhere_has_no_instances(
    make_sandbox: MakeSandbox, run_for: Any
) -> None:
    """What `drift fix --no-promote` of a pool (and gcloud's `worker-pools update
    --no-promote`) writes: a new template, every instance pinned by name to the revision that
    runs it. The write makes a revision (a template change), which no split names: it has no
    instances ("This defaults to zero if unspecified", InstanceSplit.percent), and once the
    pool has reconciled, latest ready and latest created are that revision (WorkerPool.
    reconciling: "If reconciliation succeeded, the following fields will match: ...
    latestReadyRevision and latestCreatedRevision"), while the instances run what they ran."""
    run = run_for(sandbox_of(make_sandbox))
    pool = run.pools.get_worker_pool(name=POOL)
    running = short(pool.latest_ready_revision)
    assert splits(pool) == [(running, 100)]
    pool = with_image(pool, "us-docker.pkg.dev/example/consumer:2")
    pool.template.revision = "pool-held"
    pool.instance_splits = [run_v2.InstanceSplit(type_=REVISION, revision=running, percent=100)]
    held = run.pools.update_worker_pool(worker_pool=pool).result(timeout=10)
    assert short(held.latest_created_revision) == "pool-held"
    assert short(held.latest_ready_revision) == "pool-held"  # ready, with no instances
    assert splits(held) == [(running, 100)]
    assert held.terminal_condition.state == State.CONDITION_SUCCEEDED
    revision = run.revisions.get_revision(name=f"{POOL}/revisions/pool-held")
    assert revision.containers[0].image == "us-docker.pkg.dev/example/consumer:2"
