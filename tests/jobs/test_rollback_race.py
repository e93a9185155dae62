"""A job changed by someone else while `drift rollback` waits at its prompt is not written
over (SPEC invariant 10): the rollback reads it again and refuses, exit 4, as a service's
does; `--force` restores anyway."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, lab  # noqa: F401  (lab: a fixture)


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
