"""The fault matrix of jobs and worker pools: GetJob, GetExecution and GetWorkerPool under
every fault `test_check_faults` uses (the check completes, names what it could not verify,
never exits 0 when incomplete, retries only what is transient), and UpdateJob /
UpdateWorkerPool under faults during `drift fix` (a transient one is retried with the same
etag and lands once; a permanent one stops the fix saying nothing was changed, and the job or
pool is as it was). Each case has its own project (the fault scoped to it), side by side."""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.format import OutputFormat, formatter_for
from drift.kinds import Kind as Workload
from drift.live.calls import MAX_ATTEMPTS
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.jobs.world import PROFILE, failed_job
from tests.reliability.conftest import ScriptedUI, fast_settings
from tests.reliability.test_check_faults import KINDS, Kind
from tests.sandbox.jobworld import world
from tests.timewarp import warp_sessions, warped

CASES = len(KINDS)
BASELINE = {"GetJob": 1, "GetExecution": 1, "GetWorkerPool": 1}
AGAIN = {"GetJob": 1}
"""The reads made again once a read workload is diffed: the job's `secret.disabled` (its
version 2 of `rotated`) confirmed by one GetJob more (drift.live.held_still)."""
UNVERIFIED = {
    "GetJob": {(Workload.JOB, "job")},
    "GetExecution": {(Workload.JOB, "job.failed")},
    "GetWorkerPool": {(Workload.WORKER_POOL, "worker_pool")},
}
MISSING = {"GetJob": ("job", Workload.JOB), "GetWorkerPool": ("worker_pool", Workload.WORKER_POOL)}


def name(index: int) -> str:
    return f"j{index:02d}"


def jobs_world() -> dict[str, Any]:
    """The jobworld's project copied once per case (`j00`, `j01`, …), its job's latest
    execution failed (so GetExecution is called)."""
    base = world(jobs={"job": failed_job()})
    project = base["projects"].pop("p")
    for i in range(CASES + 4):
        copied = copy.deepcopy(project)
        copied["number"] = 500 + i
        base["projects"][name(i)] = copied
    return base


@pytest.fixture(scope="module")
def jobs_sandbox() -> Any:
    with Sandbox(jobs_world()) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("profiles")
    (directory / "prod.yaml").write_text(PROFILE)
    return directory


async def check_case(index: int, profiles: Path) -> Report:
    settings = fast_settings()
    profile = replace(load_profile(profiles, "prod"), project=name(index))
    runner = warped(settings.access().limits, seed=index)  # its backoffs pass at once
    return (await run_check(profile, settings, runner=runner)).report


def baseline_findings(report: Report) -> set[tuple[str, str, str]]:
    return {(f.kind.value, f.rule, f.target) for f in report.findings}


@pytest.fixture(scope="module")
def matrix(
    jobs_sandbox: Sandbox, profiles: Path
) -> dict[str, tuple[Report, dict[str, tuple[Report, Counter[str]]]]]:
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in jobs_sandbox.environ().items():
            patch.setenv(key, value)
        clean = asyncio.run(check_case(CASES, profiles))
        for method in BASELINE:
            jobs_sandbox.clear_faults()
            jobs_sandbox.clear_calls()
            for i, kind in enumerate(KINDS):
                jobs_sandbox.inject(kind.fault(method, f"projects/{name(i)}/"))

            async def together() -> list[Report]:
                return list(await asyncio.gather(*(check_case(i, profiles) for i in range(CASES))))

            reports = asyncio.run(together())
            counts = {
                kind.name: Counter(
                    c.code
                    for c in jobs_sandbox.calls
                    if c.short == method and f"projects/{name(i)}/" in str(c.request)
                )
                for i, kind in enumerate(KINDS)
            }
            out[method] = (
                clean,
                {k.name: (reports[i], counts[k.name]) for i, k in enumerate(KINDS)},
            )
        jobs_sandbox.clear_faults()
    return out


