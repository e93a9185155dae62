"""The rows of the settings catalogue only jobs and worker pools have: a job's task timeout,
retries, parallelism and task count (`ExecutionTemplate`, `TaskTemplate`), a worker pool's
instance count (`WorkerPoolScaling`). Field comments quoted are the installed
`google.cloud.run_v2` types' docstrings."""

from __future__ import annotations

from drift.fields import access as a
from drift.fields.base import Field, SettingValue, Source
from drift.kinds import Kind

JOBS = frozenset({Kind.JOB})
POOLS = frozenset({Kind.WORKER_POOL})
DEFAULT_TASK_TIMEOUT = 600
"""TaskTemplate.timeout: "This applies per attempt of a task … Defaults to 600 seconds."."""
DEFAULT_MAX_RETRIES = 3
"""TaskTemplate.max_retries: "Number of retries allowed per Task … Defaults to 3." (a oneof
member: an explicit 0 is set, not unset)."""
DEFAULT_INSTANCES = 1
"""Worker pools: "When you deploy a worker pool without enabling CPU autoscaling, Cloud Run
uses manual scaling with 1 instance by default." (run/docs/configuring/workerpools/
cpu-autoscaling); WorkerPoolScaling.manual_instance_count is optional."""


def _max_retries(source: Source) -> int:
    template = source.revision
    if template.HasField("max_retries"):
        return int(template.max_retries)
    return DEFAULT_MAX_RETRIES


def _parallelism(source: Source) -> int:
    # ExecutionTemplate.parallelism: "if this field is 0 or unset, the maximum possible value
    # will be used for that execution" — 0 is how the API says "no limit".
    return int(source.service.template.parallelism)


def _parallelism_shown(value: SettingValue) -> str:
    return "0 (as many as possible)" if str(value) == "0" else str(value)


def _task_count(source: Source) -> int:
    # ExecutionTemplate.task_count: "Specifies the desired number of tasks the execution
    # should run. … Defaults to 1."
    return int(source.service.template.task_count) or 1


def _instances(source: Source) -> int:
    pool = source.service
    if pool.HasField("scaling") and pool.scaling.HasField("manual_instance_count"):
        return int(pool.scaling.manual_instance_count)
    return DEFAULT_INSTANCES


WORKLOAD_FIELDS: tuple[Field, ...] = (
    Field(
        "task_timeout",
        "A job's timeout per attempt of a task (e.g. 900s, 1h); 600s when unset.",
        str,
        read=a.duration("timeout", DEFAULT_TASK_TIMEOUT),
        write=a.template_field("timeout", a.seconds),
        gcloud=a.flag("task-timeout"),
        parse=a.scalar(a.duration_text),
        examples=("900s", "1h"),
        kinds=JOBS,
    ),
    Field(
        "max_retries",
        "A job's retries per task before the task fails; 3 when unset.",
        int,
        read=_max_retries,
        write=a.template_field("max_retries", int),
        gcloud=a.flag("max-retries"),
        minimum=0,
        kinds=JOBS,
    ),
    Field(
        "parallelism",
        "A job's tasks run at once; 0 (or unset): as many as possible.",
        int,
        read=_parallelism,
        write=a.service_field("template.parallelism", int),
        level="service",
        gcloud=a.flag("parallelism"),
        show=_parallelism_shown,
        minimum=0,
        kinds=JOBS,
    ),
    Field(
        "task_count",
        "A job's tasks per execution; 1 when unset.",
        int,
        read=_task_count,
        write=a.service_field("template.task_count", int),
        level="service",
        gcloud=a.flag("tasks"),
        minimum=1,
        kinds=JOBS,
    ),
    Field(
        "instance_count",
        "A worker pool's instances (manual scaling); 1 when unset.",
        int,
        read=_instances,
        write=a.service_field("scaling.manual_instance_count", int),
        level="service",
        gcloud=a.flag("instances"),
        minimum=0,
        kinds=POOLS,
    ),
)
