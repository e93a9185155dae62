"""helper-749's left: a job's or worker pool's update that landed and failed is put back by
`drift fix` itself (`WorkloadFix._put_back`, `restore_workload`). A teammate's `drift rollback
--yes` (their own copy of the journal) puts it back while drift reads it for that: drift
writes nothing over theirs, and says what happened — someone else's write put it back, it runs
what it ran before, nothing was written by drift, and `--force` would write nothing either —
never "`--force` would, undoing theirs too" (it would undo nothing) nor "drift put back what it
ran before". The fix still failed: exit 4, the entry as the failed update left it; the forced
rollback then does as said: records it rolled back, writing nothing. So too where the
teammate's rollback runs right after drift's update was answered (helper-750's left)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import drift.fix.workload
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_failed_put_back import entry_of, fix, lab
from tests.jobs.test_fix_jobs import writes
from tests.jobs.test_fix_missing_image import GONE, JOB, POOL
from tests.jobs.test_rollback_race import RUNS_BACK, teammates_rollback
from tests.jobs.world import write_profile

KINDS = {"job": ("job job", JOB), "worker_pool": ("worker pool pool", POOL)}


@pytest.fixture
def update_done() -> str:
    """The sandbox's `workload_update_done`: when the update's operation is done."""
    return "settled"


@pytest.fixture(params=sorted(KINDS))
def failing(
    request: pytest.FixtureRequest,
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    update_done: str,
) -> tuple[Sandbox, Path, str]:
    """The lab in this process, with a profile whose image is missing (the job's or the
    pool's update lands and fails): the sandbox, the profiles, the kind."""
    sandbox = lab(make_sandbox, workload_update_done=update_done)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    head = KINDS[request.param][1]
    return (
        sandbox,
        write_profile(tmp_path / "profiles", head + f"      image: {GONE}\n"),
        request.param,
    )


def test_a_failed_update_put_back_by_a_teammate_meanwhile(
    failing: tuple[Sandbox, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = failing[0]
    real = drift.fix.workload_restore.get_workload
    made: list[int] = []  # how many writes, once the teammate's rollback has written

    async def get_workload(*args: Any, **kw: Any) -> Any:  # drift's read for its put-back
        made.append(teammates_rollback(sandbox, tmp_path))
        monkeypatch.setattr(drift.fix.workload_restore, "get_workload", real)
        return await real(*args, **kw)

    monkeypatch.setattr(drift.fix.workload_restore, "get_workload", get_workload)
    text, entry = fixed_over_theirs(failing, tmp_path, made, "drift's put-back wrote nothing")
    assert entry.state == State.UPDATE_FAILED, entry.history  # drift's put-back: no write
    assert ". Then someone else wrote it (" in text and "drift put back" not in text, text
    forced_as_said(failing, tmp_path, entry, made)


def fixed_over_theirs(
    failing: tuple[Sandbox, Path, str], tmp_path: Path, made: list[int], unwritten: str
) -> tuple[str, Any]:
    """`drift fix --yes` during which a teammate's rollback (`made`: the writes once it has
    written) put the workload back: it failed (exit 4), wrote nothing after theirs, and says
    their write put it back, `unwritten`, and what `--force` does. Its summary, its entry."""
    sandbox, profiles, kind = failing
    name = KINDS[kind][0]
    result = fix(tmp_path, profiles)
    text = result.summary()
    entry = entry_of(tmp_path, kind)
    assert result.exit_code == ExitCode.ABORTED, text  # the fix failed: never a success
    assert made and len(writes(sandbox)) == made[0], text  # drift wrote nothing after theirs
    assert RUNS_BACK in text and "undoing theirs too" not in text, text
    assert (
        f"{unwritten} to {name} (`drift rollback {entry.change_id} --force` "
        f"records {name} as rolled back, writing nothing to it)"
    ) in text, text
    return text, entry


def forced_as_said(
    failing: tuple[Sandbox, Path, str], tmp_path: Path, entry: Any, made: list[int]
) -> None:
    """`drift rollback C --force` afterwards does as the fix said: exit 0, the workload
    already as before, nothing written, the entry rolled back."""
    sandbox, _, kind = failing
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    forced = asyncio.run(
        run_rollback(settings, ScriptedUI(), entry.change_id, yes=True, force=True)
    )
    assert forced.exit_code == ExitCode.OK, forced.summary()
    assert forced.as_before == [KINDS[kind][0]], forced.summary()
    assert len(writes(sandbox)) == made[0], forced.summary()  # as said: nothing written
    assert entry_of(tmp_path, kind).state == State.ROLLED_BACK


@pytest.mark.parametrize("update_done", ["accepted", "settled"])
def test_an_update_put_back_by_a_teammate_while_drift_reads_it_back(
    failing: tuple[Sandbox, Path, str],
    update_done: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """helper-750's left: the teammate's rollback runs right after drift's update was
    answered — done at once (`accepted`: "the update landed, then … changed by someone else
    before it settled", `_proven`: update-failed) or failed (`settled`, the image missing:
    "changed since drift read it", `_failed`: two writes since drift's read, aborted, its
    landing unknown). Their write put back what ran before: said so, never "`--force` would
    put back …, undoing theirs too"; the forced rollback then writes nothing and records it."""
    sandbox = failing[0]
    real = drift.fix.workload.update_workload
    made: list[int] = []  # how many writes, once the teammate's rollback has written

    async def update_workload(*args: Any, **kw: Any) -> Any:  # drift's update, then theirs
        try:
            return await real(*args, **kw)
        finally:
            made.append(teammates_rollback(sandbox, tmp_path))

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    text, entry = fixed_over_theirs(failing, tmp_path, made, "drift wrote nothing more")
    said, state = {
        "accepted": ("before it settled (", State.UPDATE_FAILED),
        "settled": ("drift's update may have landed before that (", State.ABORTED),
    }[update_done]
    assert said in text and "not drift's update" not in text, text
    assert entry.state == state, entry.history  # as before this change
    forced_as_said(failing, tmp_path, entry, made)
