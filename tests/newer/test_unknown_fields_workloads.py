"""Review revnewer: jobs and worker pools as a newer Cloud Run returns them (fields the
installed client does not know, on the Job / WorkerPool, their templates and a container).
`drift fix` (UpdateJob / UpdateWorkerPool, in place) and `drift rollback` must send them
back unchanged. Rollback builds the template from the journal's JSON
(drift/fix/workload_restore.py `before_workload` + `restore_request`: `out.template =
before.template`), where unknown fields cannot survive.

Repro: .venv/bin/python -m pytest -q tests/newer -n 0"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.fix.rollback import run_rollback
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix
from tests.jobs.world import jobs_sandbox, write_profile
from tests.newer.test_unknown_fields import _bytes, unknown

pytestmark = pytest.mark.sandbox

MARKS = (b"NEWGOOGLE-top", b"NEWGOOGLE-template", b"NEWGOOGLE-container")


def newer_google(sandbox: Any) -> None:
    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        job = world.job(world.find("p", "job", "jobs")).pb
        pool = world.owner(world.find("p", "pool", "workerPools")).pb
        for top, template, container in (
            (job, job.template.template, job.template.template.containers[0]),
            (pool, pool.template, pool.template.containers[0]),
        ):
            for part, mark in zip((top, template, container), MARKS, strict=True):
                part.MergeFromString(unknown(900, mark.decode()))

    sandbox._run(apply)  # noqa: SLF001


def sent(sandbox: Any) -> dict[str, list[str]]:
    """Each write's name -> the unknown fields it did not carry back."""
    return {
        c.short: [m.decode() for m in MARKS if m not in _bytes(c.request)]
        for c in sandbox.calls
        if c.short in ("UpdateJob", "UpdateWorkerPool")
    }


def test_fix_and_rollback_of_jobs_and_pools_keep_unknown_fields(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = jobs_sandbox(make_sandbox, monkeypatch, tmp_path)
    newer_google(sandbox)
    profiles = write_profile(tmp_path / "profiles")
    sandbox.clear_calls()
    fix(tmp_path, profiles, ScriptedUI(), yes=True)
    on_fix = sent(sandbox)
    assert set(on_fix) == {"UpdateJob", "UpdateWorkerPool"}, on_fix
    assert on_fix == {"UpdateJob": [], "UpdateWorkerPool": []}
    sandbox.clear_calls()
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    on_rollback = sent(sandbox)
    assert set(on_rollback) == {"UpdateJob", "UpdateWorkerPool"}, on_rollback
    assert on_rollback == {"UpdateJob": [], "UpdateWorkerPool": []}
