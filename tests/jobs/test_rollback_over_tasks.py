"""`drift rollback` of a job change that raised its task count above a parallelism the job
held over it: the rollback puts back what was (task_count 2 under parallelism 5), which the
parallelism page asks not to write ("an integer between 0 and the maximum number of tasks
running in parallel allowed by quota that don't exceed the number of tasks",
cloud.google.com/run/docs/configuring/parallelism) and which Cloud Run may refuse: whether it
does is not documented (sandbox option `parallelism_over_tasks`). The prompt says so before
the write; a refusal is said with the call and its status, and nothing is written; a server
that takes it restores the job as it was."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PROFILE = "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n      task_count: 8\n"
NOTE = (
    "the rollback puts back parallelism 5 above task_count 2, as the job held them before the "
    "change; Cloud Run asks for a parallelism that doesn't exceed the number of tasks "
    "(cloud.google.com/run/docs/configuring/parallelism) and may refuse the update"
)


def _rolled_back(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    answer: str,
    parallelism: int = 5,
) -> tuple[Sandbox, ScriptedUI, RollbackResult]:
    """The job at 2 tasks, `parallelism` at once; `drift fix` raises its task count to 8,
    then `drift rollback` (confirmed) against a server that `answer`s such a write."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"].update(task_count=2, parallelism=parallelism)
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}, parallelism_over_tasks=answer))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(tmp_path / "profiles", PROFILE)
    assert fix(tmp_path, profiles, ScriptedUI(), yes=True).exit_code == ExitCode.OK
    assert sandbox.job("p", "job").template.task_count == 8
    ui = ScriptedUI([True])
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ui, None, yes=False))
    return sandbox, ui, done


def test_a_refused_rollback_was_said_before_and_writes_nothing(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, ui, done = _rolled_back(make_sandbox, monkeypatch, tmp_path, "refused")
    said = " ".join(" ".join(ui.said).split())
    assert NOTE in said and "at most 2 (or 0: as many as possible)" in said, said
    assert ui.questions, "the note comes with the prompt, before the write"
    summary = " ".join(done.summary().split())
    assert done.exit_code == ExitCode.ABORTED, summary
    assert "UpdateJob projects/p/locations/us-central1/jobs/job: INVALID_ARGUMENT" in summary
    assert "nothing was written to job job" in summary and "restored job" not in summary
    # a write names a job just read there: its refusal never asks whether the region is right
    assert "hint: INVALID_ARGUMENT: the server refused a value this write sends" in summary
    assert "region right" not in summary, summary
    job = sandbox.job("p", "job")
    assert (job.template.task_count, job.template.parallelism, job.generation) == (8, 5, 2)


def test_an_accepted_rollback_restores_the_job_as_it_was(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, ui, done = _rolled_back(make_sandbox, monkeypatch, tmp_path, "accepted")
    assert NOTE in " ".join(" ".join(ui.said).split())
    assert done.exit_code == ExitCode.OK, done.summary()
    job = sandbox.job("p", "job")
    assert (job.template.task_count, job.template.parallelism) == (2, 5)


@pytest.mark.parametrize("answer", ["accepted", "refused"])
def test_a_rollback_within_the_task_count_says_nothing_of_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answer: str
) -> None:
    sandbox, ui, done = _rolled_back(make_sandbox, monkeypatch, tmp_path, answer, parallelism=2)
    assert "parallelism" not in " ".join(ui.said), ui.said
    assert done.exit_code == ExitCode.OK, done.summary()
    assert sandbox.job("p", "job").template.task_count == 2
