"""How a check reads the workloads it is asked for: one of a kind with its Get, more with one
List of that kind (ListServices, ListJobs, ListWorkerPools answer the same messages as the
Gets, a page per 500). The List is replaced by one Get per workload only when it is denied
(the caller lacks run.services.list); a List refused for a quota or an outage leaves the
workloads its pages did not bring unverified (exit 3), naming the List and its status, never
one Get each against the same quota. A List is asked for once a run, whatever it answered."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, TypeVar

import pytest

from drift.check import CheckResult, run_check
from drift.errors import ExitCode
from drift.live.calls import CallRunner, Limits
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.live.runners import WatchingRunner
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC
from tests.sandbox.jobworld import world as job_world

T = TypeVar("T")
NAMES = [f"s{i:02d}" for i in range(6)]


def services_world(names: list[str]) -> dict[str, Any]:
    return {
        "projects": {
            "p": {"number": 111, "region": "us-central1", "services": {n: {} for n in names}}
        }
    }


def profile_text(section: str, names: list[str], body: str = "{}") -> str:
    return f"project: p\nregion: us-central1\n{section}:\n" + "".join(
        f"  {n}: {body}\n" for n in names
    )


def check(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    profiles: Path,
    text: str,
    runner: CallRunner | None = None,
) -> CheckResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (profiles / "prod.yaml").write_text(text)
    sandbox.clear_calls()
    settings = load_settings(wait=0, retry_budget=0.5)
    return asyncio.run(run_check(load_profile(profiles, "prod"), settings, runner=runner))


def unverified(result: CheckResult) -> dict[str, str]:
    return {u.service: u.reason for u in result.report.unverified}


def test_a_list_refused_for_quota_is_not_replaced_by_one_get_per_service(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """After ListServices ran out of retries on RESOURCE_EXHAUSTED (the Cloud Run Admin read
    quota, per minute and region), one GetService per service would meet the same quota:
    each service is unverified, naming the call and its status."""
    names = [f"s{i:02d}" for i in range(20)]
    sandbox = make_sandbox(services_world(names))
    sandbox.inject(Fault("ListServices", "RESOURCE_EXHAUSTED", retry_delay_ms=100))
    result = check(sandbox, monkeypatch, tmp_path, profile_text("services", names))
    counts = sandbox.call_counts()
    assert counts["GetService"] == 0 and counts["ListServices"] >= 1, dict(counts)
    assert result.report.exit_code is ExitCode.INCOMPLETE
    reasons = unverified(result)
    assert set(reasons) == set(names)
    assert all(
        r.startswith("ListServices projects/p/locations/us-central1: RESOURCE_EXHAUSTED")
        for r in reasons.values()
    ), reasons


def test_a_denied_list_falls_back_to_one_get_per_service_and_is_not_asked_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without run.services.list: one GetService per service (README). A missing one is not
    a reason to send the refused ListServices again "for did you mean"."""
    sandbox = make_sandbox(
        {
            **services_world(["api", "web"]),
            "faults": [{"method": "ListServices", "code": "PERMISSION_DENIED"}],
        }
    )
    result = check(sandbox, monkeypatch, tmp_path, profile_text("services", ["api", "web", "gone"]))
    counts = sandbox.call_counts()
    assert counts["ListServices"] == 1 and counts["GetService"] == 3, dict(counts)
    assert not result.report.unverified
    assert {(f.rule, f.service) for f in result.report.findings} == {("service.missing", "gone")}


def test_a_missing_service_is_listed_once_for_did_you_mean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One service asked for (a Get) and missing: the region is listed once, for a close
    name."""
    sandbox = make_sandbox(services_world(["billing", "web"]))
    result = check(sandbox, monkeypatch, tmp_path, profile_text("services", ["biling"]))
    counts = sandbox.call_counts()
    assert counts["GetService"] == 1 and counts["ListServices"] == 1, dict(counts)
    (finding,) = result.report.findings
    assert finding.rule == "service.missing" and "did you mean billing?" in finding.message


class FailAfterFirstPage(WatchingRunner):
    """Makes every ListServices after the first page fail (UNAVAILABLE), once that page was
    answered."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(Limits(retry_budget=0.5), seed=1)
        self.sandbox = sandbox

    def answered(self, method: str) -> None:
        if method == "ListServices":
            self.sandbox.inject(Fault("ListServices", "UNAVAILABLE"))


def test_the_pages_read_before_a_list_fails_are_kept(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The services the first page brought are checked; those it did not bring cannot be
    told missing from unread: unverified, naming the page's call and status."""
    monkeypatch.setattr("drift.live.api.LIST_PAGE_SIZE", 2)
    sandbox = make_sandbox(services_world(NAMES))
    runner = FailAfterFirstPage(sandbox)
    result = check(sandbox, monkeypatch, tmp_path, profile_text("services", NAMES), runner)
    counts = sandbox.call_counts()
    assert counts["GetService"] == 0, dict(counts)
    reasons = unverified(result)
    assert len(reasons) == len(NAMES) - 2, reasons
    assert all(": UNAVAILABLE" in r and r.startswith("ListServices ") for r in reasons.values())
    assert not result.report.findings


@pytest.mark.parametrize(
    ("section", "spec", "listed", "got"),
    [
        ("jobs", JOB_SPEC, "ListJobs", "GetJob"),
        ("worker_pools", POOL_SPEC, "ListWorkerPools", "GetWorkerPool"),
    ],
)
def test_many_jobs_or_pools_are_listed_not_fetched_one_by_one(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    section: str,
    spec: dict[str, Any],
    listed: str,
    got: str,
) -> None:
    """As services: 12 jobs are one ListJobs, not 12 GetJob (job.proto ListJobsResponse.jobs
    are whole Job messages, latest_created_execution included)."""
    names = [f"w{i:02d}" for i in range(12)]
    kinds = {"jobs": {}, "pools": {}, section.replace("worker_", ""): dict.fromkeys(names, spec)}
    sandbox = make_sandbox(job_world(jobs=kinds["jobs"], pools=kinds["pools"]))
    result = check(sandbox, monkeypatch, tmp_path, profile_text(section, names))
    counts = sandbox.call_counts()
    assert counts[listed] == 1 and counts[got] == 0, dict(counts)
    assert not result.report.unverified and not result.report.findings
    assert len(result.state.services) == len(names)


@pytest.mark.parametrize(("code", "gets"), [("PERMISSION_DENIED", 3), ("UNAVAILABLE", 0)])
def test_a_job_list_falls_back_only_when_denied(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    code: str,
    gets: int,
) -> None:
    names = ["a", "b", "c"]
    sandbox = make_sandbox(job_world(jobs=dict.fromkeys(names, JOB_SPEC), pools={}))
    sandbox.inject(Fault("ListJobs", code))
    result = check(sandbox, monkeypatch, tmp_path, profile_text("jobs", names))
    counts = sandbox.call_counts()
    assert counts["GetJob"] == gets and counts["ListJobs"] >= 1, dict(counts)
    reasons = unverified(result)
    if gets:
        assert not reasons and result.report.exit_code is ExitCode.OK
    else:
        assert set(reasons) == set(names)
        assert all(
            r.startswith(f"ListJobs projects/p/locations/us-central1: {code}")
            for r in reasons.values()
        )
