"""Build the jobs a scenario describes: the job (defaults filled in as a write would), whether
its last update failed, and its past executions — succeeded, failed (on the secret check, or
with the scenario's message), cancelled, or still running."""

from __future__ import annotations

from drift.sandbox.executions import (
    execution_name,
    finish_execution,
    new_execution,
    record,
    refresh,
    task_template,
)
from drift.sandbox.jobs import did_not, execution_failed, fill_defaults
from drift.sandbox.metadata import refuse_seeded
from drift.sandbox.names import ResourceKey
from drift.sandbox.pb import JobPb, OverridesPb
from drift.sandbox.revisions import FAILED, SUCCEEDED, condition
from drift.sandbox.scenario_jobs import ExecutionSpec, JobSpec
from drift.sandbox.state import JobRec, ProjectRec, Rollout, World
from drift.sandbox.templates import apply_json, env_pb, job_template_pb, resolve
from drift.sandbox.validate import template_problem
from drift.units import parse_span

DAY = 86400.0


def build_job(world: World, project: ProjectRec, key: ResourceKey, spec: JobSpec) -> JobRec:
    deployer = spec.creator or f"deployer@{project.id}.iam.gserviceaccount.com"
    ages = [_age(run, i, len(spec.executions)) for i, run in enumerate(spec.executions)]
    job = JobPb(
        name=key.name,
        uid=world.uid(),
        generation=1,
        labels=spec.labels,
        annotations=spec.annotations,
        create_time=world.now(-max(ages, default=0.0) - DAY),
        update_time=world.now(-max(ages, default=0.0) - DAY),
        creator=deployer,
        last_modifier=spec.last_modifier or deployer,
        client=spec.client or "",
        client_version=spec.client_version or "",
        template=job_template_pb(resolve(spec.template), key.id),
    )
    if spec.api:
        apply_json(job, spec.api)
    fill_defaults(world, job)
    refuse_seeded(f"projects.{project.id}.jobs.{key.id}", [job], world.options.image_registries)
    job.observed_generation = 1
    job.terminal_condition.CopyFrom(condition(world, "Ready", SUCCEEDED))
    if spec.failed is not None:
        if world.options.failed_observed_generation == "last_serving":
            job.observed_generation = 0  # "empty for newly created Job" (Job.reconciling)
        job.terminal_condition.CopyFrom(condition(world, "Ready", FAILED, spec.failed))
    job.etag = world.etag(key.name)
    rec = JobRec(key, job)
    for run, age in zip(spec.executions, ages, strict=True):
        _execution(world, project, rec, run, age, spec.last_modifier or deployer)
    if spec.failed is None:
        _token_outcome(world, rec)
    return rec


def _token_outcome(world: World, rec: JobRec) -> None:
    """A job seeded with the token that created its latest execution (what a Terraform apply
    of `run_execution_token` / `start_execution_token` leaves) is ready only as job.proto says:
    "The Job will become ready when the execution is successfully completed" (a run token's) /
    "… successfully started" (a start token's). One whose execution did not (failed or was
    cancelled; failed to start) is seeded as the runtime leaves it (`execution_failed`)."""
    job = rec.pb
    which = job.WhichOneof("create_execution")
    if which is None or not rec.executions:
        return
    name, execution = next(reversed(rec.executions.items()))
    start = which == "start_execution_token"
    if name != f"{rec.key.id}-{getattr(job, which)}" or execution.reconciling:
        return
    if did_not(execution, start=start):
        if world.options.failed_observed_generation == "last_serving":
            job.observed_generation = 0  # "empty for newly created Job" (Job.reconciling)
        execution_failed(world, job, execution)


def _age(run: ExecutionSpec, index: int, count: int) -> float:
    """How long ago an execution was created: as the scenario says, else a day apart with
    the latest a day ago."""
    return parse_span(run.created) if run.created is not None else (count - index) * DAY


def _execution(
    world: World, project: ProjectRec, rec: JobRec, spec: ExecutionSpec, age: float, who: str
) -> None:
    overrides = OverridesPb(task_count=spec.task_count or 0)
    if spec.env:
        override = overrides.container_overrides.add()
        override.env.extend(env_pb(spec.env))  # a null variable is not overridden
    template, task_count = task_template(rec.pb, overrides)
    name = spec.name or execution_name(world, rec)
    execution = new_execution(
        world, rec, name, template, task_count, creator=spec.creator or who, age=age
    )
    record(world, rec, execution)
    problem = template_problem(world, project, template, rec.key.region)
    if spec.outcome == "running":
        rec.running[name] = Rollout(0, name, problem, None, "")
    else:
        secrets = spec.outcome == "failed" and spec.message is None and problem is not None
        message = spec.message or (problem if secrets else "")
        end = max(age - parse_span(spec.duration), 0.0)
        finish_execution(world, execution, spec.outcome, message or "", secrets=secrets, age=end)
    refresh(world, rec)
