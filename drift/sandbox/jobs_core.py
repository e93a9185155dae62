"""Jobs inside the running sandbox: an UpdateJob reconciling until it settles, a RunJob's
execution running until it completes, each behind a long-running operation, on the same clock
(and the same `hold_deploys`) as deploys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

import grpc
from google.longrunning import operations_pb2

from drift.sandbox.deploy_checks import trial_problem
from drift.sandbox.executions import (
    execution_name,
    finish_execution,
    new_execution,
    record,
    refresh,
    task_failure,
    task_template,
)
from drift.sandbox.jobs import begin_job, plan_job, settle_job
from drift.sandbox.names import ResourceKey, RpcError, check_etag, check_update
from drift.sandbox.operations import Operations
from drift.sandbox.pb import JobPb, copy
from drift.sandbox.registry import owner_problem
from drift.sandbox.state import JobRec, Rollout, World
from drift.sandbox.validate import template_problem


class Host(Protocol):
    """What the job runner needs from the running sandbox (drift.sandbox.core.Core)."""

    world: World
    ops: Operations

    def due(self, *, now: bool = False) -> float | None: ...

    def schedule(self, due: float, action: Callable[[], None]) -> None: ...

    async def tick(self) -> None: ...


# A failed execution's operation error: Cloud Run documents no code for it.
EXECUTION_FAILED = grpc.StatusCode.FAILED_PRECONDITION


def created_by_token(key: ResourceKey, current: JobRec | None, request: JobPb) -> str:
    """The execution an UpdateJob's `start_execution_token` / `run_execution_token` creates
    ("A unique string used as a suffix [for] creating a new execution", job.proto, oneof
    create_execution): `JOB-TOKEN`; "" without a token. A token of an existing execution is
    refused: "the re-sent token fails the apply outright with `Resource 'job-token' already
    exists`" (GoogleCloudPlatform/magic-modules#19060, observed on the real API)."""
    which = request.WhichOneof("create_execution")
    if which is None:
        return ""
    name = f"{key.id}-{getattr(request, which)}"
    if current is not None and name in current.executions:
        raise RpcError(grpc.StatusCode.ALREADY_EXISTS, f"Resource '{name}' already exists.")
    return name


class JobRunner:
    """Event-loop only."""

    def __init__(self, core: Host) -> None:
        self.core = core
        self._locks: dict[ResourceKey, asyncio.Lock] = {}
        # the execution a job's readiness waits on (its name, and whether only its start is):
        # its `run_execution_token`'s ("The Job will become ready when the execution is
        # successfully completed", job.proto), until it ends; its `start_execution_token`'s
        # ("… when the execution is successfully started"), until it has started or failed
        # to: the sandbox's executions start when they are created (new_execution), unless
        # their start fails (the secret check, Binary Authorization: `_start`), known when it ends
        self._awaits: dict[ResourceKey, tuple[str, bool]] = {}
        self._held: set[ResourceKey] = set()  # its update done, the job still waiting

    async def update(
        self, key: ResourceKey, request: JobPb, *, allow_missing: bool, validate_only: bool
    ) -> operations_pb2.Operation:
        """UpdateJob: check and plan; `validate_only` answers a done operation with the
        would-be job; otherwise the job reconciles and the operation is done when it
        settles (ready, or failed with the error)."""
        core = self.core
        async with self._locks.setdefault(key, asyncio.Lock()):
            world = core.world
            current = world.jobs.get(key)
            etag = None if current is None else current.pb.etag
            check_update(
                key, etag, request.etag, allow_missing=allow_missing, stale=world.options.stale_etag
            )
            if current is not None and not validate_only:
                # a newer generation supersedes the update in progress; a `validate_only`
                # write persists nothing (UpdateJobRequest.validate_only), so it goes on
                self._settle_update(current, superseded=True)
            token = created_by_token(key, current, request)
            plan = plan_job(world, key, current, request)
            name = key.operation(world.uid())
            if validate_only:
                trial = JobRec(key, copy(plan.job))
                begin_job(world, trial, plan)
                trial.update = Rollout(0, None, trial_problem(world, plan.problem), None, name)
                error = settle_job(world, trial)
                return core.ops.finish(name, copy(trial.pb), error)
            rec = current or JobRec(key, plan.job)
            begin_job(world, rec, plan)
            world.jobs[key] = rec
            operation = core.ops.start(name, copy(rec.pb))
            if world.options.workload_update_done == "accepted":
                operation = core.ops.finish(name, copy(rec.pb), None)
            update = Rollout(rec.pb.generation, None, plan.problem, core.due(), name)
            rec.update = update
            if update.due is not None:
                core.schedule(update.due, lambda: self._settle_update(rec, update))
            self._held.discard(key)
            self._awaits.pop(key, None)
            if token:
                start = request.WhichOneof("create_execution") == "start_execution_token"
                self._awaits[key] = (token, start)
            if token:
                self._start(rec, token, rec.pb.template.template, rec.pb.template.task_count, "")
            await core.tick()
            return operation

    def _settle_update(
        self, rec: JobRec, update: Rollout | None = None, *, superseded: bool = False
    ) -> None:
        """End the job's update: ready or failed; a job waiting on its token's execution
        stays reconciling until that execution ends (`settle_run`) — a start token's only
        while its start is to fail — unless a newer update supersedes it."""
        if rec.update is None or (update is not None and rec.update is not update):
            return
        awaited, start = self._awaits.get(rec.key, ("", False))
        run = rec.running.get(awaited)
        waits = run is not None and (not start or run.problem is not None)
        if not superseded and rec.update.problem is None and waits:
            self._held.add(rec.key)
            return
        self._held.discard(rec.key)
        self._awaits.pop(rec.key, None)
        execution = rec.executions.get(awaited) if awaited and not superseded else None
        if execution is not None and execution.reconciling and start:
            execution = None  # started, still running: the job is ready
        name = rec.update.operation
        error = settle_job(self.core.world, rec, execution, start=start)
        if self.core.world.options.workload_update_done == "settled":
            self.core.ops.finish(name, copy(rec.pb), error)

    async def run(self, key: ResourceKey, request: Any) -> operations_pb2.Operation:
        """RunJob: an execution of the job's template with the request's overrides. The
        operation's metadata is the execution (prefect-gcp reads the execution's name from
        it); it is done when the execution completes, with the execution or the failure
        (terraform-google-cloud-run#251 waits on it; a client's `result()` outlasting
        its timeout while the job runs: mage-ai#5985)."""
        core = self.core
        world = core.world
        rec = world.job(key)
        check_etag(key, request.etag, rec.pb.etag, world.options.stale_etag)
        overrides = request.overrides if request.HasField("overrides") else None
        template, task_count = task_template(rec.pb, overrides)
        name = execution_name(world, rec)
        operation = key.operation(world.uid())
        if request.validate_only:
            execution = new_execution(world, rec, name, template, task_count, creator=world.caller)
            return core.ops.finish(operation, execution, None)
        # the job's token goes "as soon as an execution is created any other way - `jobs:run`,
        # a Cloud Scheduler trigger, the console" (GoogleCloudPlatform/magic-modules#19060)
        rec.pb.ClearField("create_execution")
        started = self._start(rec, name, template, task_count, operation)
        await core.tick()
        return started

    def _start(
        self, rec: JobRec, name: str, template: Any, task_count: int, operation: str
    ) -> operations_pb2.Operation:
        """An execution `name` of `template` started (with RunJob's `operation`, else none)."""
        core = self.core
        world = core.world
        execution = new_execution(world, rec, name, template, task_count, creator=world.caller)
        problem = template_problem(world, world.project(rec.key.project), template, rec.key.region)
        # Binary Authorization checks each execution, never the job's update
        problem = problem or owner_problem(world, rec.pb, template, execution=True)
        record(world, rec, execution)
        started = core.ops.start(operation, copy(execution)) if operation else None
        run = Rollout(0, name, problem, core.due(), operation)
        rec.running[name] = run
        if run.due is not None:
            core.schedule(run.due, lambda: self.settle_run(rec, name, run=run))
        return started or operations_pb2.Operation()

    def settle_run(
        self,
        rec: JobRec,
        name: str,
        *,
        run: Rollout | None = None,
        failure: str | None = None,
        cancel: bool = False,
    ) -> None:
        """Complete a running execution: failed when its secret check failed (or with
        `failure`), cancelled with `cancel`, else succeeded."""
        current = rec.running.get(name)
        if current is None or (run is not None and current is not run):
            return
        del rec.running[name]
        world = self.core.world
        execution = rec.executions[name]
        problem = current.problem if failure is None else task_failure(execution, failure)
        secrets = failure is None and current.secrets and problem is not None
        outcome = "cancelled" if cancel else "failed" if problem else "succeeded"
        finish_execution(world, execution, outcome, problem or "", secrets=secrets)
        refresh(world, rec)
        if current.operation:
            message = execution.conditions[-1].message
            error = None if outcome == "succeeded" else RpcError(EXECUTION_FAILED, message)
            self.core.ops.finish(current.operation, copy(execution), error)
        if rec.key in self._held and self._awaits.get(rec.key, ("",))[0] == name:
            self._settle_update(rec)

    async def finish_update(self, key: ResourceKey) -> None:
        """Settle the job's update in progress now."""
        rec = self.core.world.job(key)
        if rec.update is None:
            raise LookupError(f"no update in progress on {key.id}")
        self._settle_update(rec)
        await self.core.tick()

    async def finish_run(
        self, key: ResourceKey, name: str | None, failure: str | None, cancel: bool
    ) -> str:
        """Complete one running execution (default: the newest); returns its name."""
        rec = self.core.world.job(key)
        wanted = name or next(reversed(rec.running), None)
        if wanted is None or wanted not in rec.running:
            what = "no execution is" if name is None else f"execution {name!r} is not"
            raise LookupError(f"{what} running on job {key.id!r}")
        self.settle_run(rec, wanted, failure=failure, cancel=cancel)
        await self.core.tick()
        return wanted
