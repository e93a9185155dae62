"""One running sandbox inside its event loop: the world, its backends, operations, faults
and call log, and the deploys that tie them together."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import grpc
from google.longrunning import operations_pb2
from google.protobuf import field_mask_pb2

from drift.sandbox.backend import NoInstance
from drift.sandbox.deploy import Owner, Plan, begin, plan_update, settle, view
from drift.sandbox.deploy_checks import trial_problem
from drift.sandbox.faults import Fault, FaultBook
from drift.sandbox.fleet import Fleet
from drift.sandbox.jobs_core import JobRunner
from drift.sandbox.kinds import kind_of
from drift.sandbox.names import ResourceKey, RpcError, check_etag, check_update
from drift.sandbox.operations import Operations
from drift.sandbox.pb import copy
from drift.sandbox.quotas import QuotaBook
from drift.sandbox.retire import forget, retirement_problem
from drift.sandbox.revisions import weights
from drift.sandbox.rpc import RESET, CallLog
from drift.sandbox.scenario import Scenario
from drift.sandbox.seed import build_world, start_deploys
from drift.sandbox.startup import kept_warm, scaled_to_zero
from drift.sandbox.state import OwnerRec, Rollout, World
from drift.sandbox.validate import instance_env

END_TIMEOUT = 10.0
"""How long a reset waits for the calls it cancelled to stop."""
PRUNE_TIMERS = 256


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
        self.deploy_seconds = 0.0
        self.hold = False
        self.calls = CallLog()
        self.faults = FaultBook(scenario.options.seed)
        self.ops = Operations()
        self.jobs = JobRunner(self)
        self.world = World(scenario.options.seed, scenario.options)
        self.quotas = QuotaBook(lambda: self.world.clock.now())
        self.quotas.reset(scenario.options.quotas, retry_info=scenario.options.quota_retry_info)
        self.fleet = Fleet(random.Random(scenario.options.seed), host, scenario.options)
        self._locks: dict[ResourceKey, asyncio.Lock] = {}
        self._dirty: dict[ResourceKey, OwnerRec] = {}
        self._settled: list[tuple[OwnerRec, str, RpcError | None]] = []
        self._seeded: set[str] = set()
        """The revisions the scenario seeded: idle so far, so with no instance running unless
        min instances keep one (option `cold_start_ms`); a deploy's has one."""
        self.running: set[asyncio.Future[Any]] = set()
        """The world's work in progress: the calls being answered (rpc.py) and the ticks its
        timers started. A reset cancels them, as stopping a sandbox does."""
        self._timers: list[asyncio.TimerHandle] = []
        self.resetting: asyncio.Event | None = None
        """While a reset is under way: a call that comes meanwhile waits for the new world."""

    async def load(self, scenario: Scenario | None = None) -> None:
        """(Re)build the world from the scenario and start its backends: nothing of the world
        before (a call in progress, a timer, a lock, a job waiting) reaches the new one."""
        self.resetting = resetting = asyncio.Event()
        try:
            await self._load(scenario)
        finally:
            self.resetting = None
            resetting.set()

    async def _load(self, scenario: Scenario | None) -> None:
        await self._end_world()
        await self.fleet.close()
        self.ops.clear()
        self.calls.clear()
        self._locks, self._dirty, self._settled = {}, {}, []
        self.jobs = JobRunner(self)
        self.scenario = scenario or self.scenario
        options = self.scenario.options
        latency_ms = options.latency_ms if self._latency_ms is None else self._latency_ms
        self.latency = latency_ms / 1000
        delay_ms = self._operation_delay_ms
        self.deploy_seconds = (options.operation_delay_ms if delay_ms is None else delay_ms) / 1000
        self.hold = options.deploys_wait
        self.world = build_world(self.scenario)
        self._seeded = {r.name for s in self.world.services.values() for r in s.revisions.values()}
        self.fleet = Fleet(random.Random(options.seed), self.host, options)
        self.faults.reset(options.seed, [Fault.from_spec(spec) for spec in self.scenario.faults])
        self.quotas.reset(options.quotas, retry_info=options.quota_retry_info)
        start_deploys(self.world, self.scenario, self._started)
        await asyncio.gather(*(self.publish(rec) for rec in self.world.services.values()))

    async def close(self) -> None:
        await self._end_world()
        self.ops.clear()
        await self.fleet.close()

    async def _end_world(self) -> None:
        """Cancel the world's timers and its work in progress (but the caller's), and wait
        until that work has stopped: a call cancelled so is answered CANCELLED (rpc.py)."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        me = asyncio.current_task()
        ending = [task for task in self.running if task is not me]
        for task in ending:
            task.cancel(RESET)
        if ending:
            await asyncio.wait(ending, timeout=END_TIMEOUT)

    # --- time ----------------------------------------------------------------------

    async def tick(self) -> None:
        """Carry out what the clock says is due (deploys settling, secrets expiring) and
        restart the backends of the services that changed. Runs before every call."""
        for action in self.world.clock.due_actions():
            action()
        dirty, self._dirty = self._dirty, {}
        settled, self._settled = self._settled, []
        await asyncio.gather(*(self.publish(rec) for rec in dirty.values()))
        self._answer_settled(settled)  # done once the backends serve the outcome

    def _answer_settled(self, settled: list[tuple[OwnerRec, str, RpcError | None]]) -> None:
        """Finish the operations of the deploys `settled`: each answers the resource as it
        is now."""
        accepted = self.world.options.workload_update_done == "accepted"
        for rec, operation, error in settled:
            if accepted and not kind_of(rec.key).serves:
                continue  # answered when accepted (option `workload_update_done`)
            self.ops.finish(operation, view(self.world, rec.pb, kind_of(rec.key)), error)

    async def advance(self, seconds: float) -> None:
        self.world.clock.advance(seconds)
        await self.tick()

    def schedule(self, due: float, action: Callable[[], None]) -> None:
        """Carry out `action` when the sandbox clock reaches `due` (at the next call after
        it, or by a timer when nothing calls)."""
        self.world.clock.at(due, action)
        self._wake_at(due)

    def due(self, *, now: bool = False) -> float | None:
        """When a write started now settles: after `operation_delay_ms` (at once with `now`),
        or never by itself while the sandbox holds deploys."""
        if self.hold:
            return None
        return self.world.clock.now() + (0 if now else self.deploy_seconds)

    def _wake_at(self, due: float) -> None:
        delay = max(0.0, due - self.world.clock.now())
        loop = asyncio.get_running_loop()
        if len(self._timers) >= PRUNE_TIMERS:  # a long-running sandbox: drop those gone off
            self._timers = [t for t in self._timers if t.when() > loop.time()]
        self._timers.append(loop.call_later(delay, self._timed_tick, loop))

    def _timed_tick(self, loop: asyncio.AbstractEventLoop) -> None:
        self.track(loop.create_task(self.tick()))

    def track(self, task: asyncio.Future[Any]) -> None:
        """Count `task` as the world's work in progress until it is done."""
        self.running.add(task)
        task.add_done_callback(self.running.discard)

    # --- backends ------------------------------------------------------------------

    async def publish(self, rec: OwnerRec) -> None:
        """Run the backends the service's traffic needs; write its URL and tag URLs. (Worker
        pools serve nothing.)"""
        if not kind_of(rec.key).serves:
            return
        port = await self.fleet.router(rec.key, rec.backend)
        # ingress INGRESS_TRAFFIC_UNSPECIFIED (0) or _ALL (1): open to the internet
        self.fleet.close_door(rec.key, rec.pb.ingress not in (0, 1))
        # `default_uri_disabled` "Disables public resolution of the default URI of this
        # service" (service.proto); gcloud then shows "URL: None"
        # (docs.cloud.google.com/run/docs/configuring/instances/default-url). Tag URLs are
        # default run.app URLs too (`https://[TAG---]SERVICE_NAME-PROJECT_NUMBER.REGION.run.app`,
        # docs.cloud.google.com/run/docs/triggering/https-request): none is given either. The
        # service still serves, through its other ingress paths.
        published = not getattr(rec.pb, "default_uri_disabled", False)
        rec.pb.uri = self.fleet.url(port) if published else ""
        del rec.pb.urls[:]
        if published:
            rec.pb.urls.append(rec.pb.uri)
        project = self.world.project(rec.key.project)
        shares = weights(rec.pb.traffic_statuses)

        def warm(name: str) -> bool:
            revision = rec.revisions[name]
            return revision.name not in self._seeded or kept_warm(rec.pb, revision, shares[name])

        options = self.world.options
        zero = NoInstance(options.no_instance_status, "manual scaling at 0 instances")

        def off(name: str) -> NoInstance | None:
            revision, tags = rec.revisions[name], options.manual_zero_tags
            return zero if scaled_to_zero(rec.pb, revision, shares[name], tags) else None

        ports = await self.fleet.sync(
            rec.key,
            rec.backend,
            shares,
            lambda name: instance_env(self.world, project, rec.revisions[name]),
            {s.tag: s.revision for s in rec.pb.traffic_statuses if s.tag and s.revision},
            warm,
            off,
        )
        for status in rec.pb.traffic_statuses:
            # a tagged target has its own URL at any percent, 0 included
            # (TrafficTargetStatus.uri), routed by the tag (fleet.py)
            routed = published and status.tag and status.revision in ports
            tagged = await self.fleet.router(rec.key, rec.backend, status.tag) if routed else 0
            status.uri = self.fleet.url(tagged) if tagged else ""

    # --- deploys -------------------------------------------------------------------

    async def update(self, key: ResourceKey, request: Any, resource: Owner) -> Any:
        """An UpdateService or UpdateWorkerPool request as received: its `update_mask`,
        `allow_missing`, `validate_only` and (worker pools) `force_new_revision`."""
        return await self.deploy(
            key,
            resource,
            request.update_mask if request.HasField("update_mask") else None,
            allow_missing=request.allow_missing,
            validate_only=request.validate_only,
            force=getattr(request, "force_new_revision", False),
        )

    async def deploy(
        self,
        key: ResourceKey,
        request: Owner,
        mask: field_mask_pb2.FieldMask | None = None,
        *,
        allow_missing: bool = False,
        validate_only: bool = False,
        now: bool = False,
        force: bool = False,
    ) -> operations_pb2.Operation:
        """UpdateService or UpdateWorkerPool (`key.collection`): check and plan the update;
        `validate_only` answers a done operation with the would-be resource; otherwise store
        it as a deploy in progress and answer a running operation that is done when the
        deploy settles (`now`: at once, unless the sandbox holds deploys)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        kind = kind_of(key)
        async with lock:
            world = self.world
            owners = world.owners(key.collection)
            current = owners.get(key)
            etag = None if current is None else current.pb.etag
            check_update(
                key, etag, request.etag, allow_missing=allow_missing, stale=world.options.stale_etag
            )
            if validate_only:
                plan = plan_update(world, key, current, request, mask, force=force)
                return self._trial(key, plan)
            if current is not None and current.rollout is not None:
                self._settle(current)  # a newer generation supersedes the deploy in progress
                # only the superseded deploy's operation is answered now, as it settled before
                # the newer write; any other settled since the last tick stays for the tick,
                # which answers it once the backends serve its outcome
                mine = [s for s in self._settled if s[0] is current]
                self._settled = [s for s in self._settled if s[0] is not current]
                self._answer_settled(mine)
            plan = plan_update(world, key, current, request, mask, force=force)
            name = key.operation(world.uid())
            rec = current or OwnerRec(key, plan.service, {})
            begin(world, rec, plan)
            owners[key] = rec
            operation = self.ops.start(name, view(world, rec.pb, kind))
            if not kind.serves and world.options.workload_update_done == "accepted":
                operation = self.ops.finish(name, view(world, rec.pb, kind), None)
            due = self.due(now=now)
            self._started(rec, Rollout(rec.pb.generation, plan.created, plan.problem, due, name))
            if now and not self.hold:
                self._settle(rec)
            await self.tick()
            await self.publish(rec)
            return operation

    def _trial(self, key: ResourceKey, plan: Plan) -> operations_pb2.Operation:
        """A `validate_only` write: "validated and default values populated, without
        persisting the request" (run v2 UpdateServiceRequest.validate_only,
        UpdateWorkerPoolRequest's alike). Its deploy is tried on copies, so that neither the
        revisions it would retire or route to again nor a deploy in progress (which only a
        real write supersedes) change; a done operation answers the would-be resource."""
        world = self.world
        name = key.operation(world.uid())
        revisions = {short: copy(revision) for short, revision in plan.revisions.items()}
        trial = OwnerRec(key, plan.service, {})
        begin(world, trial, replace(plan, revisions=revisions))
        trial.rollout = Rollout(0, plan.created, trial_problem(world, plan.problem), None, name)
        observed = dict(world.observed_ingress)  # what the real service's routes observe
        error = settle(world, trial)
        answer = view(world, trial.pb, kind_of(key))
        world.observed_ingress = observed
        return self.ops.finish(name, answer, error)

    def _started(self, rec: OwnerRec, rollout: Rollout) -> None:
        rec.rollout = rollout
        if rollout.due is not None:
            self.schedule(rollout.due, lambda: self._settle(rec, rollout))

    def _settle(self, rec: OwnerRec, rollout: Rollout | None = None) -> None:
        """Settle the service's deploy in progress (only `rollout`, when given)."""
        if rec.rollout is None or (rollout is not None and rec.rollout is not rollout):
            return
        name = rec.rollout.operation
        error = settle(self.world, rec)
        self._settled.append((rec, name, error))
        self._dirty[rec.key] = rec

    async def finish(self, key: ResourceKey, failure: str | None = None) -> None:
        """Settle a deploy in progress now: ready, or failed with `failure` as the reason."""
        rec = self.world.owner(key)
        if rec.rollout is None:
            raise LookupError(f"no deploy in progress on {key.id}")
        if failure is not None:
            rec.rollout.problem, rec.rollout.secrets = failure, False
        self._settle(rec)
        await self.tick()

    def delete_revision(
        self, rec: OwnerRec, name: str, etag: str, validate_only: bool
    ) -> operations_pb2.Operation:
        """DeleteRevision: "Only retired revisions can be deleted with this API"
        (DeleteRevisionRequest); the operation is done at once."""
        revision = rec.revisions[name]
        check_etag(rec.key, etag, revision.etag, self.world.options.stale_etag, revision=name)
        problem = retirement_problem(self.world, rec, name)
        if problem:
            raise RpcError(grpc.StatusCode.FAILED_PRECONDITION, problem)
        operation = rec.key.operation(self.world.uid())
        deleted = copy(revision)
        deleted.delete_time.CopyFrom(self.world.now())
        if not validate_only:
            del rec.revisions[name]
            forget(rec)
        return self.ops.finish(operation, deleted, None)
