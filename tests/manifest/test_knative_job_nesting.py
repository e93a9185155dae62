"""A Job's settings at another level of its nesting than the Cloud Run v1 Job has them:
`maxRetries` or `timeoutSeconds` in the execution's spec (`spec.template.spec`, a v1
ExecutionSpec: parallelism, taskCount, template), `taskCount` or `parallelism` in the task's
(`spec.template.spec.template.spec`, a v1 TaskSpec: volumes, containers, timeoutSeconds,
serviceAccountName, nodeSelector, maxRetries), annotations in a task template's `metadata`
(a v1 TaskTemplateSpec holds only `spec`). `gcloud run jobs replace` reads the file with
`messages_util.DictToMessageWithErrorCheck` (googlecloudsdk/api_lib/util/messages.py), which
raises a DecodeError for every unrecognized field: the deploy is refused. drift passed the
key over and read the setting's default (3 retries, 600 s, 1 task), so a profile stating that
default was "no drift" of a file gcloud refuses (revman91 F2). Each is now refused at its
line, as gcloud refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifest.conftest import check_offline, problems_of, read

JOB = """\
apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: export
  namespace: acme-prod
  labels:
    cloud.googleapis.com/location: us-central1
spec:
  template:
    spec:
      taskCount: 1
{execution}      template:
        spec:
{task}          containers:
          - image: gcr.io/acme/export:1
"""


def _job(execution: str = "", task: str = "") -> str:
    return JOB.format(execution=execution, task=task)


@pytest.mark.parametrize(
    ("execution", "task", "expected"),
    [
        pytest.param(
            "      maxRetries: 0\n",
            "",
            "m.yaml:12: unknown key 'maxRetries'",
            id="retries-in-the-execution-spec",
        ),
        pytest.param(
            "      timeoutSeconds: '3600'\n",
            "",
            "m.yaml:12: unknown key 'timeoutSeconds'",
            id="timeout-in-the-execution-spec",
        ),
        pytest.param(
            "",
            "          parallelism: 4\n",
            "m.yaml:14: unknown key 'parallelism'",
            id="parallelism-in-the-task-spec",
        ),
        pytest.param(
            "        metadata:\n          annotations:\n"
            "            run.googleapis.com/vpc-access-egress: all-traffic\n",
            "",
            "m.yaml:13: unknown key 'metadata'",
            id="annotations-in-the-task-template",
        ),
    ],
)
def test_a_job_key_at_a_level_the_v1_job_lacks_is_refused_as_gcloud_refuses_it(
    execution: str, task: str, expected: str
) -> None:
    if execution.startswith("        metadata"):  # the task template's own metadata
        text = _job().replace("      template:\n", "      template:\n" + execution)
    else:
        text = _job(execution, task)
    (problem,) = problems_of(text)
    assert problem.startswith(expected), problem
    assert "gcloud run jobs replace refuses" in problem


def test_the_job_levels_as_the_reference_writes_them_are_read() -> None:
    text = _job(task="          maxRetries: 0\n          timeoutSeconds: '3600'\n").replace(
        "      taskCount: 1\n", "      taskCount: 5\n      parallelism: 2\n"
    )
    (workload,) = read(text).workloads
    execution = workload.resource.template
    assert (execution.task_count, execution.parallelism) == (5, 2)
    assert execution.template.max_retries == 0
    assert execution.template.timeout.total_seconds() == 3600


def test_retries_in_the_execution_spec_is_never_no_drift(tmp_path: Path) -> None:
    profile = (
        "project: acme-prod\nregion: us-central1\njobs:\n  export:\n    settings:\n"
        "      max_retries: 3\n"
    )
    done = check_offline(tmp_path, profile, ("m.yaml", _job("      maxRetries: 0\n")))
    assert done.returncode == 2, (done.returncode, done.stdout)
    assert "m.yaml:12: unknown key 'maxRetries'" in done.stderr
