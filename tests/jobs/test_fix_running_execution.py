"""`drift fix` of a job whose latest execution still runs: the update changes the job's template,
which only the next execution runs; the running one keeps its own copy for its remaining
tasks and their retries (execution.proto `Execution.template`, "The template used to create
tasks for this execution"; job.proto `Job.template`, "The template used to create executions
for this Job"). The prompt and the result name that execution and say so, from the status the
check read (`Job.latest_created_execution.completion_status`): no call of its own."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest

from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PROFILE = (
    "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      MODE: live\n      NEEDED: x\n"
)
"""The job's profile: NEEDED, which the job (and its running execution's tasks) lack."""
KEEPS = "is still running and keeps the configuration it started with"


def _job_with(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outcome: str
) -> tuple[Sandbox, Path]:
    job = copy.deepcopy(JOB_SPEC)
    job["executions"] = [{"outcome": "succeeded", "created": "1h"}, {"outcome": outcome}]
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, write_profile(tmp_path / "profiles", PROFILE)


def _fix(tmp_path: Path, profiles: Path, ui: ScriptedUI, *, yes: bool = False) -> FixResult:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    options = FixOptions(verify=False, yes=yes)
    return asyncio.run(run_fix(load_profile(profiles, "prod"), settings, ui, options, today=TODAY))


def _latest(sandbox: Sandbox) -> str:
    return str(sandbox.job("p", "job").latest_created_execution.name).rsplit("/", 1)[-1]


def test_the_prompt_and_the_result_name_the_execution_that_keeps_running(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "running")
    running = _latest(sandbox)
    ui = ScriptedUI([True])
    sandbox.clear_calls()
    result = _fix(tmp_path, profiles, ui)
    assert result.exit_code == 0, result.summary()
    (question,) = ui.questions
    assert f"job job: its execution {running} {KEEPS}" in question, question
    assert "only the next execution runs the fix" in question
    assert question.endswith("Update job job in place (no canary: nothing serves traffic)?")
    summary = " ".join(result.summary().split())
    assert f"its execution {running} {KEEPS}, for its remaining tasks and their retries" in (
        summary
    )
    # the status is the one the check read from the job: no execution is read for it
    assert not [c for c in sandbox.calls if "Execution" in c.short], sandbox.calls


def test_with_yes_the_result_still_says_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "running")
    result = _fix(tmp_path, profiles, ScriptedUI(), yes=True)
    assert f"its execution {_latest(sandbox)} {KEEPS}" in " ".join(result.summary().split())


def test_a_job_whose_executions_ended_is_fixed_without_a_word_of_them(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "succeeded")
    ui = ScriptedUI([True])
    result = _fix(tmp_path, profiles, ui)
    assert ui.questions == ["Update job job in place (no canary: nothing serves traffic)?"]
    assert "still running" not in result.summary()


def test_an_execution_started_while_the_fix_waits_at_its_prompt_is_named(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """revjobs2 J3: a scheduled job starts an execution while the user reads the plan. It was
    created from the old template and keeps it; the note is decided from the job read back
    after the write (its `latest_created_execution`), not from the check before the prompt,
    and costs no call of its own."""
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "succeeded")
    started: list[str] = []

    def meanwhile(question: str) -> None:
        sandbox.hold_deploys()  # it keeps running (held executions never end by themselves)
        started.append(sandbox.run_job("p", "job", wait=False).name.rsplit("/", 1)[-1])
        sandbox.hold_deploys(False)

    ui = ScriptedUI([True], on_confirm=meanwhile)
    sandbox.clear_calls()
    result = _fix(tmp_path, profiles, ui)
    assert result.exit_code == 0, result.summary()
    assert "still running" not in ui.questions[0]  # nothing ran when the check read the job
    summary = " ".join(result.summary().split())
    assert f"its execution {started[0]} {KEEPS}" in summary, summary
    assert "only the next execution runs the fix" in summary
    assert not [c for c in sandbox.calls if "Execution" in c.short], sandbox.calls


def _start(sandbox: Sandbox) -> str:
    """An execution that keeps running (a held one never ends by itself), as a scheduler
    or `gcloud run jobs execute` starts it: its name."""
    sandbox.hold_deploys()
    name = str(sandbox.run_job("p", "job", wait=False).name).rsplit("/", 1)[-1]
    sandbox.hold_deploys(False)
    return name


def test_the_rollback_names_the_execution_still_running_the_fixed_template(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """revjobs2 J2: the rollback is the fix's mirror. An execution started after the fix runs
    its NEEDED=x for its remaining tasks and retries: the prompt and the result name it
    (read from the GetJob the rollback makes anyway: no call of its own), and a job is said
    to be restored to what it ran, not to what served."""
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "succeeded")
    assert _fix(tmp_path, profiles, ScriptedUI([True])).exit_code == 0
    running = _start(sandbox)
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI([True])
    sandbox.clear_calls()
    done = asyncio.run(run_rollback(settings, ui, None, yes=False))
    assert done.exit_code == 0, done.summary()
    said = " ".join(ui.said)
    assert f"its execution {running} {KEEPS}" in said, said
    assert "only the next execution runs the configuration the rollback restores" in said
    assert "restore what ran before" in said and "what served" not in said, said
    summary = " ".join(done.summary().split())
    assert f"job job: its execution {running} {KEEPS}" in summary, summary
    assert not [c for c in sandbox.calls if "Execution" in c.short], sandbox.calls
