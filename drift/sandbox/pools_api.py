"""`google.cloud.run.v2.WorkerPools`: get, list with paging, and UpdateWorkerPool as a
long-running operation that deploys a revision as UpdateService does (the Revisions API
serves the pool's revisions)."""

from __future__ import annotations

from typing import Any

from google.cloud import run_v2
from google.protobuf.message import Message

from drift.sandbox.core import Core
from drift.sandbox.deploy import view
from drift.sandbox.kinds import POOL
from drift.sandbox.names import POOLS
from drift.sandbox.rpc import Method, proto_plus_method
from drift.sandbox.run_api import listed

WORKER_POOLS = "google.cloud.run.v2.WorkerPools"


class PoolsApi:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def get_worker_pool(self, request: Any) -> Message:
        world = self.core.world
        return view(world, world.owner(world.key_of(request.name, POOLS)).pb, POOL)

    async def list_worker_pools(self, request: Any) -> Message:
        page, token = listed(self.core, request, POOLS)
        world = self.core.world
        return run_v2.ListWorkerPoolsResponse.pb()(
            worker_pools=[view(world, rec.pb, POOL) for rec in page], next_page_token=token
        )

    async def update_worker_pool(self, request: Any) -> Message:
        """What `gcloud run worker-pools deploy` sends: UpdateWorkerPool with
        `allow_missing` and `force_new_revision` (gcloud's command_lib/run/v2/
        worker_pools_operations.py, ReleaseWorkerPool)."""
        key = self.core.world.key_of(request.worker_pool.name, POOLS)
        return await self.core.update(key, request, request.worker_pool)

    def methods(self) -> list[Method]:
        pools = [
            ("GetWorkerPool", run_v2.GetWorkerPoolRequest, self.get_worker_pool),
            ("ListWorkerPools", run_v2.ListWorkerPoolsRequest, self.list_worker_pools),
            ("UpdateWorkerPool", run_v2.UpdateWorkerPoolRequest, self.update_worker_pool),
        ]
        return [proto_plus_method(WORKER_POOLS, *row) for row in pools]
