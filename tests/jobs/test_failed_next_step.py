"""`job.failed` says what to do next from its failed condition's reason (a proto enum,
google/cloud/run/v2/condition.proto; never the server's words): a task that exited with an
error (ExecutionReason NON_ZERO_EXIT_CODE: "A task reached its retry limit and the last attempt
failed due to the user container exiting with a non-zero exit code") points at its logs; a
cancelled execution ("cancelled by users": `job.failed` only where the job's reference to it
omits its status, `test_execution_status_omitted`) failed nothing it ran and is run again; a secret
that failed Cloud Run's check at start (CommonReason SECRETS_ACCESS_CHECK_FAILED) is fixed,
then the job run again. In the text and in the JSON report alike."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.jobs.test_execution_status_omitted import _omit_status
from tests.jobs.world import failed_job, jobs_world, write_profile
from tests.sandbox.jobworld import JOB_SPEC

RUN = "gcloud run jobs execute job --project=p --region=us-central1"


def _ran(outcome: str, message: str | None = None, name: str | None = None) -> dict[str, Any]:
    job = copy.deepcopy(JOB_SPEC)
    last: dict[str, Any] = {"outcome": outcome, "message": message}
    if name is not None:
        last["name"] = name
    job["executions"] = [{"outcome": "succeeded"}, last]
    return job


CASES = {
    "exit": (
        _ran("failed", "Task job-x-task0 failed with message: exit code 3."),
        "NON_ZERO_EXIT_CODE) — a task's container exited with an error on its last retry: its "
        "logs say why (`gcloud run jobs executions describe {name} --project=p "
        "--region=us-central1` links them)",
    ),
    # a name no real execution has, from a server that misbehaves: pasted, the command runs
    # nothing but gcloud (the sandbox serves it; quoted as the shell reads it back)
    "exit, a hostile name": (
        _ran("failed", "Task failed: exit code 3.", name="job-$(touch PWNED)"),
        "NON_ZERO_EXIT_CODE) — a task's container exited with an error on its last retry: its "
        "logs say why (`gcloud run jobs executions describe 'job-$(touch PWNED)' --project=p "
        "--region=us-central1` links them)",
    ),
    "cancelled": (
        _ran("cancelled"),
        f"CANCELLED) — someone cancelled it: nothing it ran failed: `{RUN}` runs it again",
    ),
    "secret": (
        failed_job(),
        "SECRETS_ACCESS_CHECK_FAILED) — a secret it uses failed Cloud Run's access check "
        "(missing, not enabled, or not readable by its service account; `drift check` names "
        f"which): fix that, then run the job again (`{RUN}`)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_job_failed_says_what_to_do_from_its_reason_in_text_and_json(
    make_sandbox: MakeSandbox, tmp_path: Path, case: str
) -> None:
    job, step = CASES[case]
    sandbox = make_sandbox(jobs_world(jobs={"job": job}))
    if case == "cancelled":
        _omit_status(sandbox)
    write_profile(tmp_path / "profiles")
    name = sandbox.job("p", "job").latest_created_execution.name.rsplit("/", 1)[-1]
    expected = step.format(name=name)
    text = drift("check", "prod", cwd=tmp_path, env=sandbox.environ())
    assert text.returncode == 1, text.stdout + text.stderr
    (line,) = [ln for ln in text.stdout.splitlines() if "the latest execution of job" in ln]
    assert line.endswith(expected), line
    as_json = drift("check", "prod", "--format", "json", cwd=tmp_path, env=sandbox.environ())
    (failed,) = [f for f in json.loads(as_json.stdout)["findings"] if f["rule"] == "job.failed"]
    assert failed["message"].endswith(expected), failed["message"]
    assert failed["message"].count("gcloud run jobs") == 1
