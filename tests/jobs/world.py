"""A project with a job and a worker pool (the sandbox's jobworld) and the profile of them:
helpers the jobs and worker pools tests share."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult, run_check
from drift.fix.plan import Planned, plan_environment
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

TODAY = dt.date(2026, 11, 24)
JOB_HEAD = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n"
"""A profile of job down to its env's line (its variables follow, indent 6)."""
JOB_ENV = JOB_HEAD + "      MODE: live\n"
"""A profile of job, its env's MODE (live); more variables follow (indent 6)."""
JOB_SETTINGS = "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n"
"""A profile of job down to its settings' line (they follow, indent 6)."""
POOL_HEAD = "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
"""A profile of pool and its ingress container consumer; its env or settings follow (indent 4)."""
POOL_AGENT = (
    "    containers:\n      agent:\n        env:\n          AGENT_TOKEN: {secret: token}\n"
    "    settings:\n      instance_count: 3\n"
)
"""A pool's sidecar agent with its token's secret, and the pool's instance count (indent 4)."""
PROFILE = (
    """\
project: p
region: us-central1
defaults:
  settings:
    memory: 512Mi
jobs:
  job:
    env:
      MODE: live
      NEEDED: x
      TOKEN: {secret: token}
    settings:
      max_retries: 3
      task_timeout: 600s
worker_pools:
  pool:
    container: consumer
    env:
      QUEUE: events
"""
    + POOL_AGENT
)


def failed_job() -> dict[str, Any]:
    """The job referencing a disabled secret version, its latest execution failed on it."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["DB"] = {"secret": "rotated", "version": "2"}
    job["executions"] = [{"outcome": "succeeded"}, {"outcome": "failed"}]
    return job


def jobs_world(**kwargs: Any) -> dict[str, Any]:
    return world(**kwargs)


def jobs_sandbox(make_sandbox: Any, monkeypatch: pytest.MonkeyPatch, cwd: Path) -> Sandbox:
    """A sandbox of the jobs world of its own, the environment pointed at it, run from `cwd`
    (where a fix keeps its journal)."""
    return pointed_at(make_sandbox(jobs_world()), monkeypatch, cwd)


def pointed_at(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, cwd: Path) -> Sandbox:
    """`sandbox`, the environment pointed at it, run from `cwd`."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(cwd)
    return sandbox


def planned_prod(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, cwd: Path, profile: str
) -> Planned:
    """`drift fix prod`'s plan (`plan_environment`), `profiles/prod.yaml` in `cwd` holding
    `profile`, against `sandbox` (the environment pointed at it, run from `cwd`)."""
    pointed_at(sandbox, monkeypatch, cwd)
    profiles = write_profile(cwd / "profiles", profile)
    return asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )


def write_profile(directory: Path, text: str = PROFILE, env: str = "prod") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{env}.yaml").write_text(text)
    return directory


def check(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path, env: str = "prod"
) -> CheckResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(profiles, env)
    return asyncio.run(run_check(profile, load_settings(), today=TODAY))


POOL_PROFILE = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: events2\n    settings:\n      instance_count: 3\n"
)
"""A worker pool's profile changing its QUEUE (a new revision) and its instance count."""
HELD_SPLIT = [{"latest": True, "percent": 70}, {"revision": 1, "percent": 30}]
"""LATEST 70 % and 30 % pinned to revision 1 (the template's configuration)."""


def pool_spec(splits: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The jobs world's pool with one revision of its template's configuration, its
    instance split `splits` (None: LATEST 100 %)."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{"created": "3d"}]  # revision 1: the template's configuration
    if splits is not None:
        pool["instance_splits"] = splits
    return pool
