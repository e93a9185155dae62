"""A job whose execution token's execution did not do what job.proto makes its readiness wait
on — `run_execution_token`: "The Job will become ready when the execution is successfully
completed"; `start_execution_token`: "… successfully started" (google/cloud/run/v2/job.proto)
— is told from a job whose update failed by structure (its latest execution is the token's,
`JOB-TOKEN`, and it failed), never by the words of its Ready condition, which Google does not
document (sandbox option `token_failure_ready`; helper-631 F3, F4). drift check, fix and
rollback never say "its latest update … did not reach the desired state" of it, whatever the
words. And a job whose parallelism is 0 runs "the maximum possible value"
(ExecutionTemplate.parallelism), whatever number its execution reports (option
`execution_parallelism`; helper-631 F5): a labels-only write since is no "other
configuration"."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

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
from tests.jobs.world import JOB_ENV, TODAY, write_profile
from tests.sandbox.jobworld import JOB, JOB_SPEC, world

UPDATE_FAILED = "did not reach the desired state"
WORDINGS = ["names_execution", "execution_words", "generic"]
FAILED = run_v2.Condition.State.CONDITION_FAILED
SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED
PROFILE = (
    JOB_ENV
    + """\
      TOKEN: {secret: SECRET}
"""
)


def _profile(tmp_path: Path, secret: str, extra: str = "") -> Any:
    text = PROFILE.replace("SECRET", secret) + extra
    return load_profile(write_profile(tmp_path / "profiles", text), "prod")


def _sandbox(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    job: dict[str, Any],
    **options: Any,
) -> Sandbox:
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}, **options))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox


def _terraform(sandbox: Sandbox, token: str, secret: str = "") -> None:
    """What `terraform apply` of a new token sends (UpdateJob; `secret`: TOKEN now names it),
    its operation not waited on; the update's own reconciliation ended."""
    with grpc.insecure_channel(sandbox.address) as channel:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        job = jobs.get_job(name=JOB)
        for var in job.template.template.containers[0].env:
            if var.name == "TOKEN" and secret:
                var.value_source.secret_key_ref.secret = secret
        setattr(job, f"{token}_execution_token", "v2")
        sandbox.hold_deploys()
        jobs.update_job(job=job)
    sandbox.finish_update("p", "job", "job")


def _enable(sandbox: Sandbox, version: str) -> None:
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    with grpc.insecure_channel(sandbox.address) as channel:
        transport = SecretManagerServiceGrpcTransport(channel=channel)
        secretmanager_v1.SecretManagerServiceClient(transport=transport).enable_secret_version(
            name=version
        )


def _check(tmp_path: Path, profile: Any) -> list[tuple[str, str]]:
    result = asyncio.run(run_check(profile, load_settings(wait=0.5), today=TODAY))
    return [(f.rule, f.message) for f in result.report.findings]


def _fix(tmp_path: Path, profile: Any) -> FixResult:
    settings = load_settings(journal_dir=tmp_path / "j", wait=0.5)
    options = FixOptions(verify=False, yes=True)
    return asyncio.run(run_fix(profile, settings, ScriptedUI([]), options, today=TODAY))


def _rollback(tmp_path: Path, change: str | None) -> RollbackResult:
    assert change is not None
    settings = load_settings(journal_dir=tmp_path / "j", wait=0.5)
    return asyncio.run(run_rollback(settings, ScriptedUI([]), change, yes=True, force=True))


@pytest.mark.parametrize("wording", WORDINGS)
@pytest.mark.parametrize("how", ["task", "secret"])
def test_a_failed_run_token_execution_is_the_executions_failure_whatever_the_words(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    how: str,
    wording: str,
) -> None:
    options: dict[str, Any] = {"token_failure_ready": wording}
    if how == "secret":  # the update is not checked; the execution meets the check
        options["job_update_secret_check"] = False
    job = copy.deepcopy(JOB_SPEC)
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path, job, **options)
    secret = "rotated" if how == "secret" else "token"  # rotated's latest version: DISABLED
    _terraform(sandbox, "run", secret if how == "secret" else "")
    sandbox.finish_execution("p", "job", "job-v2", failure="OOMKilled" if how == "task" else None)
    sandbox.hold_deploys(False)
    assert sandbox.job("p", "job").terminal_condition.state == FAILED
    findings = _check(tmp_path, _profile(tmp_path, secret))
    rules = sorted(rule for rule, _ in findings)
    assert rules == (["job.failed", "secret.disabled"] if how == "secret" else ["job.failed"])
    assert not [m for _, m in findings if UPDATE_FAILED in m], findings
    (failed,) = [m for rule, m in findings if rule == "job.failed"]
    assert "job-v2" in failed, failed


