"""helper-617 F6: a job update still reconciling when drift stopped waiting (600 s) was taken
as failed: drift sent a put-back over the update in progress, then said "put back … as it was
before the change", journaled `rolled-back` and exited 4, while the job was still reconciling
and neither write was seen to land. run v2 Job.reconciling: "Once reconciliation is over (and
this field is false), there are two possible outcomes" — until then neither is known. Such an
update is now left as it is: the state stays `updating`, nothing more is written, and the
message says the outcome is not known and how to undo it (as when the job cannot be read back
as it settles). The waits are cut to 2 s here (the sandbox's `deploys_wait` keeps the update
reconciling until a test settles it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import drift.fix.update as update
from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries
from tests.jobs.test_fix_jobs import fix, writes
from tests.jobs.world import pointed_at, write_profile
from tests.sandbox.jobworld import world

PROFILE = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      NEW: '1'\n"


def reconciling(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Sandbox:
    """A jobs world whose updates are accepted and stay reconciling until finished by hand,
    drift's waits for them cut to 2 s; the environment pointed at it, run from `tmp_path`."""
    monkeypatch.setitem(update.settled_workload.__kwdefaults__, "timeout", 2.0)
    monkeypatch.setitem(update.update_workload.__kwdefaults__, "timeout", 2.0)
    scenario = world(pools={}, deploys_wait=True, workload_update_done="accepted")
    return pointed_at(make_sandbox(scenario), monkeypatch, tmp_path)


def test_an_update_still_reconciling_is_not_put_back_nor_said_failed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = reconciling(make_sandbox, monkeypatch, tmp_path)
    profiles = write_profile(tmp_path / "profiles", PROFILE)
    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    said = " ".join(result.summary().split())
    assert sandbox.job("p", "job").reconciling  # drift's update, still being acted upon
    assert writes(sandbox) == ["UpdateJob"], writes(sandbox)  # no put-back over it
    assert "still reconciling when drift stopped waiting" in said, said
    assert "whether it completed is not known" in said, said
    assert "as it was before the change" not in said and "put back what it ran" not in said
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATING, entry.state
    assert result.exit_code is ExitCode.INCOMPLETE  # it landed: never 4, "nothing changed"


def test_a_rollback_whose_put_back_is_still_reconciling_claims_nothing(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-625 F1: the same for `drift rollback`: its put-back still reconciling when the
    wait ended was "restored job job", exit 0, journaled rolled-back. Now it says the outcome
    is not known, not proven restored, and the entry stays `rolling-back`: exit 3, as the same
    rollback not read back (helper-817 L1: it exited 4, "restored nothing" — SPEC's "nothing
    changed" — while its write landed)."""
    sandbox = reconciling(make_sandbox, monkeypatch, tmp_path)
    fix(tmp_path, write_profile(tmp_path / "profiles", PROFILE), ScriptedUI([True]), yes=True)
    sandbox.finish_update("p", "job", "job")  # drift's update settles, ready
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI([True, True]), None, yes=True))
    said = " ".join(done.summary().split())
    assert sandbox.job("p", "job").reconciling  # the put-back, still being acted upon
    assert "still reconciling when drift stopped waiting" in said, said
    assert "restored job job" not in said and done.exit_code is ExitCode.INCOMPLETE, said
    assert "restored nothing proven" in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLING_BACK, entry.state
