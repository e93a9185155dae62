"""A worker pool's rollback after the revision its recorded splits pinned was deleted
(helper-561 F2): the fix moved those instances to the revision it made, which retired the old
one, and a retired revision may be deleted ("You don't need to manually delete revisions,
although you can if you want", managing/revisions). Sent as recorded, the splits name a
revision that does not exist (INVALID_ARGUMENT, exit 4, for good: `--force` sent the same).
Now the revision the rollback's template creates, named by drift, takes that share, as a
service's rollback does (`drift.fix.gone`); a pinned revision gone that the fix did not move
stops the rollback before any write, naming it."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcTransport
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix, journal
from tests.jobs.world import PROFILE, write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

POOL = "projects/p/locations/us-central1/workerPools/pool"


def _pool(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, splits: Any) -> Sandbox:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{}]  # pool-00001: the template's configuration
    pool["instance_splits"] = splits
    sandbox = make_sandbox(world(pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return sandbox


def _delete(sandbox: Sandbox, revision: str, *, unpin: bool = False) -> None:
    """DeleteRevision of `revision`; `unpin`: a teammate first splits every instance to
    LATEST (a revision an instance split names cannot be deleted)."""
    channel = grpc.insecure_channel(sandbox.address)
    try:
        if unpin:
            pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
            pool = pools.get_worker_pool(name=POOL)
            latest = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST
            pool.instance_splits = [run_v2.InstanceSplit(type_=latest, percent=100)]
            pools.update_worker_pool(worker_pool=pool).result(timeout=10)
        revisions = run_v2.RevisionsClient(transport=RevisionsGrpcTransport(channel=channel))
        revisions.delete_revision(name=f"{POOL}/revisions/{revision}").result(timeout=10)
    finally:
        channel.close()


def _fixed(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = PROFILE.replace("QUEUE: events", "QUEUE: orders")
    profiles = write_profile(tmp_path / "profiles", text)
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK


def _rollback(tmp_path: Path, ui: ScriptedUI, *, force: bool = False) -> Any:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    return asyncio.run(run_rollback(settings, ui, None, yes=False, force=force))


def _queue(sandbox: Sandbox) -> list[tuple[str, str]]:
    consumer = sandbox.worker_pool("p", "pool").template.containers[0]
    return [(v.name, v.value) for v in consumer.env]


def test_the_share_of_a_moved_revision_gone_goes_to_the_restored_revision(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = _pool(make_sandbox, monkeypatch, [{"revision": 1, "percent": 100}])
    pinned = sandbox.worker_pool("p", "pool").instance_splits[0].revision
    _fixed(sandbox, tmp_path, monkeypatch)
    assert sandbox.worker_pool("p", "pool").instance_splits[0].revision != pinned  # moved
    _delete(sandbox, pinned)
    ui = ScriptedUI([True])
    done = _rollback(tmp_path, ui)
    assert done.exit_code == ExitCode.OK, done.summary()
    said = "\n".join(ui.said)
    assert f"{pinned} (100%) no longer exists (GetRevision: NOT_FOUND)" in said, said
    assert _queue(sandbox) == [("QUEUE", "events")]
    pool = sandbox.worker_pool("p", "pool")
    (split,) = pool.instance_splits
    assert split.revision == pool.template.revision and "-drift-" in split.revision, split
    assert [(s.revision, s.percent) for s in pool.instance_split_statuses] == [
        (split.revision, 100)
    ]
    assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLED_BACK}


def test_a_pinned_revision_gone_that_the_fix_did_not_move_stops_before_any_write(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """pool-00001 at 0 % (kept by the fix as it was) is unpinned by a teammate and deleted;
    `--force` rolls back over their split: what the revision ran is not in the journal, so
    nothing is written and the way out is named."""
    splits = [{"latest": True, "percent": 100}, {"revision": 1, "percent": 0}]
    sandbox = _pool(make_sandbox, monkeypatch, splits)
    pinned = sandbox.worker_pool("p", "pool").instance_splits[1].revision
    _fixed(sandbox, tmp_path, monkeypatch)
    _delete(sandbox, pinned, unpin=True)
    sandbox.clear_calls()
    done = _rollback(tmp_path, ScriptedUI([True]), force=True)
    said = done.summary()
    assert done.exit_code == ExitCode.ABORTED, said
    assert f"pin {pinned} (0%), which no longer exist" in said, said
    assert "update-instance-split pool" in said, said
    assert "UpdateWorkerPool" not in {c.short for c in sandbox.calls}
    assert _queue(sandbox) == [("QUEUE", "orders")]
