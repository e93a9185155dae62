"""A rollback of a job and a worker pool where one of them cannot be read again after the
prompt (helper-561 F1): that one is said failed, nothing written to it; the other is restored
and said so, its journal entry rolled back — never an exit 2 "nothing was checked" after a
write, nor a sibling's update cancelled in flight with its entry left `rolling-back`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab  # noqa: F401 (lab: a fixture)


@pytest.mark.parametrize(
    ("unread", "status", "kept", "kind"),
    [
        ("GetWorkerPool", "PERMISSION_DENIED", "job job", "worker_pool"),
        ("GetJob", "INTERNAL", "worker pool pool", "job"),
    ],
)
def test_one_workload_unread_after_the_prompt_leaves_the_others_restoration_whole(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    unread: str,
    status: str,
    kept: str,
    kind: str,
) -> None:
    sandbox, profiles = lab
    job_before = sandbox.job("p", "job")
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    ui = ScriptedUI([True], on_confirm=lambda _: sandbox.inject(Fault(unread, status, first_n=1)))
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ui, None, yes=False))
    said = done.summary()
    assert done.exit_code == ExitCode.ABORTED, said
    assert done.restored == [kept], said
    noun = "job" if kind == "job" else "worker pool"
    assert f"the {noun} could not be read ({unread} " in said and status in said, said
    states = {e.kind: e.state for e in journal(tmp_path).entries()}
    other = "worker_pool" if kind == "job" else "job"
    # as a service's rollback records one it cannot read (tests/fix/test_rollback_unconfirmed)
    assert states == {kind: State.ROLLBACK_FAILED, other: State.ROLLED_BACK}, states
    if kind == "worker_pool":  # the job restored: its variables as before the fix
        assert env(sandbox.job("p", "job")) == env(job_before)
    else:  # the pool restored: its instance count as before the fix
        assert sandbox.worker_pool("p", "pool").scaling.manual_instance_count == 2
    again = asyncio.run(run_rollback(settings, ScriptedUI([True]), None, yes=False))
    assert again.exit_code == ExitCode.OK, again.summary()
    assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLED_BACK}
