"""The scenario's worker pools and jobs: the keys they share with services (`OwnerSpec`), a
worker pool with its revision history, instance splits and instance count, a job with its
execution template and its past executions."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from drift.profiles.rules_spec import VarName
from drift.sandbox.kinds import POOL
from drift.sandbox.pb import JobPb, PoolPb
from drift.sandbox.scenario_fields import (
    EnvValue,
    JobTemplateSpec,
    PoolRevisionSpec,
    PoolTemplateSpec,
    Span,
    SplitSpec,
    Text,
    _api_fields,
)
from drift.sandbox.scenario_options import Strict

_OWN = {"description", "labels", "annotations", "client", "client_version"}
_JOB_OUTPUT = frozenset(
    {"name", "uid", "generation", "create_time", "update_time", "delete_time", "expire_time"}
    | {"creator", "last_modifier", "observed_generation", "terminal_condition", "conditions"}
    | {"execution_count", "latest_created_execution", "reconciling", "satisfies_pzs", "etag"}
    | {"template", "start_execution_token", "run_execution_token"}
)


class OwnerSpec(Strict):
    """What a service, a worker pool and a job share: where it runs, its metadata and who
    wrote it. Besides these keys, any writable field of the resource may be given in the
    v2 API's JSON form (`binaryAuthorization`, `launchStage`, `scaling`, …)."""

    _API: ClassVar[Any] = None

    region: str | None = None
    labels: dict[str, Text] = Field(default_factory=dict)
    annotations: dict[str, Text] = Field(default_factory=dict)
    client: str | None = None
    client_version: str | None = None
    creator: str | None = None
    last_modifier: str | None = None
    failed: str | None = Field(None, description="The latest deploy (update) failed: why.")
    api: dict[str, Any] | None = Field(None, description="Resource fields, v2 JSON.")

    @model_validator(mode="before")
    @classmethod
    def _api(cls, data: Any) -> Any:
        return cls._API(data)


class PoolSpec(OwnerSpec):
    """A Cloud Run worker pool: its template (the latest revision), older revisions,
    instance splits (default: 100% to the latest ready revision) and instance count
    (`WorkerPoolScaling.manual_instance_count`)."""

    _API: ClassVar[Any] = _api_fields(
        PoolPb, _OWN, POOL.output_only | {"template", "instance_splits"}
    )

    description: str | None = None
    template: PoolTemplateSpec = Field(default_factory=PoolTemplateSpec)
    history: list[PoolRevisionSpec] = Field(
        default_factory=list, description="Older revisions, oldest first."
    )
    instance_splits: list[SplitSpec] | None = None
    instances: int | None = Field(None, ge=0, description="manual_instance_count")


class ExecutionSpec(Strict):
    """A past (or still running) execution of a job, with the job's template and these
    overrides (RunJobRequest.Overrides: `env` merged into the main container's, `task_count`
    replaced)."""

    name: str | None = Field(None, description="Default: JOB-xxxxx.")
    created: Span | None = Field(None, description="How long ago it was created.")
    duration: Span = Field("1m", description="How long it ran.")
    outcome: Literal["succeeded", "failed", "cancelled", "running"] = "succeeded"
    message: str | None = Field(
        None, description="Why it failed (default: the secret check's message)."
    )
    creator: str | None = None
    task_count: int | None = Field(None, ge=1)
    env: dict[VarName, EnvValue] | None = None


class JobSpec(OwnerSpec):
    """A Cloud Run job: its execution template (flat keys or v2 JSON) and its executions."""

    _API: ClassVar[Any] = _api_fields(JobPb, _OWN, _JOB_OUTPUT)

    template: JobTemplateSpec = Field(default_factory=JobTemplateSpec)
    executions: list[ExecutionSpec] = Field(
        default_factory=list, description="Past executions, oldest first."
    )
