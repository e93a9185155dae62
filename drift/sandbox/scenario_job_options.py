"""The scenario's options for what jobs and their executions show (a part of
`scenario_options.Options`): the switches for job behaviours the documentation leaves open —
the words of a token job's failed Ready condition, the parallelism an execution reports, and
whether an execution moves its job's etag."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

QUOTA_PARALLELISM = 100
"""The parallelism an execution of a job whose parallelism is 0 reports under
`execution_parallelism: quota` (at most its task count): the sandbox's number. The
parallelism page gives none ("up to a maximum that varies depending on how many CPUs you are
using", cloud.google.com/run/docs/configuring/parallelism)."""


class JobOptions(BaseModel):
    """The jobs' options: a part of `scenario_options.Options`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    token_failure_ready: Literal["names_execution", "execution_words", "generic"] = Field(
        "names_execution",
        description="The words of the Ready condition of a job whose `run_execution_token` "
        "execution failed or was cancelled, or whose `start_execution_token` execution failed "
        "to start: job.proto says only that the job 'will become ready when the execution is "
        "successfully completed' ('… started'), nothing of what its condition holds when it "
        "is not. `names_execution`: 'Execution JOB-TOKEN failed: ' and the execution's message, "
        "its reason copied; `execution_words`: the execution's own message, no reason; "
        "`generic`: words naming no execution, no reason.",
    )
    execution_parallelism: Literal["tasks", "quota"] = Field(
        "tasks",
        description="The `parallelism` an execution of a job whose parallelism is 0 reports "
        "(Execution.parallelism is OUTPUT_ONLY; ExecutionTemplate.parallelism: 'if this field "
        "is 0 or unset, the maximum possible value will be used for that execution', a "
        "maximum that 'varies depending on how many CPUs you are using', the parallelism "
        "page). `tasks`: its task count; `quota`: at most 100 (the sandbox's quota).",
    )
    etag_on_run: Literal["stable", "changes"] = Field(
        "stable",
        description="Whether a job's etag changes when an execution of it is created or ends "
        "(its `execution_count`, `latest_created_execution` change: a Cloud Scheduler run, "
        "nobody's write to the job). Job.etag is 'a system-generated fingerprint for this "
        "version of the resource' (job.proto), silent on whether those fields are part of "
        "that version.",
    )
