"""Settings a team writes inside a container that Cloud Run keeps one level up: a revision's
`containerConcurrency`, `timeoutSeconds` and `serviceAccountName` (v1 RevisionSpec), a task's
`maxRetries` (v1 TaskSpec), an execution's `taskCount` and `parallelism` (v1 ExecutionSpec).
A v1 Container has none of these fields, so `gcloud run services|jobs replace` refuses the
file (`messages_util.DictToMessageWithErrorCheck` raises a DecodeError for every unrecognized
field, googlecloudsdk/api_lib/util/messages.py); drift passed the key over and read the
setting's default (revman91 F3). Each is refused at its line, saying where it belongs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator

OFF_LEVEL = "not of a container"
"""What each message here says (`drift.manifest.knative._hinted` adds gcloud's refusal)."""
REVISION = "revision's spec (spec.template.spec)"
TASK = "task's spec (spec.template.spec.template.spec)"
EXECUTION = "execution's spec (spec.template.spec)"


def _refusing(where: str) -> Any:
    """A field validator refusing its fields: each is a setting of the `where` level."""

    def refused(cls: type[BaseModel], value: Any) -> Any:
        raise ValueError(f"a setting of the {where}, {OFF_LEVEL}: move it there")

    return classmethod(refused)


class RevisionLevel(BaseModel):
    """The keys of a service's (or worker pool's) revision spec, in one of its containers."""

    containerConcurrency: Any = None
    timeoutSeconds: Any = None
    serviceAccountName: Any = None

    revision_keys = field_validator("containerConcurrency", "timeoutSeconds", "serviceAccountName")(
        _refusing(REVISION)
    )


class TaskLevel(BaseModel):
    """The keys of a job's task spec and execution spec, in its container."""

    maxRetries: Any = None
    timeoutSeconds: Any = None
    serviceAccountName: Any = None
    taskCount: Any = None
    parallelism: Any = None

    task_keys = field_validator("maxRetries", "timeoutSeconds", "serviceAccountName")(
        _refusing(TASK)
    )
    execution_keys = field_validator("taskCount", "parallelism")(_refusing(EXECUTION))
