"""revdiff3 1: someone writes a workload between `drift rollback`'s read and its write. One
judgement (`drift.fix.restored.theirs`) for a service, a job and a worker pool, so the same
event leaves the journal in the same state and says the same thing whatever the kind:
- `stale_etag: aborted` (AIP-154's ABORTED): drift's write did not land, nothing was written,
  the entry stays as it was (as a refusal before the write leaves it), exit 4;
- `stale_etag: ignored` (run v2's etag "May be used to detect modification conflict"): drift's
  write landed over theirs, journaled as landed two generations on; said (their change is no
  longer in the workload), never exit 0 (SPEC invariant 10)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import drift.fix.restore
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import PROJECT, ScriptedUI, entries
from tests.fix.conftest import fix as fix_services
from tests.jobs.test_fix_jobs import fix as fix_jobs
from tests.jobs.test_fix_jobs import lab  # noqa: F401  (a fixture, for request.getfixturevalue)

NAMES = {"service": "api", "job": "job job", "worker_pool": "worker pool pool"}
NOUNS = {"service": "service", "job": "job", "worker_pool": "worker pool"}


def fixed(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Sandbox, Any]:
    """A change of drift's to the workload of `kind`, journaled; the sandbox, and the module
    whose `update_workload` sends the rollback's write."""
    if kind == "service":
        sandbox: Sandbox = request.getfixturevalue("sandbox")
        env = request.getfixturevalue("env")
        done = fix_services(
            tmp_path, env, ScriptedUI([True]), FixOptions(promote=False), services=["api"]
        )
        assert "--no-promote" in done.summary(), done.summary()
        return sandbox, drift.fix.restore
    sandbox, profiles = request.getfixturevalue("lab")
    assert fix_jobs(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    return sandbox, drift.fix.workload_restore


def their_write(sandbox: Sandbox, kind: str) -> Callable[[], None]:
    if kind == "service":
        return lambda: None if sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING") else None
    if kind == "job":
        return lambda: None if sandbox.update_job("p", "job", env={"HOTFIX": "1"}) else None
    return lambda: None if sandbox.deploy_pool("p", "pool", env={"HOTFIX": "1"}) else None


def entry_of(tmp_path: Path, kind: str) -> Entry:
    (entry,) = [e for e in entries(tmp_path) if e.kind == kind]
    return entry


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_write_between_the_rollbacks_read_and_its_write(
    kind: str,
    stale_etag: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, module = fixed(kind, request, tmp_path)
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    was = entry_of(tmp_path, kind).state
    real = module.update_workload
    theirs = their_write(sandbox, kind)
    meddled: list[str] = []

    async def update_workload(session: Any, kind_: Any, request_: Any, **kw: Any) -> Any:
        if kind_.value == kind and not meddled:  # right after the rollback read it
            theirs()
            meddled.append(request_.name)
        return await real(session, kind_, request_, **kw)

    monkeypatch.setattr(module, "update_workload", update_workload)
    ui = ScriptedUI()
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done: RollbackResult = asyncio.run(run_rollback(settings, ui, None, yes=True))
    said, summary, name = "\n".join(ui.said), done.summary(), NAMES[kind]
    assert meddled, summary
    entry = entry_of(tmp_path, kind)
    write = entry.writes[-1]
    assert write["step"] == "rollback", entry.writes
    if stale_etag == "aborted":
        assert entry.state == was, summary  # nothing of drift's happened
        assert (write["landed"], write["generation_after"]) == (False, 0)
        assert done.exit_code == ExitCode.ABORTED, summary
        assert f"{name}: refused (changed since): " in summary, summary
        assert "drift's write did not land" in summary, summary
        assert f"nothing was written to {name}" in summary, summary
        assert "landed over" not in summary + said
        return
    assert entry.state == State.ROLLED_BACK, summary
    assert write["landed"] is True
    assert write["generation_after"] == write["generation_before"] + 2
    assert done.exit_code is not ExitCode.OK, summary
    assert "landed over someone else's write" in said, said
    assert f"their change is no longer in the {NOUNS[kind]}" in said, said
    assert f"{name}: restored, but drift's write" in summary, summary
    assert "replaced someone else's write" in summary, summary
    assert "may have landed before" not in summary + said
    assert "landed over someone else's write" in entry.history[-1]["note"]
