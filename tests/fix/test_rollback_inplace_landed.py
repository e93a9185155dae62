"""A job's or worker pool's rollback whose write landed though the rollback never learned it
(kill -9 once it was sent, or its answer lost and the read back refused), then run again: the
workload already is as before the change (template, the pool's instance split), so it writes
nothing, asks nothing, records the entry rolled back and says what runs. It sent the same
UpdateJob / UpdateWorkerPool once more (the generation up, nothing else) and its preview named
the revision LATEST resolved to before the change, pool-00002-…, while a newer revision of
that configuration runs (helper-711 F3); it said "restored" although it wrote nothing: it says
each already runs what ran before (helper-749)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

import drift.fix.lock
import drift.fix.workload_restore
from drift.errors import ApiError, ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, after_each_write
from tests.fix.test_landed_before import Killed
from tests.fix.test_lock import as_killed
from tests.jobs.test_fix_jobs import fix, journal
from tests.jobs.world import PROFILE, write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

WRITES = ("UpdateJob", "UpdateWorkerPool")
POOL = "projects/p/locations/us-central1/workerPools/pool"
CHANGED = PROFILE.replace("QUEUE: events", "QUEUE: orders")  # and the job's NEEDED, the count


def _rollback(tmp_path: Path, ui: ScriptedUI) -> Any:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    return asyncio.run(run_rollback(settings, ui, None, yes=not ui.answers))


def _state(sandbox: Sandbox) -> tuple[Any, ...]:
    pool, job = sandbox.worker_pool("p", "pool"), sandbox.job("p", "job")
    splits = [(s.revision.rsplit("/", 1)[-1], s.percent) for s in pool.instance_split_statuses]
    return pool.generation, job.generation, pool.latest_ready_revision, splits


def _killed(sandbox: Sandbox, m: pytest.MonkeyPatch) -> type[BaseException]:
    """kill -9 once the write was sent (and landed): nothing of drift's runs after it."""

    def die(request: Any) -> None:
        raise Killed()

    after_each_write(m, drift.fix.workload_restore, die)
    m.setattr(drift.fix.lock.Locks, "release", lambda self: None)  # kill -9 frees nothing
    return Killed


def _lost(sandbox: Sandbox, m: pytest.MonkeyPatch) -> None:
    """The write landed, its answer lost, and the read back refused: not known."""

    def lost(request: Any) -> None:
        for read in ("GetJob", "GetWorkerPool"):
            sandbox.inject(Fault(method=read, code="PERMISSION_DENIED"))
        raise ApiError("Update", request.name, "UNAVAILABLE", "the answer was lost")

    after_each_write(m, drift.fix.workload_restore, lost)


def _landed(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> tuple[Sandbox, str, str, tuple[Any, ...]]:
    """The job's and pool's fix (the pool 70 % LATEST, 30 % pinned to pool-00001), then its
    rollback cut as `how` says once both writes landed: the sandbox, the revision LATEST
    resolved to before the change, the one it resolves to now, `_state`."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{}]  # pool-00001: the template's configuration, 30 % pinned to it
    pool["instance_splits"] = [{"latest": True, "percent": 70}, {"revision": 1, "percent": 30}]
    sandbox = make_sandbox(world(pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    ran = sandbox.worker_pool("p", "pool").latest_ready_revision.rsplit("/", 1)[-1]
    fixed = fix(tmp_path, write_profile(tmp_path / "profiles", CHANGED), ScriptedUI([True]))
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    with monkeypatch.context() as m:
        if how == "killed":
            with pytest.raises(_killed(sandbox, m)):
                _rollback(tmp_path, ScriptedUI())
        else:
            _lost(sandbox, m)
            cut = _rollback(tmp_path, ScriptedUI())
            # sent, not read back: it may have landed, exit 3 (helper-809 F2)
            assert cut.exit_code == ExitCode.INCOMPLETE, cut.summary()
            assert "could not be read back" in cut.summary(), cut.summary()
            assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLING_BACK}
    sandbox.clear_faults()
    as_killed(tmp_path / ".drift" / "journal" / "locks")
    assert {e.state for e in journal(tmp_path).entries()} != {State.ROLLED_BACK}
    landed = _state(sandbox)
    runs = landed[2].rsplit("/", 1)[-1]
    assert runs != ran and landed[3] == [(runs, 70), ("pool-00001-vtk", 30)], landed
    sandbox.clear_calls()
    return sandbox, ran, runs, landed


@pytest.mark.parametrize("how", ["killed", "lost"])
def test_a_rollback_whose_write_landed_unknown_writes_nothing_again(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    sandbox, ran, runs, landed = _landed(make_sandbox, tmp_path, monkeypatch, how)
    ui = ScriptedUI([False])  # a prompt, were one asked, declined
    again = _rollback(tmp_path, ui)
    said = "\n".join(ui.said)
    assert again.exit_code == ExitCode.OK, again.summary()
    assert not ui.questions, ui.questions
    assert not [c.short for c in sandbox.calls if c.short in WRITES]
    assert _state(sandbox) == landed  # no generation more
    assert f"instances now: LATEST 70% → {runs}; pool-00001-vtk 30%" in said, said
    assert said.count("afterwards: nothing is written") == 2, said
    assert said.count("before the change already (a restoration sent earlier landed)") == 2, said
    assert ran not in said, said  # the revision LATEST resolved to before: not what runs
    assert "the restoration an earlier rollback sent landed, nothing was written again" in said
    for name in ("job job", "worker pool pool"):  # this run wrote nothing: never "restored"
        assert f"{name}: already runs what ran before (its configuration: " in said, said
    assert again.restored == [] and sorted(again.as_before) == ["job job", "worker pool pool"]
    entries = journal(tmp_path).entries()
    assert {e.state for e in entries} == {State.ROLLED_BACK}
    for entry in entries:  # the write counted where the read back proves it: one generation on
        last = entry.writes[-1]
        assert (last["step"], last["landed"]) == ("rollback", True), last


def test_a_forced_rollback_over_a_split_changed_since_names_what_latest_stays_on(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restoration landed unknown, then a teammate sent every instance to LATEST: the
    forced rollback sends the template as it is (no new revision) with the split as recorded,
    so LATEST stays on the revision that runs, which the preview names (it said LATEST →
    pool-00002-…, what LATEST resolved to before the change). The job, as before already, is
    written nothing."""
    sandbox, ran, runs, _ = _landed(make_sandbox, tmp_path, monkeypatch, "killed")
    pool = sandbox.worker_pool("p", "pool")
    latest = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST
    pool.instance_splits = [run_v2.InstanceSplit(type_=latest, percent=100)]
    channel = grpc.insecure_channel(sandbox.address)
    try:
        pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        pools.update_worker_pool(worker_pool=pool).result(timeout=10)
    finally:
        channel.close()
    sandbox.clear_calls()
    ui = ScriptedUI([True])
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ui, None, yes=False, force=True))
    said = "\n".join(ui.said)
    assert done.exit_code == ExitCode.OK, done.summary()
    assert (
        f"afterwards, as before the change: LATEST 70% → {runs}; pool-00001-vtk 30% (no new "
        f"revision, so LATEST resolves to {runs}, the latest ready revision, not {ran})"
    ) in said, said
    assert [c.short for c in sandbox.calls if c.short in WRITES] == ["UpdateWorkerPool"]
    assert _state(sandbox)[2:] == (f"{POOL}/revisions/{runs}", [(runs, 70), ("pool-00001-vtk", 30)])
