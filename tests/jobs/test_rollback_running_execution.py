"""`drift rollback` of a job whose execution still runs: only one created since the change
runs the change (or an older configuration still), and is named ("only the next execution
runs the configuration the rollback restores"). One created after the job's last update
before the change and before the change's write — already running when the change read the
job, or started while the fix waited at its prompt — runs the configuration the change
replaced, what the rollback puts back (execution.proto `Execution.template`, "The template
used to create tasks for this execution"): saying that only the next execution runs it was
false, in the prompt and in the result."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.fix.rollback import RollbackResult, run_rollback
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_running_execution import KEEPS, _fix, _job_with, _latest, _start

RESTORES = "only the next execution runs the configuration the rollback restores"


def _rollback(tmp_path: Path) -> tuple[ScriptedUI, RollbackResult]:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI([True])
    done = asyncio.run(run_rollback(settings, ui, None, yes=False))
    assert done.exit_code == 0, done.summary()
    return ui, done


def test_an_execution_running_since_before_the_change_is_not_said_to_keep_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "running")
    running = _latest(sandbox)
    fixed = _fix(tmp_path, profiles, ScriptedUI(), yes=True)
    assert f"its execution {running} {KEEPS}" in " ".join(fixed.summary().split())
    ui, done = _rollback(tmp_path)
    said = " ".join([*ui.said, *ui.questions, done.summary()])
    assert running not in said and RESTORES not in said, said
    assert "restored job job" in done.summary()


def test_one_running_an_older_configuration_is_still_named(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The job was updated (gcloud) after its execution started, then fixed: that execution
    runs neither the change nor what the rollback restores."""
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "running")
    running = _latest(sandbox)
    sandbox.update_job("p", "job", env={"LEVEL": "debug"})
    assert _latest(sandbox) == running
    _fix(tmp_path, profiles, ScriptedUI(), yes=True)
    ui, done = _rollback(tmp_path)
    said = " ".join(" ".join(ui.said).split())
    assert f"its execution {running} {KEEPS}" in said and RESTORES in said, said
    summary = " ".join(done.summary().split())
    assert f"job job: its execution {running} {KEEPS}" in summary, summary


def test_one_started_while_the_fix_waited_at_its_prompt_is_not_said_to_keep_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The fix names it (it runs the configuration before the fix); the rollback, which puts
    that configuration back, does not."""
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "succeeded")
    started: list[str] = []
    fixed = _fix(
        tmp_path, profiles, ScriptedUI([True], on_confirm=lambda _: started.append(_start(sandbox)))
    )
    assert f"its execution {started[0]} {KEEPS}" in " ".join(fixed.summary().split())
    ui, done = _rollback(tmp_path)
    said = " ".join([*ui.said, *ui.questions, done.summary()])
    assert started[0] not in said and RESTORES not in said, said


def test_one_started_at_the_rollbacks_prompt_is_named_in_its_result(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Created after the fix's write, it runs the change: the result names it."""
    sandbox, profiles = _job_with(make_sandbox, monkeypatch, tmp_path, "succeeded")
    _fix(tmp_path, profiles, ScriptedUI(), yes=True)
    started: list[str] = []
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI([True], on_confirm=lambda _: started.append(_start(sandbox)))
    done = asyncio.run(run_rollback(settings, ui, None, yes=False))
    assert done.exit_code == 0, done.summary()
    summary = " ".join(done.summary().split())
    assert f"job job: its execution {started[0]} {KEEPS}" in summary and RESTORES in summary
