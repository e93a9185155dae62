"""helper-661 A7 for jobs and worker pools: a teammate's label on a job or pool since drift's
update in place. The rollback copies the resource as it is and writes only its template (a
pool's scaling and instance splits too) and what the change set, so their label stays: when
the journal proves that is all they changed — the configuration as drift's update sent it
(`Write.template_key`), a pool's scaling and instance splits as it sent them (their digests,
`Write.parts`), no revision since — the rollback goes on and says so, exit 0. Before, it
refused ("changed since … `--force`", exit 4), as it still does over their instance count."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab  # noqa: F401  (lab: a fixture)

KEPT = "which the rollback keeps (it writes only the template"


@pytest.fixture
def theirs(
    lab: tuple[Sandbox, Path],  # noqa: F811
) -> Iterator[tuple[Sandbox, Path, run_v2.JobsClient, run_v2.WorkerPoolsClient]]:
    """`lab`, and the official clients a teammate writes it with."""
    sandbox, profiles = lab
    with grpc.insecure_channel(sandbox.address) as channel:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        yield sandbox, profiles, jobs, pools


def rollback(tmp_path: Path) -> tuple[RollbackResult, str]:
    """`drift rollback --yes`, and all it said."""
    settings, ui = load_settings(journal_dir=tmp_path / ".drift" / "journal"), ScriptedUI()
    done = asyncio.run(run_rollback(settings, ui, None, yes=True))
    return done, "\n".join([*ui.said, done.summary()])


def test_a_job_and_a_pool_rolled_back_over_their_labels(
    theirs: tuple[Sandbox, Path, run_v2.JobsClient, run_v2.WorkerPoolsClient], tmp_path: Path
) -> None:
    sandbox, profiles, jobs, pools = theirs
    job_before = sandbox.job("p", "job")
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    pool_write = next(e for e in journal(tmp_path).entries() if e.kind == "worker_pool").writes
    assert sorted(pool_write[0]["parts"]) == ["instance_splits", "scaling"]  # digests alone
    job = jobs.get_job(name=job_before.name)
    job.labels["team"] = "theirs"
    jobs.update_job(job=job).result()
    pool = pools.get_worker_pool(name=sandbox.worker_pool("p", "pool").name)
    pool.labels["team"] = "theirs"
    pools.update_worker_pool(worker_pool=pool).result()
    done, said = rollback(tmp_path)
    assert done.exit_code == ExitCode.OK, said  # was 4: "changed since … --force"
    assert sorted(done.restored) == ["job job", "worker pool pool"], said
    assert said.count(f"they changed only its labels team, {KEPT}") == 2, said
    assert "the template, its scaling, the instance splits and what the change set" in said
    job_now, pool_now = sandbox.job("p", "job"), sandbox.worker_pool("p", "pool")
    assert job_now.labels["team"] == "theirs" and pool_now.labels["team"] == "theirs"
    assert env(job_now) == env(job_before)
    assert pool_now.scaling.manual_instance_count == 2
    assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLED_BACK}


def test_their_instance_count_still_refuses(
    theirs: tuple[Sandbox, Path, run_v2.JobsClient, run_v2.WorkerPoolsClient], tmp_path: Path
) -> None:
    """Their scaling over drift's (a field the rollback writes): not proven, refused."""
    sandbox, profiles, _, pools = theirs
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    pool = pools.get_worker_pool(name=sandbox.worker_pool("p", "pool").name)
    pool.scaling.manual_instance_count = 5
    pool.labels["team"] = "theirs"
    pools.update_worker_pool(worker_pool=pool).result()
    done, said = rollback(tmp_path)
    assert done.exit_code == ExitCode.ABORTED and "worker pool pool" not in done.restored, said
    assert "pool was changed since drift's last write" in said and KEPT not in said, said
    assert sandbox.worker_pool("p", "pool").scaling.manual_instance_count == 5
