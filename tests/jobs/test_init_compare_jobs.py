"""`init --from-live` and `compare` with jobs and worker pools, end to end against the
sandbox: the profile written describes them (checked clean right after), and compare sets
two environments' jobs and pools side by side."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import check, jobs_world


def test_init_from_live_writes_jobs_and_pools(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(jobs_world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="p", region="us-central1")
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 11, 24)))
    assert result.services == ("job/job", "worker_pool/pool")
    assert "1 job and 1 worker pool (job job, worker pool pool)" in result.summary()
    text = (tmp_path / "prod.yaml").read_text()
    assert "\nservices: {}\n" in text and "\njobs:\n  job:  # its template" in text
    assert "\nworker_pools:\n  pool:  # revision pool-" in text
    assert "fake-token-v1" not in text  # a secret as a reference, never its value
    assert "TOKEN: {secret: token, version: latest}" in text
    assert "      instance_count: 2" in text and "      task_count: 1" in text
    assert "# probe:" not in text  # jobs and pools take no probe
    profile = load_profile(tmp_path, "prod")
    assert set(profile.services) == {"job/job", "worker_pool/pool"}
    assert profile.services["worker_pool/pool"].sidecars  # the agent container's rules
    # what it wrote is what runs: a check right after is clean
    report = check(sandbox, monkeypatch, tmp_path).report
    assert report.findings == () and report.unverified == (), report.findings
    assert report.exit_code == 0


def test_compare_sets_jobs_and_pools_side_by_side(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    import copy
    import json

    from tests.cliutil import drift

    data = jobs_world()
    other = copy.deepcopy(data["projects"]["p"])
    other["number"] = 9
    other["jobs"]["job"]["template"]["env"]["MODE"] = "dry-run"
    other["jobs"]["job"]["template"]["env"]["EXTRA"] = "1"
    other["worker_pools"]["pool"]["instances"] = 5
    data["projects"]["p2"] = other
    sandbox = make_sandbox(data)
    body = "region: us-central1\njobs:\n  job: {}\nworker_pools:\n  pool: {}\n"
    (tmp_path / "a.yaml").write_text("project: p\n" + body)
    (tmp_path / "b.yaml").write_text("project: p2\n" + body)
    done = drift(
        "compare",
        "a",
        "b",
        "--live",
        "--profiles",
        str(tmp_path),
        "-f",
        "json",
        env=sandbox.environ(),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    found = {(d["service"], d["target"]) for d in doc["differences"]}
    assert ("job/job", "env.EXTRA") in found
    assert ("worker_pool/pool", "setting.service_account") in found  # one account for both
    table = drift(
        "compare", "a", "b", "--live", "--profiles", str(tmp_path), env=sandbox.environ()
    ).stdout
    assert "job/job" in table and "worker_pool/pool" in table


def test_history_lists_a_pools_revisions_and_a_jobs_executions(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from drift.history.read import read_history
    from drift.history.render import history_document, history_table
    from tests.jobs.world import write_profile

    sandbox = make_sandbox(jobs_world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(write_profile(tmp_path / "p"), "prod")
    result = asyncio.run(read_history(profile, load_settings()))
    assert result.exit_code == 0 and not result.unread and not result.notes
    (pool,) = result.services
    assert pool.kind.value == "worker_pool" and pool.listed == 2
    newest, oldest = pool.revisions
    assert newest.percent == 100 and oldest.percent == 0  # its instances' share
    assert [c.target for c in newest.changes or ()] == ["image"]
    (job,) = result.jobs
    assert (job.job, job.read, job.entries) == ("job", 0, ())  # never run
    table = history_table(result)
    assert "worker pool pool · " in table and "job job · 0 configurations" in table
    # a pool's split is of instances, not traffic (helper-700 F7)
    assert "100% of instances" in table and "serving 100%" not in table
    doc = history_document(result)
    assert doc["services"][0]["kind"] == "worker_pool" and doc["jobs"][0]["job"] == "job"
    parents = [c.request.parent for c in sandbox.calls if c.short == "ListRevisions"]
    assert parents == ["projects/p/locations/us-central1/workerPools/pool"]
    runs = [c.request.parent for c in sandbox.calls if c.short == "ListExecutions"]
    assert runs == ["projects/p/locations/us-central1/jobs/job"]
    # the summary counts what it shows (revhist62: a job alone was "0 of 0 revisions shown
    # in 0 services")
    assert result.summary() == (
        "prod: 2 of 2 revisions shown in 1 worker pool; 0 configurations of 0 executions "
        "read in 1 job (exit 0)"
    )
    alone = asyncio.run(read_history(profile, load_settings(), services=["job"]))
    assert alone.summary() == "prod: 0 configurations of 0 executions read in 1 job (exit 0)"
