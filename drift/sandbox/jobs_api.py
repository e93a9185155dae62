"""`google.cloud.run.v2.Jobs` and `Executions`: jobs read, listed with paging, updated and
deleted as long-running operations, run (an execution behind an operation); executions read
and listed newest first."""

from __future__ import annotations

from typing import Any

from google.cloud import run_v2
from google.protobuf.message import Message

from drift.sandbox.core import Core
from drift.sandbox.names import (
    EXECUTION,
    JOB,
    JOBS,
    LOCATION,
    ResourceKey,
    check_etag,
    not_found,
    parse,
)
from drift.sandbox.pb import ExecutionPb, copy
from drift.sandbox.rpc import Method, paginate, proto_plus_method
from drift.sandbox.state import JobRec

JOBS_API = "google.cloud.run.v2.Jobs"
EXECUTIONS = "google.cloud.run.v2.Executions"


class JobsApi:
    def __init__(self, core: Core) -> None:
        self.core = core

    def _jobs_in(self, project: str, region: str) -> list[JobRec]:
        world = self.core.world
        pid = world.project(project).id
        found = [
            rec
            for key, rec in world.jobs.items()
            if key.project == pid and region in ("-", key.region)
        ]
        return sorted(found, key=lambda rec: rec.key)

    def _job(self, name: str) -> JobRec:
        world = self.core.world
        return world.job(world.key_of(name, JOBS))

    # --- Jobs --------------------------------------------------------------------------

    async def get_job(self, request: Any) -> Message:
        return copy(self._job(request.name).pb)

    async def list_jobs(self, request: Any) -> Message:
        project, region = parse(LOCATION, request.parent, "projects/PROJECT/locations/REGION")
        recs = self._jobs_in(project, region)
        page, token = paginate(
            recs, request.page_size, request.page_token, shape=self.core.world.options.pages
        )
        return run_v2.ListJobsResponse.pb()(jobs=[rec.pb for rec in page], next_page_token=token)

    async def update_job(self, request: Any) -> Message:
        key = self.core.world.key_of(request.job.name, JOBS)
        return await self.core.jobs.update(
            key,
            request.job,
            allow_missing=request.allow_missing,
            validate_only=request.validate_only,
        )

    async def run_job(self, request: Any) -> Message:
        key = self.core.world.key_of(request.name, JOBS)
        return await self.core.jobs.run(key, request)

    async def delete_job(self, request: Any) -> Message:
        """DeleteJob: the job and its executions go (running ones are cancelled); the
        operation is done at once with the job, its `delete_time` set."""
        rec = self._job(request.name)
        check_etag(rec.key, request.etag, rec.pb.etag)
        world = self.core.world
        deleted = copy(rec.pb)
        deleted.delete_time.CopyFrom(world.now())
        operation = rec.key.operation(world.uid())
        if not request.validate_only:
            for name in list(rec.running):
                self.core.jobs.settle_run(rec, name, cancel=True)
            del world.jobs[rec.key]
        return self.core.ops.finish(operation, deleted, None)

    # --- Executions --------------------------------------------------------------------

    async def get_execution(self, request: Any) -> Message:
        project, region, job, execution = parse(
            EXECUTION,
            request.name,
            "projects/PROJECT/locations/REGION/jobs/JOB/executions/EXECUTION",
        )
        world = self.core.world
        rec = world.job(ResourceKey(world.project(project).id, region, job, JOBS))
        if execution not in rec.executions:
            raise not_found(
                f"Resource '{execution}' of kind 'EXECUTION' in region '{region}' "
                f"in project '{rec.key.project}' does not exist."
            )
        return copy(rec.executions[execution])

    async def list_executions(self, request: Any) -> Message:
        """ "Results are sorted by creation time, descending." (ListExecutions); `jobs/-`
        lists the executions of every job."""
        project, region, job = parse(
            JOB, request.parent, "projects/PROJECT/locations/REGION/jobs/JOB (or jobs/-)"
        )
        world = self.core.world
        if job == "-":
            recs = self._jobs_in(project, region)
        else:
            recs = [world.job(ResourceKey(world.project(project).id, region, job, JOBS))]
        executions: list[ExecutionPb] = [e for rec in recs for e in rec.executions.values()]
        executions.sort(key=lambda e: (e.create_time.seconds, e.create_time.nanos), reverse=True)
        page, token = paginate(
            executions, request.page_size, request.page_token, shape=self.core.world.options.pages
        )
        return run_v2.ListExecutionsResponse.pb()(executions=page, next_page_token=token)

    def methods(self) -> list[Method]:
        jobs = [
            ("GetJob", run_v2.GetJobRequest, self.get_job),
            ("ListJobs", run_v2.ListJobsRequest, self.list_jobs),
            ("UpdateJob", run_v2.UpdateJobRequest, self.update_job),
            ("RunJob", run_v2.RunJobRequest, self.run_job),
            ("DeleteJob", run_v2.DeleteJobRequest, self.delete_job),
        ]
        executions = [
            ("GetExecution", run_v2.GetExecutionRequest, self.get_execution),
            ("ListExecutions", run_v2.ListExecutionsRequest, self.list_executions),
        ]
        return [
            *(proto_plus_method(JOBS_API, *row) for row in jobs),
            *(proto_plus_method(EXECUTIONS, *row) for row in executions),
        ]
