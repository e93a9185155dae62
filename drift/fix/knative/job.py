"""A Cloud Run v2 `Job` as the `run.googleapis.com/v1` Job `gcloud run jobs replace` takes,
and back (facts §12: `spec.template` is the execution template, `spec.template.spec.template`
the task template; `timeoutSeconds` of a task is an int64, written as a string)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from drift.fix.exec_token import left_out
from drift.fix.knative import keys
from drift.fix.knative.conversion import Conversion, present
from drift.fix.knative.pod import pod_in, pod_out, seconds_of
from drift.fix.knative.service import (
    common_in,
    common_out,
    metadata_in,
    resource_metadata,
    template_metadata,
)

JOB_API = "run.googleapis.com/v1"
JOB_KEYS = frozenset({keys.LAUNCH_STAGE, keys.BINAUTHZ, keys.BINAUTHZ_BREAKGLASS})


def job_out(conv: Conversion, job: Any, *, project: str, region: str) -> dict[str, Any]:
    fields: dict[str, str] = {}
    common_out(conv, job, fields)
    metadata = resource_metadata(
        conv, job, fields, JOB_KEYS, project=project, region=region, noun="job"
    )
    if token := left_out(job):
        # left out as drift's UpdateJob leaves it out (drift.fix.update.without_execution_token)
        conv.left_out.append(f"as drift fix does, {token}")
    return {
        "apiVersion": JOB_API,
        "kind": "Job",
        "metadata": metadata,
        "spec": {"template": _execution_out(conv, job.template)},
    }


def _execution_out(conv: Conversion, e: Any) -> dict[str, Any]:
    task = e.template
    fields: dict[str, str] = {}
    pod = pod_out(conv, task, fields, job=True)
    if present(task, "max_retries"):
        pod["maxRetries"] = task.max_retries
    seconds = seconds_of(task.timeout)
    if seconds:
        if seconds != int(seconds):
            conv.note("the task timeout is not whole seconds; Knative has timeoutSeconds")
        pod["timeoutSeconds"] = str(int(seconds))
    metadata = template_metadata(conv, e, fields)
    spec: dict[str, Any] = {}
    if e.parallelism:
        spec["parallelism"] = e.parallelism
    if e.task_count:
        spec["taskCount"] = e.task_count
    spec["template"] = {"spec": pod}
    return {"metadata": metadata, "spec": spec}


# --- back: Knative -> v2 ------------------------------------------------------------------


def job_in(doc: dict[str, Any], *, region: str = "") -> Any:
    from google.cloud import run_v2

    name, labels, ann = metadata_in(doc, "jobs", region)
    job = run_v2.Job(name=name, labels=labels)
    common_in(ann, job)
    job.annotations = ann
    template = (doc.get("spec") or {}).get("template") or {}
    job.template = _execution_in(template)
    return job


def _execution_in(doc: dict[str, Any]) -> Any:
    from google.cloud import run_v2

    metadata = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    ann = {k: str(v) for k, v in (metadata.get("annotations") or {}).items()}
    task = run_v2.TaskTemplate()
    if "maxRetries" in pod:
        task.max_retries = int(pod["maxRetries"])
    if "timeoutSeconds" in pod:
        task.timeout = timedelta(seconds=int(pod["timeoutSeconds"]))
    pod_in(pod, ann, task)
    return run_v2.ExecutionTemplate(
        labels={k: str(v) for k, v in (metadata.get("labels") or {}).items()},
        annotations=ann,
        parallelism=int(spec.get("parallelism", 0)),
        task_count=int(spec.get("taskCount", 0)),
        template=task,
    )
