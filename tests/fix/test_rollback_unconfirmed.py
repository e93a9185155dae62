"""A rollback that cannot confirm its write (drift/fix/restore.py, workload_restore.py): the
service cannot be read once the prompt is answered; the restoring write's answer is lost and
someone else wrote right after it; a job's restoring update lands and the job cannot be read
back; a canary's clean-up lands and the service cannot be read back. Never exit 0, never
"restored"; the journal says the rollback failed, or, for a write that may have landed (a
job's, a pool's, a service's), that it is still rolling back or cleaning up (exit 3, its lock
kept); what drift says names what it could not prove (SPEC invariant 10: exit 0 only when
what serves is what served before)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import drift.fix.restore
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries
from tests.jobs.test_fix_jobs import fix, journal
from tests.jobs.world import jobs_sandbox, write_profile


@pytest.fixture
def jobs_lab(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Sandbox, Path]:
    """tests/jobs' lab: the jobworld's job and pool, the profile that drifts from them."""
    return jobs_sandbox(make_sandbox, monkeypatch, tmp_path), write_profile(tmp_path / "profiles")


def promoted(make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox = make_sandbox(lab.lab_world())
    result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    return sandbox


def test_a_service_unreadable_once_the_rollback_is_confirmed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = promoted(make_sandbox, tmp_path, monkeypatch)
    sandbox.clear_calls()

    def refused(question: str) -> None:
        sandbox.inject(Fault("GetService", "PERMISSION_DENIED"))

    done = lab.rollback(tmp_path, ScriptedUI([True], on_confirm=refused))
    text = done.summary()
    assert done.exit_code is ExitCode.ABORTED, text
    assert "the service could not be read (" in text and "PERMISSION_DENIED" in text, text
    assert lab.updates(sandbox) == [] and not done.restored, text
    assert entries(tmp_path)[0].state == State.ROLLBACK_FAILED, text
    sandbox.clear_faults()
    again = lab.rollback(tmp_path)
    assert again.exit_code is ExitCode.OK, again.summary()


def test_a_restoring_write_whose_answer_is_lost_then_overwritten_is_not_claimed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = promoted(make_sandbox, tmp_path, monkeypatch)
    sandbox.inject(Fault("UpdateService", "INTERNAL", after=True, first_n=1))
    with monkeypatch.context() as patched:
        real = drift.fix.restore.update_workload

        async def update_workload(*args: object, **kw: object) -> object:
            try:
                return await real(*args, **kw)
            finally:  # a teammate's deploy right after drift's write
                sandbox.set_env(LAB, "app", "HOTFIX", "1")

        patched.setattr(drift.fix.restore, "update_workload", update_workload)
        done = lab.rollback(tmp_path)
    text = " ".join(done.summary().split())
    # its answer lost, their deploy over it, drift's write not in the read back: it may have
    # landed before theirs, or land yet (task 847): not known, exit 3 — it was "may have
    # landed before that", exit 4, `rollback-failed`, the lock freed
    assert done.exit_code is ExitCode.INCOMPLETE, text
    assert "the service reads back written since by someone else (" in text, text
    assert "drift's may have landed before theirs, or may land over them yet" in text, text
    assert not done.restored, text
    assert entries(tmp_path)[0].state == State.ROLLING_BACK, text
    assert list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock freed"


def test_a_job_restored_and_not_read_back(
    jobs_lab: tuple[Sandbox, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, profiles = jobs_lab
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    with monkeypatch.context() as patched:
        lab.after_each_write(
            patched,
            drift.fix.workload_restore,
            lambda request: sandbox.inject(Fault("GetJob", "PERMISSION_DENIED")),
        )
        settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
        done = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    text = " ".join(done.summary().split())
    # helper-809 F2: sent, not read back — it may have landed: neither "restored" nor failed,
    # the entry left `rolling-back` and its lock kept, exit 3 (incomplete), run it again
    assert done.exit_code is ExitCode.INCOMPLETE, text
    assert "job job" not in done.restored and "restored nothing" not in text, text
    assert "the rollback of job job was sent; the job could not be read back (" in text, text
    assert "it may have landed (the journal says rolling-back), so drift keeps its lock" in text
    # one line for it (helper-827 D): never a second saying to wait "once it has settled"
    assert text.count("job job") == 1 and "once it has settled" not in text, text
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    assert entry.state == State.ROLLING_BACK, entry
    assert "drift keeps its lock" in text, text
    sandbox.clear_faults()  # it had landed: run again, the rollback finds it back, no write
    again = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert again.exit_code is ExitCode.OK, again.summary()
    assert [e for e in journal(tmp_path).entries() if e.kind == "job"][0].state == "rolled-back"


def test_a_canary_cleanup_not_read_back_may_have_landed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-821: a service's clean-up (the put-back after a declined promotion) sent and not
    read back was journaled cleanup-failed, "Removing the canary … failed", its lock freed:
    it may have landed, as a job's put-back may (helper-809 F2): exit 3, `cleaning-up`, its
    lock kept."""
    sandbox = make_sandbox(lab.lab_world())
    with monkeypatch.context() as patched:
        lab.after_each_write(
            patched,
            drift.fix.restore,
            lambda request: sandbox.inject(Fault("GetService", "PERMISSION_DENIED")),
        )
        result = lab.lab_fix(
            tmp_path, sandbox, ScriptedUI([True, False]), FixOptions(), monkeypatch
        )
    text = " ".join(result.summary().split())
    (entry,) = entries(tmp_path)
    assert result.exit_code is ExitCode.INCOMPLETE, text
    assert "drift's cleanup write (the canary's tag removed, the routing that served " in text
    assert "restored) was sent; the service could not be read back (" in text, text
    assert "PERMISSION_DENIED" in text and "it may have landed" in text, text
    assert f"`drift rollback {entry.change_id}` finishes it" in text, text
    assert "failed" not in text, text  # never "Removing the canary … failed"
    assert entry.state == State.CLEANING_UP, entry.history
    assert list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock released"
    sandbox.clear_faults()  # it had landed: the rollback finds it back, nothing written
    written = len(lab.updates(sandbox))
    again = lab.rollback(tmp_path)
    assert again.exit_code is ExitCode.OK, again.summary()
    assert entries(tmp_path)[0].state in (State.CLEANED_UP, State.ROLLED_BACK)
    assert len(lab.updates(sandbox)) == written, lab.updates(sandbox)
