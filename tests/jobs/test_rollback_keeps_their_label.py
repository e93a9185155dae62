"""helper-661 A7 for jobs and worker pools: a teammate's label on a job or pool since drift's
update in place. The rollback copies the resource as it is and writes only its template (a
pool's scaling and instance splits too) and what the change set, so their label stays: when
the journal proves that is all they changed — the configuration as drift's update sent it
(`Write.template_key`), a pool's scaling and instance splits as it sent them (their digests,
`Write.parts`), no revision since — the rollback goes on and says so, exit 0. Before, it
refused ("changed since … `--force`", exit 4), as it still does over their instance count, and
over anything else of a job they changed beside the label (helper-686 H1): a job makes no
revision, and its configuration digest holds only its task template's configuration, so its
update journals a digest of the whole job but its own labels and annotations (`whole_key`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.kept_since import kept_since
from drift.fix.rollback import RollbackResult, run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import env, fix, journal, lab, writes  # noqa: F401  (lab)

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
    mine = next(e for e in journal(tmp_path).entries() if e.kind == "job")
    assert kept_since(sandbox.job("p", "job"), mine)  # the job whole as sent: proven
    older = [{k: v for k, v in w.items() if k != "parts"} for w in mine.writes]
    assert not kept_since(sandbox.job("p", "job"), replace(mine, writes=older))  # a journal
    done, said = rollback(tmp_path)  # of a drift before: no digest of the job whole, refused
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


def _template_label(job: run_v2.Job) -> None:
    job.template.labels["x"] = "theirs"


def _template_annotation(job: run_v2.Job) -> None:
    job.template.annotations["x"] = "theirs"


def _gen2(job: run_v2.Job) -> None:  # the lab's job names none
    assert not job.template.template.execution_environment
    job.template.template.execution_environment = run_v2.ExecutionEnvironment(2)


def _token(job: run_v2.Job) -> None:
    job.run_execution_token = "theirs"


@pytest.mark.parametrize("theirs_too", [_template_label, _template_annotation, _gen2, _token])
def test_their_job_change_beside_a_label_still_refuses(
    theirs: tuple[Sandbox, Path, run_v2.JobsClient, run_v2.WorkerPoolsClient],
    tmp_path: Path,
    theirs_too: Any,
) -> None:
    """What a job's rollback would write over (its execution template, their token), a label
    beside it: refused, exit 4, nothing written to the job, theirs stands. Before, exit 0
    ("they changed only its labels team"), theirs erased."""
    sandbox, profiles, jobs, _ = theirs
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    job = jobs.get_job(name=sandbox.job("p", "job").name)
    theirs_too(job)
    job.labels["team"] = "theirs"
    jobs.update_job(job=job).result()
    mine, written = run_v2.Job.to_dict(sandbox.job("p", "job")), writes(sandbox).count("UpdateJob")
    done, said = rollback(tmp_path)
    assert done.exit_code == ExitCode.ABORTED and "job job" not in done.restored, said
    assert "job was changed since drift's last write" in said and KEPT not in said, said
    assert writes(sandbox).count("UpdateJob") == written, said
    assert run_v2.Job.to_dict(sandbox.job("p", "job")) == mine


def test_a_pool_reconciling_their_label_still_refuses(
    theirs: tuple[Sandbox, Path, run_v2.JobsClient, run_v2.WorkerPoolsClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Their label on the pool, its update still reconciling (worker_pool.proto
    `WorkerPool.reconciling`): a deploy in progress is never "their labels only", refused,
    nothing written. Before, the rollback went on and wrote over it, then waited on it."""
    sandbox, profiles, _, pools = theirs
    monkeypatch.setenv("DRIFT_WRITE_WAIT", "3")  # before: no wait of 600 s for the test
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    pool = pools.get_worker_pool(name=sandbox.worker_pool("p", "pool").name)
    pool.labels["team"] = "theirs"
    sandbox.hold_deploys()
    pools.update_worker_pool(worker_pool=pool)  # its operation is held: not waited on
    assert sandbox.worker_pool("p", "pool").reconciling
    written = len(writes(sandbox))
    done, said = rollback(tmp_path)
    assert done.exit_code == ExitCode.ABORTED and not done.restored, said
    assert "pool was changed since drift's last write" in said and KEPT not in said, said
    assert len(writes(sandbox)) == written, said