@pytest.mark.parametrize("method", list(BASELINE))
@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_check_of_jobs_under_fault(matrix: Any, method: str, kind: Kind) -> None:
    clean, cases = matrix[method]
    report, codes = cases[kind.name]
    calls = sum(codes.values())
    if kind.transient:
        assert report.exit_code == clean.exit_code and not report.unverified
        assert baseline_findings(report) == baseline_findings(clean)
        again = AGAIN.get(method, 0)
        assert calls == BASELINE[method] + 1 + again and codes["OK"] == BASELINE[method] + again
        return
    if kind.code == "NOT_FOUND" and method in MISSING:
        target, workload = MISSING[method]
        assert ("service.missing", target, workload) in {
            (f.rule, f.target, f.kind) for f in report.findings
        }
        assert not report.unverified
        return
    # never 0: incomplete (3), or drift (1) when the workload read still drifts
    assert report.exit_code is (ExitCode.DRIFT if report.findings else ExitCode.INCOMPLETE)
    assert "clean" not in report.status.value
    assert {(u.kind, u.target) for u in report.unverified} == UNVERIFIED[method]
    for item in report.unverified:
        assert item.reason.startswith(f"{method} ")
    if method == "GetExecution":  # the job is checked; how its execution ended is not known
        assert "job.failed" not in {f.rule for f in report.findings}
        assert ("job", "env.missing", "env.NEEDED") in baseline_findings(report)
    else:  # nothing is said of a workload that was not read
        unread = {workload for workload, _ in UNVERIFIED[method]}
        assert not [f for f in report.findings if f.kind in unread]
    for fmt in OutputFormat:
        assert "no drift" not in formatter_for(fmt).render(report).lower(), fmt
    if kind.retried:
        assert BASELINE[method] < calls <= MAX_ATTEMPTS * BASELINE[method], codes
    else:
        assert calls == BASELINE[method], codes


WRITE_FAULTS = {
    "unavailable-transient": (Fault("UpdateJob", "UNAVAILABLE", first_n=1), True),
    "unavailable-permanent": (Fault("UpdateJob", "UNAVAILABLE"), False),
    "permission-denied": (Fault("UpdateJob", "PERMISSION_DENIED"), False),
    "internal": (Fault("UpdateWorkerPool", "INTERNAL"), False),
}


@pytest.mark.parametrize("case", list(WRITE_FAULTS))
def test_fix_of_jobs_under_write_fault(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str
) -> None:
    sandbox = make_sandbox(world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    warp_sessions(monkeypatch)  # the fix's backoffs pass at once
    (tmp_path / "prod.yaml").write_text(PROFILE)
    fault, lands = WRITE_FAULTS[case]
    sandbox.inject(fault)
    job_before, pool_before = sandbox.job("p", "job"), sandbox.worker_pool("p", "pool")
    # one workload after another, as a fix with prompts goes: the job's write first (with
    # `--yes` and more, the pool's fix would already be in flight and finish: `drift.fix.each`)
    settings = replace(fast_settings(journal_dir=tmp_path / "journal"), concurrency=1)
    result = asyncio.run(
        run_fix(
            load_profile(tmp_path, "prod"),
            settings,
            ScriptedUI([True]),
            FixOptions(yes=True, verify=False),
        )
    )
    method = fault.method
    sent = [c for c in sandbox.calls if c.short == method]
    text = result.summary()
    if lands:
        assert result.exit_code == ExitCode.OK, text
        assert [c.code for c in sent] == ["UNAVAILABLE", "OK"]  # the same request, once applied
        assert sent[0].request.job.etag == sent[1].request.job.etag
        assert sandbox.job("p", "job").generation == job_before.generation + 1
        return
    assert "Traceback" not in text
    if fault.code in ("UNAVAILABLE", "INTERNAL"):  # its answer lost, unchanged: it may still
        assert "nothing was changed" not in text, text  # land (task 831): exit 3, lock kept
        assert "reads back unchanged" in text and "drift rollback" in text, text
    else:
        assert "nothing was changed" in text, text
    if method == "UpdateJob":  # the first write failed: nothing changed anywhere, as read
        lost = fault.code == "UNAVAILABLE"
        assert result.exit_code == (ExitCode.INCOMPLETE if lost else ExitCode.ABORTED), text
        assert sandbox.job("p", "job").generation == job_before.generation
    else:  # the job was updated before the pool's write failed: a partial fix, never exit 4
        assert result.exit_code == ExitCode.DRIFT, text  # 1 before 3 (`abort_code`)
        assert "partial fix: job job: updated; worker pool pool: aborted (updating)" in text
        assert sandbox.job("p", "job").generation == job_before.generation + 1
        pool = sandbox.worker_pool("p", "pool")
        assert pool.generation == pool_before.generation
        assert pool.scaling.manual_instance_count == 2
