"""helper-749's left: a job's or worker pool's update that landed and failed is put back by
`drift fix` itself (`WorkloadFix._put_back`, `restore_workload`). A teammate's `drift rollback
--yes` (their own copy of the journal) puts it back while drift reads it for that: drift
writes nothing over theirs, and says what happened — someone else's write put it back, it runs
what it ran before, nothing was written by drift, and `--force` would write nothing either —
never "`--force` would, undoing theirs too" (it would undo nothing) nor "drift put back what it
ran before". The fix still failed: exit 4, the entry as the failed update left it; the forced
rollback then does as said: records it rolled back, writing nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(params=sorted(KINDS))
def failing(
    request: pytest.FixtureRequest,
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Sandbox, Path, str]:
    """The lab in this process, with a profile whose image is missing (the job's or the
    pool's update lands and fails): the sandbox, the profiles, the kind."""
    sandbox = lab(make_sandbox)
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
    sandbox, profiles, kind = failing
    name = KINDS[kind][0]
    real = drift.fix.workload_restore.get_workload
    made: list[int] = []  # how many writes, once the teammate's rollback has written

    async def get_workload(*args: Any, **kw: Any) -> Any:  # drift's read for its put-back
        made.append(teammates_rollback(sandbox, tmp_path))
        monkeypatch.setattr(drift.fix.workload_restore, "get_workload", real)
        return await real(*args, **kw)

    monkeypatch.setattr(drift.fix.workload_restore, "get_workload", get_workload)
    result = fix(tmp_path, profiles)
    text = result.summary()
    entry = entry_of(tmp_path, kind)
    assert result.exit_code == ExitCode.ABORTED, text  # the fix failed: never a success
    assert made and len(writes(sandbox)) == made[0], text  # drift wrote nothing after theirs
    assert entry.state == State.UPDATE_FAILED, entry.history  # drift's put-back: no write
    assert ". Then someone else wrote it (" in text and RUNS_BACK in text, text
    assert (
        f"drift's put-back wrote nothing to {name} (`drift rollback {entry.change_id} --force` "
        f"records {name} as rolled back, writing nothing to it)"
    ) in text, text
    assert "undoing theirs too" not in text and "drift put back" not in text, text
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    forced = asyncio.run(
        run_rollback(settings, ScriptedUI(), entry.change_id, yes=True, force=True)
    )
    assert forced.exit_code == ExitCode.OK and forced.as_before == [name], forced.summary()
    assert len(writes(sandbox)) == made[0], forced.summary()  # as said: nothing written
    assert entry_of(tmp_path, kind).state == State.ROLLED_BACK
