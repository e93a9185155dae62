"""A job changed by someone else while `drift rollback` waits at its prompt is not written
over (SPEC invariant 10): the rollback reads it again and refuses, exit 4, as a service's
does; `--force` restores anyway. A hotfix landing between the rollback's read and its write
(drift's UpdateJob refused: etag) is theirs, never journaled as drift's write: the rollback
says "changed since by …", and the next one refuses without --force."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab  # noqa: F401  (lab: a fixture)


def rollback_with_a_hotfix_meanwhile(
    sandbox: Sandbox, tmp_path: Path, profiles: Path, *, force: bool
) -> RollbackResult:
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK

    def meanwhile(question: str) -> None:  # a teammate's hotfix, while the prompt waits
        sandbox.update_job("p", "job", env={"HOTFIX": "1"})

    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI([True, True], on_confirm=meanwhile)
    return asyncio.run(run_rollback(settings, ui, None, yes=False, force=force))


@pytest.mark.parametrize("force", [False, True], ids=["refused", "forced"])
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
