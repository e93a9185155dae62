"""A worker pool in an image canary (LATEST, the template's revision, at 70 %; the previous
revision, another image, at 30 %) whose profile changes only its instance count (revshapes4
F1). The count is WorkerPool.scaling.manual_instance_count, outside the revision template:
"Changing scaling mode or changing the manual instance count does not create a new revision"
(cloud.google.com/run/docs/configuring/workerpools/manual-scaling). Nothing of the template
goes out, so the fix goes ahead with the split as it is, and the script's line runs; a change
of the template still stops (the split pins a revision it would not reach)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.fix.formats.gcloud import plan_script
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import POOL_HEAD, TODAY, write_profile
from tests.sandbox.jobworld import POOL, POOL_SPEC, world

POOL_COUNT = (
    POOL_HEAD
    + """\
    settings:
      instance_count: 5
"""
)


def _canary_pool(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Sandbox:
    """LATEST (the template, consumer:1) 70 %, revision 1 (image consumer:0) 30 %."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["instance_splits"] = [{"latest": True, "percent": 70}, {"revision": 1, "percent": 30}]
    sandbox = make_sandbox(world(pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox


def _pools(sandbox: Sandbox) -> run_v2.WorkerPoolsClient:
    channel = grpc.insecure_channel(sandbox.address)
    return run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))


def _fix(tmp_path: Path, profiles: Path) -> ExitCode:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    options = FixOptions(verify=False, yes=True)
    profile = load_profile(profiles, "prod")
    return asyncio.run(run_fix(profile, settings, ScriptedUI(), options, today=TODAY)).exit_code


def test_instance_count_of_a_pool_in_an_image_canary_is_fixed_with_its_split_as_is(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """It stopped (exit 4): "the worker pool template differs from what serves (...):
    updating it in place would roll that out with the patch"."""
    sandbox = _canary_pool(make_sandbox, monkeypatch, tmp_path)
    profiles = write_profile(tmp_path / "profiles", POOL_COUNT)
    before = _pools(sandbox).get_worker_pool(name=POOL)
    assert _fix(tmp_path, profiles) is ExitCode.OK
    after = _pools(sandbox).get_worker_pool(name=POOL)
    assert after.scaling.manual_instance_count == 5
    assert list(after.instance_splits) == list(before.instance_splits)
    assert after.template == before.template
    assert after.latest_created_revision == before.latest_created_revision


def test_gcloud_script_of_a_pools_instance_count_in_an_image_canary_is_runnable(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """It was commented out: "not run: ... `gcloud beta run worker-pools update` builds on
    the template and would release it too"."""
    _canary_pool(make_sandbox, monkeypatch, tmp_path)
    profile = load_profile(write_profile(tmp_path / "profiles", POOL_COUNT), "prod")
    planned = asyncio.run(plan_environment(profile, load_settings(), today=TODAY))
    script = plan_script(planned.plan)
    runnable = [line for line in script.splitlines() if not line.startswith("#")]
    assert any("worker-pools update pool" in line for line in runnable), script


def test_a_template_change_of_a_pool_in_an_image_canary_still_stops(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An env change goes out with the template: the stop stays (the split pins a revision
    of another configuration)."""
    sandbox = _canary_pool(make_sandbox, monkeypatch, tmp_path)
    text = POOL_COUNT.replace("instance_count: 5", "instance_count: 5\n    env:\n      Q: x")
    profiles = write_profile(tmp_path / "profiles", text)
    before = _pools(sandbox).get_worker_pool(name=POOL)
    assert _fix(tmp_path, profiles) is ExitCode.ABORTED
    assert _pools(sandbox).get_worker_pool(name=POOL).etag == before.etag


def test_instance_count_of_a_pool_whose_sidecar_holds_a_disabled_secret_is_fixed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """revjobs60 F1: the count alone makes no revision, so Cloud Run's deploy-time check of
    the revision's secrets never runs; the fix stopped with "a new revision would fail" (and
    "do the manual steps above", of which the plan had none)."""
    pool = copy.deepcopy(POOL_SPEC)
    agent = pool["template"]["containers"][1]["env"][0]["valueSource"]["secretKeyRef"]
    agent.update({"secret": "rotated", "version": "2"})  # DISABLED (jobworld.SECRETS)
    sandbox = make_sandbox(world(pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    ignored = POOL_COUNT + 'ignore:\n  - {worker_pool: pool, secret: rotated, reason: "OPS-1"}\n'
    profiles = write_profile(tmp_path / "profiles", ignored)
    before = _pools(sandbox).get_worker_pool(name=POOL)
    assert _fix(tmp_path, profiles) is ExitCode.OK
    after = _pools(sandbox).get_worker_pool(name=POOL)
    assert after.scaling.manual_instance_count == 5
    assert after.template == before.template
