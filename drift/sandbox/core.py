"""One running sandbox inside its event loop: the world, its backends, operations, faults
and call log, and the service updates that tie them together."""

from __future__ import annotations

import asyncio
import random

import grpc
from google.longrunning import operations_pb2
from google.protobuf import field_mask_pb2

from drift.sandbox.backend import BackendConfig
from drift.sandbox.deploy import Outcome, plan_update, revision_env, weights
from drift.sandbox.faults import Fault, FaultBook
from drift.sandbox.fleet import Fleet
from drift.sandbox.names import RpcError, ServiceKey
from drift.sandbox.operations import Operations
from drift.sandbox.pb import ServicePb, copy
from drift.sandbox.rpc import CallLog
from drift.sandbox.scenario import Scenario
from drift.sandbox.seed import build_world
from drift.sandbox.state import ServiceRec, World


class Core:
    """Event-loop only, except `calls` and `faults`, which are thread-safe."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        host: str,
        latency_ms: float | None = None,
        operation_delay_ms: float | None = None,
    ) -> None:
        self.scenario = scenario
        self.host = host
        self._latency_ms = latency_ms
        self._operation_delay_ms = operation_delay_ms
        self.latency = 0.0
        self.calls = CallLog()
        self.faults = FaultBook(scenario.options.seed)
        self.ops = Operations()
        self.world = World(scenario.options.seed)
        self.fleet = Fleet(random.Random(scenario.options.seed), host)
        self._locks: dict[ServiceKey, asyncio.Lock] = {}

    async def load(self, scenario: Scenario | None = None) -> None:
        """(Re)build the world from the scenario and start its backends."""
        await self.fleet.close()
        self.ops.clear()
        self.calls.clear()
        self.scenario = scenario or self.scenario
        options = self.scenario.options
        seed = options.seed
        latency_ms = options.latency_ms if self._latency_ms is None else self._latency_ms
        self.latency = latency_ms / 1000
        delay_ms = self._operation_delay_ms
        self.ops.delay = (options.operation_delay_ms if delay_ms is None else delay_ms) / 1000
        self.world = build_world(self.scenario)
        self.fleet = Fleet(random.Random(seed), self.host)
        self.faults.reset(seed, [Fault.from_spec(spec) for spec in self.scenario.faults])
        await asyncio.gather(*(self.publish(rec) for rec in self.world.services.values()))

    async def close(self) -> None:
        self.ops.clear()
        await self.fleet.close()

    async def publish(self, rec: ServiceRec) -> None:
        """Run the backends the service's traffic needs; write its URL and tag URLs."""
        port = await self.fleet.router(rec.key, rec.backend)
        rec.pb.uri = self.fleet.url(port)
        del rec.pb.urls[:]
        rec.pb.urls.append(rec.pb.uri)
        project = self.world.project(rec.key.project)
        ports = await self.fleet.sync(
            rec.key,
            rec.backend,
            weights(rec.pb.traffic_statuses),
            lambda name: revision_env(self.world, project, rec.revisions[name]),
        )
        for status in rec.pb.traffic_statuses:
            port_of = ports.get(status.revision)
            status.uri = self.fleet.url(port_of) if status.tag and port_of else ""

    async def apply(
        self,
        key: ServiceKey,
        request: ServicePb,
        mask: field_mask_pb2.FieldMask | None = None,
        *,
        allow_missing: bool = False,
        validate_only: bool = False,
    ) -> tuple[Outcome, ServiceRec | None]:
        """Plan an update and, unless `validate_only`, store it and restart backends."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            current = self.world.services.get(key)
            if current is None and not allow_missing:
                self.world.service(key)  # raises NOT_FOUND
            if current is not None and request.etag and request.etag != current.pb.etag:
                raise RpcError(
                    grpc.StatusCode.ABORTED,
                    f"The etag provided ({request.etag}) does not match the current etag of "
                    f"'{key.name}'; read the service again and retry.",
                )
            outcome = plan_update(self.world, key, current, request, mask)
            if validate_only:
                return outcome, None
            rec = current or ServiceRec(key, outcome.service, {}, BackendConfig())
            rec.pb, rec.revisions = outcome.service, outcome.revisions
            self.world.services[key] = rec
            await self.publish(rec)
            return outcome, rec

    async def update_operation(
        self,
        key: ServiceKey,
        request: ServicePb,
        mask: field_mask_pb2.FieldMask | None,
        *,
        allow_missing: bool,
        validate_only: bool,
    ) -> operations_pb2.Operation:
        """UpdateService: a running operation (or a done one for `validate_only`)."""
        outcome, rec = await self.apply(
            key, request, mask, allow_missing=allow_missing, validate_only=validate_only
        )
        name = key.operation(self.world.uid())
        if rec is None:
            return self.ops.finished(name, outcome.service, outcome.error)
        final = copy(rec.pb)
        generation = rec.pb.generation
        rec.pb.reconciling = True
        rec.pb.observed_generation = generation - 1

        def done() -> None:
            if rec.pb.generation == generation:
                rec.pb.reconciling = False
                rec.pb.observed_generation = generation

        return self.ops.start(
            name, running=copy(rec.pb), final=final, error=outcome.error, on_done=done
        )
