"""A job written with `start_execution_token` / `run_execution_token` (Terraform's
`google_cloud_run_v2_job`): drift's UpdateJob (a fix, its rollback) never sends the token
back (revjobs3 finding 2). Job.proto, oneof `create_execution`: "A unique string used as a
suffix [for] creating a new execution"; the real API answers a re-sent token of an existing
execution with "Resource 'job-token' already exists", and starts an execution for a token of
none (GoogleCloudPlatform/magic-modules#19060). The sandbox does both
(tests/sandbox/test_execution_tokens.py), so a regression fails."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.apply import FixOptions, run_fix
from drift.fix.formats import PlanFormat
from drift.fix.plan import plan_environment
from drift.fix.render import render_plan
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import JOB_ENV, TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

TF_JOB = (
    JOB_ENV
    + """\
      TOKEN: {secret: token}
      NEEDED: x
"""
)


def _tf_job(token: dict[str, str], executions: list[dict[str, Any]]) -> dict[str, Any]:
    job = copy.deepcopy(JOB_SPEC)
    job["labels"] = {"managed-by": "terraform"}
    job["client"] = "terraform"
    job["api"] = token  # google_cloud_run_v2_job.start_execution_token / run_execution_token
    job["executions"] = executions
    return job


def _tf_lab(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, job: dict[str, Any]
) -> tuple[Sandbox, Path]:
    """`job` in a sandbox of its own, the environment pointed at it, run from `tmp_path`, and
    profile prod (TF_JOB) written: the sandbox and the profiles' folder."""
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, write_profile(tmp_path / "profiles", TF_JOB)


def _planned(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, job: dict[str, Any]
) -> tuple[Any, Path, Sandbox]:
    """`_tf_lab`'s, and prod's fix plan: the plan, the profiles' folder, the sandbox."""
    sandbox, profiles = _tf_lab(make_sandbox, monkeypatch, tmp_path, job)
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    return planned, profiles, sandbox


def _fixed(profiles: Path, settings: Any) -> Any:
    """`drift fix prod` (confirmed, not verified) with `settings`."""
    return asyncio.run(
        run_fix(
            load_profile(profiles, "prod"), settings, ScriptedUI([True]), FixOptions(verify=False),
            today=TODAY,
        )
    )  # fmt: skip


@pytest.mark.parametrize(
    ("token", "executions"),
    [
        ({"startExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}]),
        ({"runExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}]),
        ({"startExecutionToken": "v1"}, []),  # its execution deleted since
    ],
    ids=["start-token-its-execution-there", "run-token", "start-token-execution-gone"],
)
def test_fix_and_rollback_of_a_job_never_send_back_its_execution_token(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    token: dict[str, str],
    executions: list[dict[str, Any]],
) -> None:
    sandbox, profiles = _tf_lab(make_sandbox, monkeypatch, tmp_path, _tf_job(token, executions))
    before = sandbox.job("p", "job").execution_count
    settings = load_settings(journal_dir=tmp_path / "j")
    fixed = _fixed(profiles, settings)
    # re-sent, the token fails the write (ALREADY_EXISTS) or starts an execution
    assert fixed.exit_code == 0, fixed.summary()
    rolled = asyncio.run(run_rollback(settings, ScriptedUI([True]), fixed.change_id, yes=True))
    assert rolled.exit_code == 0, rolled
    updates = [c.request for c in sandbox.calls if c.short == "UpdateJob"]
    assert len(updates) == 2  # the fix's, the rollback's
    for update in updates:
        assert run_v2.Job.pb(update.job).WhichOneof("create_execution") is None
    assert sandbox.job("p", "job").execution_count == before  # drift started none
    assert not [c for c in sandbox.calls if c.short == "RunJob"]


def test_plan_yaml_leaves_the_token_out_as_drift_fix_does_and_stays_appliable(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The YAML was NOT APPLIABLE for "start_execution_token has no Knative form": leaving the
    token out is what drift's own write does, so the file says so and stays appliable."""
    job = _tf_job({"startExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}])
    planned, _, _ = _planned(make_sandbox, monkeypatch, tmp_path, job)
    text = render_plan(planned.plan, PlanFormat.YAML, patched=planned.patched)
    assert "NOT APPLIABLE" not in text and "driftNotAppliable" not in text, text
    assert "as drift fix does, the job's start_execution_token 'v1' is left out" in text
    assert "Apply: gcloud run jobs replace FILE" in text
