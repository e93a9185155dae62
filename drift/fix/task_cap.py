"""A plan must never leave a job's parallelism above its task count: ExecutionTemplate.
parallelism "Specifies the maximum desired number of tasks the execution should run at given
time. Must be <= task_count." (run/v2/execution_template.proto; 0 or unset: "the maximum
possible value"), and the parallelism page asks for "an integer between 0 and the maximum …
that don't exceed the number of tasks" (`PAGE`). The job the plan would write is judged with
the patch applied: a `task_count` it lowers below the parallelism the job keeps, or a
`parallelism` it raises above the task count, becomes a manual step naming the rule and what to
state beside it; both stated consistently are planned like any other (both stated that way
is a profile refused at load: `drift.fields.workloads.over_tasks`). Never an extra change
the profile does not state (the other setting is not changed for it), never a patch the API
says it takes no part of; a job already holding both that way, neither planned, is left to
its settings' own findings."""

from __future__ import annotations

from typing import Any

from drift.blanks import Arg, blank, word
from drift.fields import FIELDS
from drift.fields.workloads import DEFAULT_TASKS, above_tasks
from drift.fields.workloads import PARALLELISM_PAGE as PAGE
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.kinds import Kind

WATCHED = ("task_count", "parallelism")
OTHER: dict[str, tuple[str, Arg]] = {
    "task_count": ("parallelism", word("--parallelism=", blank("PARALLELISM"))),
    "parallelism": ("task_count", word("--tasks=", blank("TASK_COUNT"))),
}
"""For each setting, the other one and its flag with the value to fill in."""


def task_steps(cmd: Commands, proposed: Proposed) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without a job's `task_count` / `parallelism` change that would
    leave its parallelism above its task count, and the manual step for each."""
    live, settings = proposed.live, proposed.settings
    planned = {c.name: c for c in settings if c.name in WATCHED}
    if live.kind is not Kind.JOB or live.source is None or not planned:
        return settings, []
    tasks, parallelism = _over(proposed.workload().template)  # the ExecutionTemplate, patched
    if not parallelism:
        return settings, []
    steps = []
    for name, change in planned.items():
        other, fill = OTHER[name]
        said = (
            f"task_count {tasks} is below the job's parallelism {parallelism}"
            if name == "task_count"
            else f"parallelism {parallelism} is above the job's task_count {tasks}"
        )
        # never both: a profile stating both that way is refused at load (`over_tasks`)
        way = f"state {other} in the profile beside {name}"
        reason = (
            f"{live.name}: {said}: Cloud Run's ExecutionTemplate.parallelism \"Must be <= "
            f'task_count" ({PAGE}), so this update would break that rule; {way} (parallelism '
            "at most the task count, or 0: as many as possible), then run drift fix again"
        )
        flags = [FIELDS[name].gcloud(change.after), fill]  # the other's value to fill in
        steps.append(ManualStep(f"setting.{name}", reason, (cmd.update(*flags),)))
    return [c for c in settings if c.name not in planned], steps


def over_tasks(proposed: Proposed) -> list[str]:
    """What the job `proposed` would write holds against the rule, in words (none for another
    kind, or within it): what `drift fix --only` refuses in a part of a plan whose whole
    keeps the two together (helper-617 F1)."""
    if proposed.live.kind is not Kind.JOB or proposed.live.source is None:
        return []
    tasks, parallelism = _over(proposed.workload().template)
    return [f"parallelism {parallelism} above task_count {tasks}"] if parallelism else []


def _over(executions: Any) -> tuple[int, int]:
    """A job's ExecutionTemplate's task count (1 when unset) and its parallelism where that
    is above it (0 else: within it, or 0 itself, as many as possible)."""
    tasks = int(executions.task_count) or DEFAULT_TASKS
    parallelism = int(executions.parallelism)
    return tasks, parallelism if above_tasks(parallelism, tasks) else 0


def restored_over(now: Any, restored: Any) -> str:
    """What a job's rollback says before it writes ("" else) when the job it puts back has
    its parallelism above its task count and the job as it is now has not: the job held them
    so before the change (the rollback puts back what was, never another value), and
    whether Cloud Run takes such an update is not documented (`PAGE`; sandbox option
    `parallelism_over_tasks`). If it refuses, nothing is written."""
    tasks, parallelism = _over(restored.template)
    if not parallelism or _over(now.template)[1]:
        return ""
    return (
        f"the rollback puts back parallelism {parallelism} above task_count {tasks}, as the "
        "job held them before the change; Cloud Run asks for a parallelism that doesn't "
        f"exceed the number of tasks ({PAGE}) and may refuse the update, writing nothing: "
        f"then undo the change by hand with a parallelism of at most {tasks} (or 0: as "
        "many as possible)"
    )
