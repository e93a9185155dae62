"""What drift says of a job's execution token it leaves out (revown50 F1, F2). drift's UpdateJob
never sends `start_execution_token` / `run_execution_token` back (tests/jobs/
test_execution_token.py), and UpdateJob has no update mask: the job's new generation has no
token. That is a change of the job (SPEC invariant 2: "fix changes only what its plan names"),
so the plan in every format, the fix's outcome and the rollback name it; a Terraform job gets
the hint its next plan needs (the released provider sets the token again: refused "Resource
'job-v1' already exists", or an execution: GoogleCloudPlatform/magic-modules#19060).

`plan --format gcloud`: gcloud 528's `jobs update` is GetJob (v1) -> Adjust -> ReplaceJob of the
whole job read (command_lib/run/serverless_operations.py UpdateJob, lines 1842-1867), and the
v1 JobSpec carries startExecutionToken / runExecutionToken (generated_clients/apis/run/v1/
run_v1_messages.py:2744-2757), which gcloud never clears: the command resends the token, so it
is a comment, never a runnable line under "the changes drift can make exactly"."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from drift.fix.rollback import run_rollback
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_execution_token import _fixed, _planned, _tf_job

HINT = "`lifecycle { ignore_changes = [start_execution_token] }`"
SAID = "the job's start_execution_token 'v1' is left out: a resent token fails ALREADY_EXISTS"


def test_plan_fix_and_rollback_say_the_fix_drops_terraforms_execution_token(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = _tf_job({"startExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}])
    planned, profiles, sandbox = _planned(make_sandbox, monkeypatch, tmp_path, job)
    text = render_plan(planned.plan, PlanFormat.TABLE, patched=planned.patched)
    assert SAID in text and HINT in text, text
    data = json.loads(render_plan(planned.plan, PlanFormat.JSON, patched=planned.patched))
    said = data["services"][0]["execution_token"]
    assert said.startswith(SAID) and HINT in said, said
    assert data["services"][0]["gcloud"] is None  # resends the token: no runnable line
    yaml = render_plan(planned.plan, PlanFormat.YAML, patched=planned.patched)
    assert SAID in yaml and HINT in yaml, yaml
    settings = load_settings(journal_dir=tmp_path / "j")
    fixed = _fixed(profiles, settings)
    assert fixed.exit_code == 0, fixed.summary()
    after = sandbox.job("p", "job")
    assert run_v2.Job.pb(after).WhichOneof("create_execution") is None  # the change named
    assert SAID in fixed.summary() and HINT in fixed.summary(), fixed.summary()
    ui = ScriptedUI([True])
    rolled = asyncio.run(run_rollback(settings, ui, fixed.change_id, yes=False))
    assert rolled.exit_code == 0, rolled
    shown = "\n".join([*ui.said, *ui.questions])
    assert "the job's start_execution_token 'v1' (before the fix) is not put back" in shown, shown


def test_no_terraform_marks_no_terraform_hint(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = _tf_job({"runExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}])
    job["labels"], job["client"] = {}, "gcloud"
    planned, _, _ = _planned(make_sandbox, monkeypatch, tmp_path, job)
    text = render_plan(planned.plan, PlanFormat.TABLE, patched=planned.patched)
    assert "the job's run_execution_token 'v1' is left out" in text, text
    assert "Terraform" not in text and "lifecycle" not in text, text


def test_gcloud_script_says_gcloud_resends_the_execution_token(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = _tf_job({"startExecutionToken": "v1"}, [{"name": "job-v1", "created": "1d"}])
    planned, _, _ = _planned(make_sandbox, monkeypatch, tmp_path, job)
    text = render_plan(planned.plan, PlanFormat.GCLOUD, patched=planned.patched)
    assert "gcloud run jobs update job" in text, text
    runnable = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not [line for line in runnable if "gcloud" in line], text  # a comment only
    assert "its start_execution_token 'v1' included" in text, text
    assert "`drift fix` leaves the token out" in text and HINT in text, text


def test_a_job_without_a_token_keeps_its_runnable_command(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    planned, _, _ = _planned(make_sandbox, monkeypatch, tmp_path, _tf_job({}, []))
    text = render_plan(planned.plan, PlanFormat.GCLOUD, patched=planned.patched)
    assert any(line.startswith("gcloud run jobs update job") for line in text.splitlines()), text
    table = render_plan(planned.plan, PlanFormat.TABLE, patched=planned.patched)
    assert "execution_token" not in text + table
