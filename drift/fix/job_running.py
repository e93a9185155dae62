"""What a write to a job leaves to its execution still running: an execution runs its own copy
of the job's template, so only the next execution runs the write's configuration."""

from __future__ import annotations

from drift.kinds import Kind
from drift.live.model import LiveService

RESTORED = "the configuration the rollback restores"
"""What a job's next execution runs after a rollback (`still_running`)."""


def running_note(live: LiveService) -> str:
    """A job whose latest execution has not finished: the fix does not reach it ("" else;
    read from the check, for the prompt: no call of its own)."""
    execution = live.execution
    if live.kind is not Kind.JOB or execution is None or not execution.running:
        return ""
    return still_running(execution.name, "the fix")


def still_running(execution: str, what: str) -> str:
    """What a write to a job leaves to its execution still running ("" when none). An
    execution runs its own copy of the job's template (execution.proto `Execution.template`,
    "The template used to create tasks for this execution"; job.proto `Job.template`, "The
    template used to create executions for this Job"), and its tasks' retries run that copy
    too: only the next execution runs `what`."""
    if not execution:
        return ""
    return (
        f"its execution {execution} is still running and keeps the configuration it "
        "started with, for its remaining tasks and their retries too: only the next execution "
        f"runs {what}"
    )
