"""The rows of the settings catalogue only jobs and worker pools have: a job's task timeout,
retries, parallelism and task count (`ExecutionTemplate`, `TaskTemplate`), a worker pool's
instance count (`WorkerPoolScaling`). Field comments quoted are the installed
`google.cloud.run_v2` types' docstrings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from drift.fields import access as a
from drift.fields.base import Field, SettingValue, Stated, tf_template
from drift.fields.scaling import SCALING_MODE
from drift.kinds import Kind

JOBS = frozenset({Kind.JOB})
POOLS = frozenset({Kind.WORKER_POOL})
JOBS_GEN2 = "Cloud Run jobs only use the second generation execution environment (gen2)"
"""cloud.google.com/run/docs/configuring/execution-environments: "Cloud Run jobs only use the
second generation execution environment, and this cannot be changed for jobs"."""
DEFAULT_TASK_TIMEOUT = 600
"""TaskTemplate.timeout: "This applies per attempt of a task … Defaults to 600 seconds."."""
DEFAULT_MAX_RETRIES = 3
"""TaskTemplate.max_retries: "Number of retries allowed per Task … Defaults to 3." (a oneof
member: an explicit 0 is set, not unset)."""
DEFAULT_TASKS = 1
"""ExecutionTemplate.task_count: "Specifies the desired number of tasks the execution should
run. … Defaults to 1."."""
DEFAULT_INSTANCES = 1
"""Worker pools: "When you deploy a worker pool without enabling CPU autoscaling, Cloud Run
uses manual scaling with 1 instance by default." (run/docs/configuring/workerpools/
cpu-autoscaling); WorkerPoolScaling.manual_instance_count is optional."""


def _parallelism_shown(value: SettingValue) -> str:
    # ExecutionTemplate.parallelism: "if this field is 0 or unset, the maximum possible value
    # will be used for that execution" — 0 is how the API says "no limit".
    return "0 (as many as possible)" if str(value) == "0" else str(value)


PARALLELISM_PAGE = "cloud.google.com/run/docs/configuring/parallelism"


def above_tasks(parallelism: int, tasks: int) -> bool:
    """Whether a job's parallelism is above its task count: 0, "as many as possible", never
    is."""
    return bool(parallelism) and parallelism > tasks


def over_tasks(job: str, stated: Stated) -> list[tuple[str, str]]:
    """A parallelism a job's profile states above the task count it states: refused, as
    Cloud Run states the rule: ExecutionTemplate.parallelism "Must be <= task_count" (the v2
    REST reference), and the parallelism page asks for "an integer between 0 and the maximum
    … that don't exceed the number of tasks" (`PARALLELISM_PAGE`). Only what the profile
    states is judged: a parallelism beside the job's own task count is the plan's to judge
    (`drift.fix.task_cap`). 0 is "as many as possible", never over."""
    if "parallelism" not in stated or "task_count" not in stated:
        return []
    (parallelism, _), (tasks, where) = stated["parallelism"], stated["task_count"]
    if not above_tasks(int(parallelism), int(tasks)):
        return []
    return [
        (
            "parallelism",
            f"{job}: parallelism {parallelism} with task_count {tasks} ({where}): Cloud Run "
            f'requires parallelism "<= task_count" ({PARALLELISM_PAGE}); state parallelism '
            f"at most {tasks}, or 0 (as many tasks at once as possible)",
        )
    ]


def kept_over_tasks(kind: Kind, settings: Mapping[str, Any]) -> str:
    """What a plan says of a job its patch leaves with a parallelism above its task count (a
    job a lenient server let hold them; a patch that would make them so is a manual step,
    `drift.fix.task_cap`): an update may be refused for them ("" when none)."""
    parallelism, tasks = settings.get("parallelism"), settings.get("task_count")
    if kind is not Kind.JOB or not isinstance(parallelism, int) or not isinstance(tasks, int):
        return ""
    if not above_tasks(parallelism, tasks):
        return ""
    return (
        f"the job keeps parallelism {parallelism} above its task_count {tasks}, which Cloud Run"
        f' says it must not (parallelism "<= task_count", {PARALLELISM_PAGE}): a server that '
        "enforces it refuses this update (INVALID_ARGUMENT), as any other; state parallelism "
        f"(at most {tasks}) or task_count (at least {parallelism}) in the profile to correct "
        "it with the rest"
    )


WORKLOAD_FIELDS: tuple[Field, ...] = (
    Field(
        "task_timeout",
        "A job's timeout per attempt of a task (e.g. 900s, 1h); 600s when unset.",
        a.NUMBER_OR_TEXT,
        terraform=(tf_template("template", 0, "timeout"),),
        read=a.duration("timeout", DEFAULT_TASK_TIMEOUT),
        write=a.template_field("timeout", a.seconds),
        gcloud=a.flag("task-timeout"),
        # task-timeout page: "a longer time up to 168 hours (7 days)"
        parse=a.scalar(a.duration_text(168 * 3600, "the longest task timeout: 168 hours")),
        examples=("900s", "1h"),
        kinds=JOBS,
    ),
    a.integer(
        "max_retries",
        "A job's retries per task before the task fails; 3 when unset.",
        "max_retries",
        terraform=(tf_template("template", 0, "max_retries"),),
        default=DEFAULT_MAX_RETRIES,
        gcloud="max-retries",
        minimum=0,
        maximum=(10, "0 to 10 retries: cloud.google.com/run/docs/configuring/max-retries"),
        kinds=JOBS,
    ),
    replace(
        a.integer(
            "parallelism",
            "A job's tasks run at once; 0 (or unset): as many as possible.",
            "template.parallelism",
            terraform=(tf_template("parallelism"),),
            default=0,
            level="service",
            gcloud="parallelism",
            show=_parallelism_shown,
            minimum=0,
            kinds=JOBS,
        ),
        conflicts=over_tasks,
        conflicts_for=JOBS,
    ),
    a.integer(
        "task_count",
        "A job's tasks per execution; 1 when unset.",
        "template.task_count",
        terraform=(tf_template("task_count"),),
        default=DEFAULT_TASKS,
        level="service",
        gcloud="tasks",
        minimum=1,
        maximum=(10_000, '"up to 10,000 tasks": cloud.google.com/run/docs/create-jobs'),
        kinds=JOBS,
    ),
    a.integer(
        "instance_count",
        "A worker pool's instances (manual scaling); 1 when unset.",
        "scaling.manual_instance_count",
        terraform=SCALING_MODE,
        default=DEFAULT_INSTANCES,
        level="service",
        # gcloud 528's `beta run worker-pools update` has no --instances: it takes
        # `--scaling=N` (surface/run/worker_pools/update.py: flags.AddScalingFlag(...,
        # resource_kind='worker'); command_lib/run/flags.py: for worker pools in BETA "a
        # positive integer", the fixed instance count), as later gcloud's beta track does
        gcloud="scaling",
        minimum=0,
        kinds=POOLS,
        # the installed client's WorkerPoolScaling holds manual_instance_count alone; the
        # API's has a scaling mode too (v2 REST reference, WorkerPoolScaling.scalingMode; the
        # Terraform provider's `scaling_mode`): a pool on AUTOMATIC scaling runs between a
        # minimum and a maximum, with no fixed count (run/docs/configuring/workerpools/
        # cpu-autoscaling), and that arrives here only as fields this client does not know
        decided_by_siblings=(
            "the worker pool may scale automatically (WorkerPoolScaling's scaling mode), with "
            "no fixed instance count"
        ),
    ),
)
