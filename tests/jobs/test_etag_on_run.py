"""A job run often (Cloud Scheduler, every minute) whose etag moves with each execution: Job.etag
is "A system-generated fingerprint for this version of the resource. May be used to detect
modification conflict during updates" (google/cloud/run/v2/job.proto), silent on whether its
`execution_count` and `latest_created_execution` are part of that version (sandbox option
`etag_on_run`; helper-631 F6). A run between drift's read and its UpdateJob moves the etag
with nobody's write: drift's fix and rollback are sent again with the etag read now
(`drift.fix.etag_moved`), never refused as "changed since drift read it"; a write of someone
else's in between — even a labels-only one that leaves the generation — is still never
written over."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport

import drift.fix.workload
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.rollback import RollbackResult, run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import JOB_ENV, TODAY, write_profile
from tests.sandbox.jobworld import JOB, world

PROFILE = (
    JOB_ENV
    + """\
      NEEDED: x
      TOKEN: {secret: token}
"""
)
STALE = ["aborted", "failed_precondition", "failed_precondition_unsaid"]


def _sandbox(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **options: Any
) -> Sandbox:
    sandbox = make_sandbox(world(pools={}, etag_on_run="changes", **options))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox


def _fix(tmp_path: Path) -> FixResult:
    profile = load_profile(write_profile(tmp_path / "profiles", PROFILE), "prod")
    settings = load_settings(journal_dir=tmp_path / "j")
    return asyncio.run(
        run_fix(profile, settings, ScriptedUI([]), FixOptions(verify=False, yes=True), today=TODAY)
    )


def _rollback(tmp_path: Path, change: str | None) -> RollbackResult:
    assert change is not None
    settings = load_settings(journal_dir=tmp_path / "j")
    return asyncio.run(run_rollback(settings, ScriptedUI([]), change, yes=True))


def _meanwhile(monkeypatch: pytest.MonkeyPatch, module: Any, action: Any) -> list[str]:
    """`action` carried out once, right before drift's UpdateJob (after drift read the job):
    the etags it moved the job from and to."""
    real = module.update_workload
    seen: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not seen:
            seen.append(request.etag)
            action()
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(module, "update_workload", update_workload)
    return seen


def _names(sandbox: Sandbox) -> list[str]:
    return [v.name for v in sandbox.job("p", "job").template.template.containers[0].env]


def _updates(sandbox: Sandbox) -> int:
    return len([c for c in sandbox.calls if c.short == "UpdateJob"])


def test_the_option_decides_whether_a_run_moves_the_jobs_etag(make_sandbox: MakeSandbox) -> None:
    for etag, moves in (("stable", False), ("changes", True)):
        sandbox = make_sandbox(world(pools={}, etag_on_run=etag))
        before = sandbox.job("p", "job")
        sandbox.run_job("p", "job")  # a Cloud Scheduler run; nobody writes the job
        after = sandbox.job("p", "job")
        assert after.generation == before.generation and after.execution_count == 1
        assert (after.etag != before.etag) is moves, (etag, before.etag, after.etag)


def test_a_settled_job_update_moves_the_etag_under_etag_on_status(
    make_sandbox: MakeSandbox,
) -> None:
    for etag, moves in (("stable", False), ("changes", True)):
        sandbox = make_sandbox(world(pools={}, etag_on_status=etag))
        sandbox.hold_deploys()
        reconciling = sandbox.update_job("p", "job", env={"MODE": "dry"})
        assert reconciling.reconciling
        sandbox.finish_update("p", "job", "job")
        settled = sandbox.job("p", "job")
        assert not settled.reconciling
        assert (settled.etag != reconciling.etag) is moves, etag


@pytest.mark.parametrize("stale", STALE)
def test_a_run_between_the_fixs_read_and_its_write_does_not_refuse_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stale: str
) -> None:
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path, stale_etag=stale)
    run = _meanwhile(
        monkeypatch, drift.fix.workload, lambda: sandbox.run_job("p", "job")
    )  # fmt: skip
    fixed = _fix(tmp_path)
    said = fixed.summary()
    assert run, "the run was not made between the read and the write"
    assert fixed.exit_code == ExitCode.OK, said
    assert "changed since" not in said and "etag" not in said, said
    assert "NEEDED" in _names(sandbox)
    assert sandbox.job("p", "job").execution_count == 1  # the scheduler's run, not drift's
    assert _updates(sandbox) == 2  # refused for the etag the run moved, then sent again
    undo = _meanwhile(monkeypatch, drift.fix.workload_restore, lambda: sandbox.run_job("p", "job"))
    rolled = _rollback(tmp_path, fixed.change_id)
    assert undo and rolled.exit_code == ExitCode.OK, rolled.summary()
    assert "NEEDED" not in _names(sandbox), rolled.summary()
    assert "changed since" not in rolled.summary(), rolled.summary()


def test_a_labels_only_write_between_the_read_and_the_write_is_never_written_over(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Their write leaves the generation (`labels_bump_generation: false`, as Knative) and a
    run moves the etag too: the job read again is not the version drift read (its labels),
    so drift's write is not sent again, and their label stays."""
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path, labels_bump_generation=False)

    def theirs() -> None:
        with grpc.insecure_channel(sandbox.address) as channel:
            jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
            job = jobs.get_job(name=JOB)
            job.labels["team"] = "data"
            jobs.update_job(job=job).result(timeout=30)
        sandbox.run_job("p", "job")

    _meanwhile(monkeypatch, drift.fix.workload, theirs)
    before = sandbox.job("p", "job").generation
    fixed = _fix(tmp_path)
    job = sandbox.job("p", "job")
    assert job.labels.get("team") == "data", job.labels
    assert job.generation == before, job  # drift's write did not land
    assert "NEEDED" not in _names(sandbox)
    assert fixed.exit_code != ExitCode.OK, fixed.summary()
    assert "nothing was changed" in fixed.summary(), fixed.summary()


def test_an_update_not_carried_out_while_a_run_moved_the_etag_is_sent_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first UpdateJob fails UNAVAILABLE before it is carried out, after a run moved the
    etag: the job read again is still the version drift read (its generation did not move),
    so the write is sent again with the etag read now. (One carried out moves the generation:
    never sent again, tests/jobs/test_fix_jobs.py's lost answers.)"""
    sandbox = _sandbox(make_sandbox, monkeypatch, tmp_path)

    def run_then_fail() -> None:
        sandbox.run_job("p", "job")
        sandbox.inject(Fault("UpdateJob", "UNAVAILABLE", first_n=1))

    _meanwhile(monkeypatch, drift.fix.workload, run_then_fail)
    fixed = _fix(tmp_path)
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    assert "NEEDED" in _names(sandbox)
    codes = [c.code for c in sandbox.calls if c.short == "UpdateJob"]
    assert codes == ["UNAVAILABLE", "OK"], codes
