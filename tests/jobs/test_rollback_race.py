"""A job changed by someone else while `drift rollback` waits at its prompt is not written
over (SPEC invariant 10): the rollback reads it again and refuses, exit 4, as a service's
does; `--force` restores anyway. A hotfix landing between the rollback's read and its write
(drift's UpdateJob refused: etag) is theirs, never journaled as drift's write: the rollback
says "changed since by …", and the next one refuses without --force. A job and a pool put back
while the prompt waits (a teammate's rollback from another copy of the journal) are judged by
what is read right before the write, as a service is: never "restored" for a run that wrote
nothing, nor "`--force` restores anyway" (helper-748's left F2)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import drift as drift_cli
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab, writes  # noqa: F401  (lab: a fixture)


@pytest.fixture(params=[False, True], ids=["refused", "forced"])
def force(request: pytest.FixtureRequest) -> bool:
    """Whether the rollback is run with `--force`."""
    return bool(request.param)


def rollback_with_a_hotfix_meanwhile(
    sandbox: Sandbox, tmp_path: Path, profiles: Path, *, force: bool
) -> RollbackResult:
    def meanwhile(question: str) -> None:  # a teammate's hotfix, while the prompt waits
        sandbox.update_job("p", "job", env={"HOTFIX": "1"})

    return rollback_with(meanwhile, tmp_path, profiles, force=force)


def rollback_with(
    meanwhile: Callable[[str], None], tmp_path: Path, profiles: Path, *, force: bool
) -> RollbackResult:
    """The job's and pool's fix, then its rollback, `meanwhile` run while its prompt waits."""
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI([True, True], on_confirm=meanwhile)
    return asyncio.run(run_rollback(settings, ui, None, yes=False, force=force))


def test_a_job_changed_during_the_rollback_prompt(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    force: bool,
) -> None:
    sandbox, profiles = lab
    done = rollback_with_a_hotfix_meanwhile(sandbox, tmp_path, profiles, force=force)
    names = [name for name, _, _ in env(sandbox.job("p", "job"))]
    if force:
        assert "HOTFIX" not in names and "job job" in done.restored, done.summary()
    else:
        assert done.exit_code == ExitCode.ABORTED, done.summary()
        assert "HOTFIX" in names and "job job" not in done.restored
        assert "job job: refused (changed since): job was changed since drift's" in done.summary()
        assert "nothing was written to job job" in done.summary()


def test_a_hotfix_between_the_rollbacks_read_and_write_is_not_journaled_as_drifts(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, profiles = lab
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    real = drift.fix.workload_restore.update_workload
    hotfix: list[object] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not hotfix:  # the teammate's hotfix lands right after the rollback read the job
            hotfix.append(sandbox.update_job("p", "job", env={"HOTFIX": "1"}))
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload_restore, "update_workload", update_workload)
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    first = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert first.exit_code == ExitCode.ABORTED and "job job" not in first.restored
    said = first.summary()
    assert "job job: refused (changed since): job was changed since drift's" in said, said
    assert "drift's write did not land" in said, said
    assert "last modified by deployer@example.com" in first.summary(), first.summary()
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    rollback = entry.writes[-1]
    assert (rollback["step"], rollback["landed"], rollback["generation_after"]) == (
        "rollback",
        False,
        0,
    )
    monkeypatch.setattr(drift.fix.workload_restore, "update_workload", real)
    second = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))  # no --force
    assert second.exit_code == ExitCode.ABORTED, second.summary()
    assert "rolling back would undo what of their change the lines above list" in second.summary()
    assert "HOTFIX" in [name for name, _, _ in env(sandbox.job("p", "job"))]


def teammates_rollback(sandbox: Sandbox, tmp_path: Path) -> int:
    """A teammate's `drift rollback --yes` from their own copy of the journal (it says the
    change is live): how many writes the sandbox has seen once it has written."""
    copy = shutil.copytree(journal(tmp_path).directory, tmp_path / "copy")
    other_env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(copy)}
    other = drift_cli("rollback", "--yes", env=other_env, cwd=tmp_path)
    assert other.returncode == 0, other.stdout + other.stderr
    return len(writes(sandbox))


def test_a_job_and_pool_put_back_while_the_prompt_waits(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    force: bool,
) -> None:
    made: list[int] = []  # how many writes, once the teammate's rollback has written
    sandbox, profiles = lab

    def meanwhile(question: str) -> None:  # while the prompt waits
        made.append(teammates_rollback(sandbox, tmp_path))

    done = rollback_with(meanwhile, tmp_path, profiles, force=force)
    text = done.summary()
    assert made and len(writes(sandbox)) == made[0], text  # this run wrote nothing
    assert done.restored == [] and ": restored (" not in text, text
    assert "restored job" not in text and "restored worker pool" not in text, text
    if force:  # what runs is what ran before: recorded, exit 0, said as it is
        assert done.exit_code is ExitCode.OK, text
        assert sorted(done.as_before) == ["job job", "worker pool pool"], text
        assert "nothing to restore, already as before (nothing written)" in text, text
        assert "restored nothing" not in text, text  # note68 §9 Q1: said once, plainly
        assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLED_BACK}
        return
    assert done.exit_code is ExitCode.ABORTED, text
    for name in ("job job", "worker pool pool"):
        assert f"{name}: refused (changed since): " in text, text
        forced = f"`drift rollback {done.change_id} --force` records {name} as rolled back"
        assert f"{forced}, writing nothing" in text, text
    assert text.count(RUNS_BACK) == 2, text
    assert "restores anyway" not in text and "undoing that change" not in text, text


RUNS_BACK = "yet it runs what ran before the change already (that write put it back), so rolling"
"""A job or pool put back by someone else's write: it runs, it serves nothing."""
THEY_RUN_BACK = (
    "yet they run what ran before the change already (those writes put them back), so rolling "
    "them back would write nothing to them and undo nothing of theirs"
)
"""A job and a pool, both put back by someone else's writes."""


def test_a_job_and_pool_put_back_before_the_rollback_run_what_ran_before(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    sandbox, profiles = lab
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    made = teammates_rollback(sandbox, tmp_path)
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    refused = asyncio.run(run_rollback(settings, ui := ScriptedUI(), None, yes=True))
    text = refused.summary()
    assert refused.exit_code is ExitCode.ABORTED and len(writes(sandbox)) == made, text
    # both: "they", "those writes" (helper-752 F4: "yet it runs …, so rolling it back")
    assert THEY_RUN_BACK in text and "serves what served" not in text, text
    # the preview names no cause it cannot know: no restoration of drift's was sent (F3)
    preview = "\n".join(ui.said)
    assert preview.count("it is as it was before the change already; the journal") == 2, preview
    assert "a restoration sent earlier landed" not in preview, preview
    forced = f"`drift rollback {refused.change_id} --force` records the change as rolled back"
    assert f"{forced}, writing nothing" in text, text
