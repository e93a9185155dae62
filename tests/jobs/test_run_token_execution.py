"""A job Terraform updated with a new `run_execution_token` (google_cloud_run_v2_job): job.proto
(google/cloud/run/v2, Job.run_execution_token) says "The Job will become ready when the
execution is successfully completed", and the sandbox models it (tests/sandbox/
test_run_execution_token_ready.py). drift reads such a job right (revfidelity2 F2): while the
token's execution runs, the job is being reconciled, not an update that failed; when that
execution failed, the finding is the EXECUTION's failure (`job.failed`, its cause), never
"its latest update (generation N) did not reach the desired state"."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport

from drift.check import run_check
from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.rollback import RollbackResult, run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_execution_token import TF_JOB, _tf_job
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import JOB, world

UPDATE_FAILED = "did not reach the desired state"
IN_PROGRESS = "update in progress (the job is being reconciled"
RUNS = (  # the execution the job waits on, named so that it can be looked at (job.proto)
    "its execution job-v2 is running, and the job is ready once it is done, which "
    "`gcloud run jobs executions describe job-v2 --project=p --region=us-central1` shows"
)
SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED
FAILED = run_v2.Condition.State.CONDITION_FAILED


def _sandbox(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Sandbox:
    job = _tf_job({"runExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}])
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox


def _terraform_applies_token(sandbox: Sandbox) -> None:
    """What `terraform apply` of a new run_execution_token sends: UpdateJob with the token;
    its execution job-v2 is left running (deploys held), the update itself settled."""
    with grpc.insecure_channel(sandbox.address) as channel:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        job = jobs.get_job(name=JOB)
        job.run_execution_token = "v2"
        sandbox.hold_deploys()
        jobs.update_job(job=job)  # its operation is held: not waited on
    sandbox.finish_update("p", "job", "job")


def _fix(tmp_path: Path) -> FixResult:
    settings = load_settings(journal_dir=tmp_path / "j", wait=0.5)
    profile = load_profile(write_profile(tmp_path / "profiles", TF_JOB), "prod")
    options = FixOptions(verify=False, yes=True)
    return asyncio.run(run_fix(profile, settings, ScriptedUI([]), options, today=TODAY))


def _check(tmp_path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    profile = load_profile(write_profile(tmp_path / "profiles", TF_JOB), "prod")
    result = asyncio.run(run_check(profile, load_settings(wait=0.5), today=TODAY))
    findings = [(f.rule, f.message) for f in result.report.findings]
    return findings, [u.reason for u in result.state.unverified]


def _rollback(tmp_path: Path, change: str | None, *, force: bool = False) -> RollbackResult:
    assert change is not None
    settings = load_settings(journal_dir=tmp_path / "j", wait=0.5)
    return asyncio.run(run_rollback(settings, ScriptedUI([]), change, yes=True, force=force))


def _updates(sandbox: Sandbox) -> int:
    return len([c for c in sandbox.calls if c.short == "UpdateJob"])


def test_while_the_tokens_execution_runs_the_job_is_being_reconciled_not_failed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path)
    first = _fix(tmp_path)  # NEEDED set: a change to roll back later
    assert first.exit_code == ExitCode.OK, first.summary()
    _terraform_applies_token(sandbox)
    job = sandbox.job("p", "job")
    assert job.reconciling and job.terminal_condition.state != SUCCEEDED, job  # job.proto
    findings, unverified = _check(tmp_path)
    assert not [f for f in findings if f[0] == "revision.rollout"], findings
    assert not [m for _, m in findings if UPDATE_FAILED in m], findings
    assert [u for u in unverified if IN_PROGRESS in u and RUNS in u], unverified
    before = _updates(sandbox)
    fixed = _fix(tmp_path)  # refused, and says why
    assert fixed.exit_code == ExitCode.INCOMPLETE, fixed.summary()
    assert [u for u in fixed.plan.unverified if IN_PROGRESS in u and RUNS in u], fixed.plan
    rolled = _rollback(tmp_path, first.change_id)  # refused, and says what runs
    assert rolled.exit_code == ExitCode.ABORTED, rolled
    assert IN_PROGRESS in rolled.message and UPDATE_FAILED not in rolled.message, rolled
    assert RUNS in rolled.message, rolled.message
    assert _updates(sandbox) == before  # neither wrote


def test_when_the_tokens_execution_failed_the_finding_is_the_executions_failure(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path)
    first = _fix(tmp_path)
    assert first.exit_code == ExitCode.OK, first.summary()
    _terraform_applies_token(sandbox)
    sandbox.finish_execution("p", "job", "job-v2", failure="OOMKilled")
    sandbox.hold_deploys(False)
    ready = sandbox.job("p", "job").terminal_condition  # not ready: its execution failed
    assert ready.state == FAILED and "OOMKilled" in ready.message, ready
    findings, _ = _check(tmp_path)
    assert [f[0] for f in findings] == ["job.failed"], findings
    assert "job-v2" in findings[0][1] and "OOMKilled" in findings[0][1], findings
    assert not [m for _, m in findings if UPDATE_FAILED in m], findings
    rolled = _rollback(tmp_path, first.change_id, force=True)  # NEEDED taken out again
    assert rolled.exit_code == ExitCode.OK and UPDATE_FAILED not in str(rolled), rolled
    findings, _ = _check(tmp_path)
    assert sorted(f[0] for f in findings) == ["env.missing", "job.failed"], findings
    fixed = _fix(tmp_path)
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    assert UPDATE_FAILED not in fixed.summary(), fixed.summary()
    # drift's update sends no token: the job is ready again, the failed execution stays
    assert sandbox.job("p", "job").terminal_condition.state == SUCCEEDED
    findings, _ = _check(tmp_path)
    assert [f[0] for f in findings] == ["job.failed"], findings


@pytest.mark.parametrize(
    ("token", "latest", "status", "named"),
    [
        ("v2", "job-v2", "EXECUTION_RUNNING", True),
        ("v2", "job-v2", "EXECUTION_PENDING", True),
        ("v2", "job-v2", "EXECUTION_SUCCEEDED", False),  # done: the reconciling is not it
        ("v2", "job-v1", "EXECUTION_RUNNING", False),  # not yet created: another one runs
        ("", "job-abcde", "EXECUTION_RUNNING", False),  # no token: the update is what runs
        ("start:v2", "job-v2", "EXECUTION_PENDING", True),  # start_execution_token: "started"
        ("start:v2", "job-v2", "EXECUTION_RUNNING", True),  # said to run (revown58 F6)
    ],
)
def test_a_reconciling_job_names_the_execution_only_when_its_token_made_it_and_it_runs(
    token: str, latest: str, status: str, named: bool
) -> None:
    from drift.live.api import in_progress

    job = run_v2.Job(name=JOB, reconciling=True)
    if token.startswith("start:"):
        job.start_execution_token = token.removeprefix("start:")
    elif token:
        job.run_execution_token = token
    job.latest_created_execution = run_v2.ExecutionReference(name=latest, completion_status=status)
    said = in_progress(job, job=True)
    assert said.startswith(IN_PROGRESS), said
    done = "has started" if token.startswith("start:") else "is done"
    now = "pending" if status == "EXECUTION_PENDING" else "running"
    runs = f"execution {latest} is {now}, and the job is ready once it {done}, which `gcloud"
    assert (runs in said) is named, said
    assert (said == "update in progress (the job is being reconciled)") is not named, said


def test_a_hostile_execution_name_is_escaped_in_every_part_of_the_message() -> None:
    """revown58 F5: the sentence carried the name's newline and ESC (json, sarif, `jq -r`)."""
    from drift.live.api import in_progress

    token = "v2\n::error::pwned\x1b[31m"
    job = run_v2.Job(name=JOB, reconciling=True, run_execution_token=token)
    ref = run_v2.ExecutionReference(name=f"job-{token}", completion_status="EXECUTION_RUNNING")
    job.latest_created_execution = ref
    said = in_progress(job, job=True)
    assert "execution job-v2" in said, said
    assert "\n" not in said and "\x1b" not in said, said


def test_their_label_on_a_job_made_with_a_token_is_kept_by_the_rollback(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """drift's update sends no token (`without_execution_token`): the digest of the job whole
    it journals (`kept_since.whole_key`) is of the job as sent, so a teammate's label alone
    since is proven, and the rollback goes on, their label kept (helper-661 A7)."""
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path)
    first = _fix(tmp_path)
    assert first.exit_code == ExitCode.OK, first.summary()
    with grpc.insecure_channel(sandbox.address) as channel:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        job = jobs.get_job(name=JOB)
        job.labels["team"] = "theirs"
        jobs.update_job(job=job).result()
    rolled = _rollback(tmp_path, first.change_id)
    assert rolled.exit_code == ExitCode.OK, rolled
    assert sandbox.job("p", "job").labels["team"] == "theirs"
