"""A job or worker pool update that was sent and did not complete (drift/fix/workload.py
`_failed`): the runtime account loses access to a secret the template uses between drift's
read and its write, so the update lands and its operation ends in an error (Cloud Run checks
every secret a revision uses when it deploys, access by the revision's service account
included: https://cloud.google.com/run/docs/configuring/services/secrets); or the update's
answer is lost and the job cannot be read back. drift never says "nothing was changed" when
the write may have landed, journals what it knows (UPDATE_FAILED / still UPDATING), exits 4
where it failed, 3 where its outcome is not known (not read back: the lock kept), and names
`drift rollback CHANGE` (SPEC invariants 5 and 10)."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.workload
from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab  # noqa: F401  (lab: a fixture)
from tests.sandbox.jobworld import RUNNER

ACCESSOR = "roles/secretmanager.secretAccessor"


def before_the_write(monkeypatch: pytest.MonkeyPatch, act: Any, match: str = "") -> None:
    """`act()` runs once, after drift read the job (the workload whose name holds `match`)
    and journaled, right before its update."""
    real = drift.fix.workload.update_workload
    done: list[bool] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not done and not kw.get("validate_only") and match in request.name:
            done.append(True)
            act()
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)


def aborted_meanwhile(
    sandbox: Sandbox, profiles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, act: Any
) -> tuple[run_v2.Job, str]:
    """`drift fix` of the lab's job, confirmed, `act()` run right before its update: aborted
    (exit 4). The job as it read before, and what the fix said."""
    before = sandbox.job("p", "job")
    with monkeypatch.context() as patched:
        before_the_write(patched, act)
        result = fix(tmp_path, profiles, ScriptedUI([True]))
    text = result.summary()
    assert result.exit_code == ExitCode.ABORTED, text
    return before, text


def rolled_back_as_before(sandbox: Sandbox, tmp_path: Path, before: run_v2.Job) -> None:
    """`drift rollback` of the change puts the job's template back, exit 0."""
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert done.restored == ["job job"], done.summary()
    assert env(sandbox.job("p", "job")) == env(before)


def test_an_update_that_landed_and_failed_is_journaled_and_rolled_back(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, profiles = lab

    def revoke() -> None:
        sandbox.revoke("projects/p", ACCESSOR, f"serviceAccount:{RUNNER}")

    before, text = aborted_meanwhile(sandbox, profiles, tmp_path, monkeypatch, revoke)
    assert "job: the update landed but did not complete (" in text, text
    assert "Permission denied on secret" in text, text
    assert "nothing was changed" not in text, text
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    # revfailed95: drift puts back what the job ran (its next execution would fail), as
    # `drift rollback` does: the configuration back, ready or not (SPEC invariant 10)
    assert entry.state == State.ROLLED_BACK, entry
    assert "drift put back what it ran before: as it was before the change" in text, text
    after = sandbox.job("p", "job")
    assert after.generation == before.generation + 2
    assert [w["step"] for w in entry.writes] == ["update", "rollback"], entry.writes
    assert entry.writes[0]["landed"] is True and entry.writes[0]["generation_after"] == int(
        before.generation + 1
    )
    assert env(after) == env(before)


@pytest.mark.parametrize(
    "update, get, match, who",
    [
        ("UpdateJob", "GetJob", "/jobs/job", "job job"),
        ("UpdateWorkerPool", "GetWorkerPool", "/workerPools/pool", "worker pool pool"),
    ],
)
def test_an_update_whose_answer_is_lost_and_cannot_be_read_back_may_have_landed(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    update: str,
    get: str,
    match: str,
    who: str,
) -> None:
    """helper-809 F1: sent, its answer lost, not read back: it may have landed — exit 3 (never
    4, "nothing changed"), the entry left `updating`, its lock kept (as after a Ctrl-C while
    it was sent), and `drift rollback CHANGE` finishes it."""
    sandbox, profiles = lab
    before = sandbox.job("p", "job")
    with monkeypatch.context() as patched:
        before_the_write(patched, partial(lost, sandbox, update, get, match), match)
        result = fix(tmp_path, profiles, ScriptedUI([True]))
    text = " ".join(result.summary().split())
    assert result.exit_code is ExitCode.INCOMPLETE, text
    assert f"{who}: its answer was lost ({update} " in text, text
    assert f"it could not be read back ({get} " in text and "it may have landed" in text, text
    assert "nothing was changed" not in text and "the update failed" not in text, text
    (entry,) = [e for e in journal(tmp_path).entries() if e.full_name.endswith(match)]
    assert entry.state == State.UPDATING, entry  # begun, how it ended unknown
    assert f"`drift rollback {entry.change_id}` puts back what it was" in text, text
    assert [p.name for p in (tmp_path / ".drift" / "journal" / "locks").iterdir()], "lock freed"
    sandbox.clear_faults()
    assert sandbox.job("p", "job").generation == before.generation + 1  # it did land
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert done.exit_code == ExitCode.OK and who in done.restored, done.summary()
    assert env(sandbox.job("p", "job")) == env(before)


def lost(sandbox: Sandbox, update: str, get: str, match: str) -> None:
    """The next `update`'s answer lost (it is carried out), every `get` refused."""
    sandbox.inject(Fault(update, "INTERNAL", after=True, match=match))
    sandbox.inject(Fault(get, "PERMISSION_DENIED", match=match))
