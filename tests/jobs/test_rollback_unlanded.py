"""A job's and a worker pool's update cut before it landed (Ctrl-C or kill -9 between the
journal's `updating` and the server taking the write: revcrash2's minor point): the journal
says `updating`, the write's outcome unknown, and the job and pool are as they were. `drift
rollback` reads them first and, finding each already as the journal's "before" holds it,
writes nothing ("already as before: drift's update never applied, nothing to restore", exit
0) — a restore write would make the pool a new revision its instances move to. A third
party's change in between is still refused as "changed since"."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import drift.fix.lock
import drift.fix.workload
from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.fix.test_lock import as_killed
from tests.jobs.test_fix_jobs import UPDATES, fix, journal, lab, writes  # noqa: F401  (lab)


class Killed(BaseException):
    """kill -9 (or a Ctrl-C the in-place update's path does not clean up): nothing of drift's
    runs after it."""


def cut_before_the_updates_landed(tmp_path: Path, profiles: Path) -> None:
    """`drift fix --yes` stopped after journaling each update, before the server took it: the
    job's and the pool's flows run side by side, and the first to reach its update waits for
    the other's (or a kill while only one had journaled would leave the other no entry)."""
    arrived: list[None] = []
    both = asyncio.Event()

    async def die(*args: Any, **kwargs: Any) -> Any:
        arrived.append(None)
        if len(arrived) == len(UPDATES):
            both.set()
        await asyncio.wait_for(both.wait(), 30)
        raise Killed()

    with pytest.MonkeyPatch.context() as m:
        m.setattr(drift.fix.workload, "update_workload", die)
        m.setattr(drift.fix.lock.Locks, "release", lambda self: None)  # kill -9 frees nothing
        with pytest.raises(Killed):
            fix(tmp_path, profiles, ScriptedUI(), yes=True)
    as_killed(tmp_path / ".drift" / "journal" / "locks")


def rollback(tmp_path: Path) -> RollbackResult:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    return asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))


def test_a_rollback_of_updates_that_never_landed_writes_nothing(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    sandbox, profiles = lab
    job, pool = sandbox.job("p", "job"), sandbox.worker_pool("p", "pool")
    cut_before_the_updates_landed(tmp_path, profiles)
    assert writes(sandbox) == []
    entries = journal(tmp_path).entries()
    assert [e.state for e in entries] == [State.UPDATING] * 2, [e.state for e in entries]
    done = rollback(tmp_path)
    said = done.summary()
    assert done.exit_code == ExitCode.OK, said
    assert writes(sandbox) == [], said  # no restore write: the pool keeps its revision
    assert sandbox.worker_pool("p", "pool").generation == pool.generation
    assert sandbox.job("p", "job").generation == job.generation
    assert "restored nothing" not in said, said  # note68 §9 Q1: said once, plainly
    assert "nothing to restore, already as before (nothing written)" in said, said
    assert "job job" in said and "worker pool pool" in said, said
    assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLED_BACK}
    for entry in journal(tmp_path).entries():
        note = entry.history[-1]["note"]
        assert "drift's update never applied, nothing to restore" in note, entry
    again = rollback(tmp_path)
    assert "nothing left to roll back" in again.summary(), again.summary()


def test_a_third_partys_change_in_between_is_still_refused(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    sandbox, profiles = lab
    cut_before_the_updates_landed(tmp_path, profiles)
    sandbox.update_job("p", "job", env={"HOTFIX": "1"})
    done = rollback(tmp_path)
    assert done.exit_code == ExitCode.ABORTED, done.summary()
    assert "job was changed since drift's last write" in done.summary(), done.summary()
    assert writes(sandbox) == []
