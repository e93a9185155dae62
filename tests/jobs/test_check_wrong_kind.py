"""A workload profiled under the wrong kind — a job under `services:`, a worker pool under
`jobs:`, a service under `worker_pools:` — is not "missing" with nothing more: the message
says what it is in the region and under which key of the profile it belongs, and `drift plan`
does not tell to deploy it. The region is listed only beside a workload that does not exist,
each kind once at most (ListServices, ListJobs, ListWorkerPools); a check where every workload
exists lists nothing more than it did."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import TODAY, check, write_profile
from tests.sandbox.jobworld import world

LISTS = ("ListServices", "ListJobs", "ListWorkerPools")
WRONG = """project: p
region: us-central1
services:
  job:
    env: {MODE: live}
  gone:
    env: {MODE: live}
jobs:
  pool:
    env: {QUEUE: events}
worker_pools:
  web:
    env: {MODE: live}
"""
"""`job` is a job, `pool` a worker pool, `web` a service; `gone` is nothing at all."""


def _world() -> dict[str, object]:
    spec = world()
    spec["projects"]["p"]["services"] = {"web": {}}  # type: ignore[index]
    return spec


def test_a_workload_under_the_wrong_kind_is_named_with_its_kind_and_its_key(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    profiles = write_profile(tmp_path / "profiles", WRONG)
    sandbox.clear_calls()
    report = check(sandbox, monkeypatch, profiles).report
    said = {f.service: f.message for f in report.findings if f.rule == "service.missing"}
    where = "does not exist in p/us-central1"
    assert said == {
        "job": f"service job {where}: job is a job in this region: list it under `jobs:` in "
        "the profile, not under `services:`",
        "gone": f"service gone {where}",
        "pool": f"job pool {where}: pool is a worker pool in this region: list it under "
        "`worker_pools:` in the profile, not under `jobs:`",
        "web": f"worker pool web {where}: web is a service in this region: list it under "
        "`services:` in the profile, not under `worker_pools:`",
    }
    listed = Counter(c.short for c in sandbox.calls if c.short in LISTS)
    assert listed == Counter(LISTS), listed  # one List per kind


def test_the_plan_does_not_tell_to_deploy_a_workload_profiled_under_the_wrong_kind(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profiles = write_profile(tmp_path / "profiles", WRONG)
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    steps = {s.service: s.manual for s in planned.plan.services}
    (job,) = steps["job"]
    assert job.commands == () and "list it under `jobs:`" in job.reason, job
    (gone,) = steps["gone"]
    assert gone.commands and "deploy it first" in gone.reason, gone


def test_a_check_where_every_workload_exists_lists_nothing_more(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    profiles = write_profile(
        tmp_path / "profiles",
        "project: p\nregion: us-central1\nservices:\n  web: {}\njobs:\n  job: {}\n"
        "worker_pools:\n  pool: {}\n",
    )
    sandbox.clear_calls()
    report = check(sandbox, monkeypatch, profiles).report
    assert not [f for f in report.findings if f.rule == "service.missing"]
    assert not [c.short for c in sandbox.calls if c.short in LISTS]


BOTH = """project: p
region: us-central1
services:
  job:
    env: {MODE: live}
jobs:
  job: {}
"""
"""The service `job` (not deployed yet) and the existing job `job`, both profiled."""


def test_a_missing_service_is_not_called_misplaced_when_its_namesake_is_profiled_too(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The job is already under `jobs:`: the service is simply missing, to be deployed."""
    sandbox = make_sandbox(_world())
    profiles = write_profile(tmp_path / "profiles", BOTH)
    report = check(sandbox, monkeypatch, profiles).report
    said = {f.service: f.message for f in report.findings if f.rule == "service.missing"}
    assert said["job"] == "service job does not exist in p/us-central1", said
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    [step] = [m for s in planned.plan.services for m in s.manual if m.target == "service"]
    assert "deploy it first" in step.reason and step.commands, step