@pytest.mark.parametrize("wording", WORDINGS)
def test_a_start_token_whose_execution_never_started_check_fix_and_rollback(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, wording: str
) -> None:
    """The start token's execution fails the secret check as it starts (the update is not
    checked: `job_update_secret_check: false`): the job is not ready (job.proto); drift says
    the execution failed. Once the version is enabled again, drift's fix (NEEDED added) and
    its rollback, which send no token, leave the job ready — none of them blames the
    update."""
    job = copy.deepcopy(JOB_SPEC)
    job["client"] = "terraform"
    options = {"token_failure_ready": wording, "job_update_secret_check": False}
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path, job, **options)
    _terraform(sandbox, "start", "rotated")
    sandbox.finish_execution("p", "job", "job-v2")  # its start fails the secret check
    sandbox.hold_deploys(False)
    assert sandbox.job("p", "job").terminal_condition.state == FAILED  # never started
    findings = _check(tmp_path, _profile(tmp_path, "rotated"))
    assert sorted(rule for rule, _ in findings) == ["job.failed", "secret.disabled"], findings
    assert not [m for _, m in findings if UPDATE_FAILED in m], findings
    _enable(sandbox, "projects/p/secrets/rotated/versions/2")  # a teammate repairs it
    needed = _profile(tmp_path, "rotated", "      NEEDED: x\n")
    fixed = _fix(tmp_path, needed)
    assert UPDATE_FAILED not in fixed.summary(), fixed.summary()
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    assert sandbox.job("p", "job").terminal_condition.state == SUCCEEDED
    rolled = _rollback(tmp_path, fixed.change_id)
    assert rolled.exit_code == ExitCode.OK, rolled.summary()
    assert UPDATE_FAILED not in rolled.summary(), rolled.summary()


def test_a_start_token_denied_by_binary_authorization_is_the_executions_failure(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    denied = "us-docker.pkg.dev/example/migrate:2"
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["image"] = denied
    job["binaryAuthorization"] = {"useDefault": True}
    sandbox = _sandbox(
        make_sandbox,
        monkeypatch,
        tmp_path,
        job,
        binauthz_denied_images=[denied],
        token_failure_ready="generic",
    )
    _terraform(sandbox, "start")
    sandbox.finish_execution("p", "job", "job-v2")
    sandbox.hold_deploys(False)
    assert sandbox.job("p", "job").terminal_condition.state == FAILED
    findings = _check(tmp_path, _profile(tmp_path, "token"))
    assert [rule for rule, _ in findings] == ["job.failed"], findings
    assert not [m for _, m in findings if UPDATE_FAILED in m], findings


@pytest.mark.parametrize("option", ["tasks", "quota"])
def test_a_job_with_parallelism_0_relabelled_after_its_failed_execution_ran_no_other_one(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, option: str
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["task_count"] = 500
    job["template"]["max_retries"] = 0
    job["executions"] = [{"name": "job-a1b2c", "created": "2h", "outcome": "failed",
                          "message": "boom"}]  # fmt: skip
    sandbox = _sandbox(
        make_sandbox, monkeypatch, tmp_path, job, execution_parallelism=option
    )  # fmt: skip
    with grpc.insecure_channel(sandbox.address) as channel:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        relabelled = jobs.get_job(name=JOB)
        relabelled.labels["team"] = "data"  # a labels-only write after that execution
        jobs.update_job(job=relabelled).result(timeout=30)
    ran = sandbox.execution("p", "job", "job-a1b2c").parallelism
    assert ran == (100 if option == "quota" else 500)
    findings = _check(
        tmp_path, _profile(tmp_path, "token", "    settings:\n      task_count: 500\n")
    )
    (failed,) = [m for rule, m in findings if rule == "job.failed"]
    assert "configuration other than" not in failed, failed
    assert "then run the job again" in failed or "boom" in failed, failed
