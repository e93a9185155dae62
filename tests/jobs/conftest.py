"""Fixtures of the jobs and worker pools tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.jobs.world import HELD_SPLIT, POOL_PROFILE, pool_spec, write_profile
from tests.sandbox.jobworld import world


@pytest.fixture(params=["latest", "split"])
def held_world(
    request: pytest.FixtureRequest,
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[Sandbox, Path]:
    """A pool routed LATEST 100 %, or split LATEST 70 % / 30 % pinned to revision 1 (the
    template's configuration), and a profile changing its QUEUE and its instance count
    (`drift fix --no-promote` holds it: tests/jobs/test_pool_no_promote*.py)."""
    splits = None if request.param == "latest" else HELD_SPLIT
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool_spec(splits)}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, write_profile(tmp_path / "profiles", POOL_PROFILE)
