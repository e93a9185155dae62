"""What a test does to a running sandbox's jobs and worker pools besides calling the APIs:
read them, update a job and run it as gcloud would (and settle its execution), deploy a
worker pool. None of these are recorded as calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from google.cloud import run_v2

from drift.sandbox.control import Controls
from drift.sandbox.deploy import view
from drift.sandbox.kinds import POOL
from drift.sandbox.names import JOBS, POOLS, SERVICES, ResourceKey
from drift.sandbox.pb import ExecutionPb, JobPb, PoolPb, copy
from drift.sandbox.requests import GCLOUD, job_update, pool_deploy, run_overrides
from drift.sandbox.state import JobRec

Kind = Literal["service", "worker_pool", "job"]
COLLECTIONS = {"service": SERVICES, "worker_pool": POOLS, "job": JOBS}


class JobControls(Controls):
    def _key(self, project: str, name: str, collection: str, region: str | None) -> ResourceKey:
        return self._core.world.find(project, name, collection, region)

    def _job_rec(self, project: str, job: str, region: str | None) -> JobRec:
        return self._core.world.job(self._key(project, job, JOBS, region))

    # --- reading ---------------------------------------------------------------------

    def job(self, project: str, job: str, *, region: str | None = None) -> run_v2.Job:
        """The job as GetJob answers it."""
        found: run_v2.Job = run_v2.Job.wrap(
            self._run(lambda: copy(self._job_rec(project, job, region).pb))
        )
        return found

    def execution(
        self, project: str, job: str, name: str | None = None, *, region: str | None = None
    ) -> run_v2.Execution:
        """An execution by short name (default: the newest)."""

        def read() -> ExecutionPb:
            rec = self._job_rec(project, job, region)
            wanted = name or next(reversed(rec.executions), None)
            if wanted is None or wanted not in rec.executions:
                raise LookupError(f"no execution {wanted!r} of job {job!r}")
            return copy(rec.executions[wanted])

        found: run_v2.Execution = run_v2.Execution.wrap(self._run(read))
        return found

    def worker_pool(
        self, project: str, pool: str, *, region: str | None = None
    ) -> run_v2.WorkerPool:
        """The worker pool as GetWorkerPool answers it."""

        def read() -> PoolPb:
            world = self._core.world
            return view(world, world.owner(self._key(project, pool, POOLS, region)).pb, POOL)

        found: run_v2.WorkerPool = run_v2.WorkerPool.wrap(self._run(read))
        return found

    # --- jobs ------------------------------------------------------------------------

    def update_job(
        self,
        project: str,
        job: str,
        *,
        image: str | None = None,
        env: Mapping[str, str | None] | None = None,
        secrets: Mapping[str, str] | None = None,
        client: tuple[str, str] = GCLOUD,
        region: str | None = None,
    ) -> run_v2.Job:
        """What `gcloud run jobs update --image … --update-env-vars … --update-secrets
        VAR=SECRET:VERSION` sends (`env: {VAR: None}` is `--remove-env-vars`); the update
        settles at once unless the sandbox holds deploys. A job whose secret check fails
        stays failed, as in Cloud Run."""

        async def change() -> JobPb:
            core = self._core
            rec = self._job_rec(project, job, region)
            request = job_update(rec.pb, image=image, env=env, secrets=secrets, client=client)
            await core.jobs.update(rec.key, request, allow_missing=False, validate_only=False)
            if not core.hold and rec.update is not None:
                await core.jobs.finish_update(rec.key)
            return copy(rec.pb)

        changed: run_v2.Job = run_v2.Job.wrap(self._call(change()))
        return changed

    def run_job(
        self,
        project: str,
        job: str,
        *,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        args: Sequence[str] | None = None,
        task_count: int | None = None,
        timeout: float | None = None,
        wait: bool = True,
        failure: str | None = None,
        region: str | None = None,
    ) -> run_v2.Execution:
        """What `gcloud run jobs execute [--wait] --update-env-vars … --args … --tasks …
        --task-timeout …` sends (RunJob with overrides). With `wait` the execution completes
        now: it fails when a secret it uses cannot be read (the deploy-time check), or with
        `failure` as a task's message; otherwise it succeeds. Without `wait` it runs until
        `operation_delay_ms` passes or `finish_execution` (never by itself while deploys are
        held)."""

        async def start() -> ExecutionPb:
            core = self._core
            rec = self._job_rec(project, job, region)
            request = run_v2.RunJobRequest.pb()(
                name=rec.key.name,
                overrides=run_overrides(env, secrets, args, task_count, timeout),
            )
            held = core.hold
            # a failure to apply: the execution must still be running when it is applied
            # (without a delay it would settle, succeeded, within the RunJob)
            core.hold = held or (wait and failure is not None)
            try:
                operation = await core.jobs.run(rec.key, request)
            finally:
                core.hold = held
            execution = ExecutionPb()
            operation.metadata.Unpack(execution)
            name = execution.name.rsplit("/", 1)[-1]
            if wait and name in rec.running:
                await core.jobs.finish_run(rec.key, name, failure, False)
            return copy(rec.executions[name])

        started: run_v2.Execution = run_v2.Execution.wrap(self._call(start()))
        return started

    def finish_execution(
        self,
        project: str,
        job: str,
        name: str | None = None,
        *,
        failure: str | None = None,
        cancel: bool = False,
        region: str | None = None,
    ) -> run_v2.Execution:
        """Complete a running execution (default: the newest running one): failed when its
        secret check failed or with `failure`, cancelled with `cancel`, else succeeded."""

        async def finish() -> ExecutionPb:
            rec = self._job_rec(project, job, region)
            done = await self._core.jobs.finish_run(rec.key, name, failure, cancel)
            return copy(rec.executions[done])

        done: run_v2.Execution = run_v2.Execution.wrap(self._call(finish()))
        return done

    # --- worker pools ----------------------------------------------------------------

    def deploy_pool(
        self,
        project: str,
        pool: str,
        *,
        image: str | None = None,
        env: Mapping[str, str | None] | None = None,
        secrets: Mapping[str, str] | None = None,
        instances: int | None = None,
        client: tuple[str, str] = GCLOUD,
        region: str | None = None,
    ) -> run_v2.WorkerPool:
        """What `gcloud run worker-pools deploy --image … --update-env-vars …
        --update-secrets … --instances N` sends: UpdateWorkerPool with `allow_missing` and a
        gcloud-chosen revision name; the deploy settles at once unless deploys are held."""

        async def change() -> PoolPb:
            core = self._core
            key = self._key(project, pool, POOLS, region)
            rec = core.world.owner(key)
            revision = f"{pool}-{rec.pb.generation + 1:05d}-{core.world.suffix()}"
            request = pool_deploy(
                rec.pb,
                revision,
                image=image,
                env=env,
                secrets=secrets,
                instances=instances,
                client=client,
            )
            await core.deploy(key, request, allow_missing=True, now=True)
            return view(core.world, rec.pb, POOL)

        changed: run_v2.WorkerPool = run_v2.WorkerPool.wrap(self._call(change()))
        return changed

    def finish_update(
        self, project: str, name: str, kind: Kind, *, failure: str | None = None
    ) -> None:
        """Settle the update in progress on a worker pool (ready, or failed with `failure`)
        or a job (ready, or failed on its secret check)."""

        async def finish() -> None:
            key = self._key(project, name, COLLECTIONS[kind], None)
            if kind == "job":
                await self._core.jobs.finish_update(key)
            else:
                await self._core.finish(key, failure)

        self._call(finish())
