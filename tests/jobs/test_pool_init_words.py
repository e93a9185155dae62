"""`init --from-live` on a worker pool whose instances are split over two configurations
(worker_pool.proto `instance_splits`): its words speak of the pool's instances, never of a
service's traffic (revown15 3)."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from pathlib import Path

import pytest

from drift.onboarding.init import init_from_live
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.sandbox.jobworld import POOL_SPEC, world


def test_init_on_a_split_pool_speaks_of_instances_not_traffic(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{"image": "example.com/consumer:0", "env": {"QUEUE": "old"}}]
    pool["instance_splits"] = [{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}]
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="p", region="us-central1", wait=0)
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 11, 24)))
    assert int(result.exit_code) == 3, result.summary()
    (said,) = result.rollouts
    assert "traffic" not in said and "serve" not in said and "rollout" not in said, said
