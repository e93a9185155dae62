"""`revision.rollout` and `revision.pinned` of a worker pool speak of what a pool has: instances
split between revisions (worker_pool.proto `instance_splits`) and the worker pool's template —
no service, no traffic, nothing served."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from drift.diff import diff
from drift.findings import Finding
from drift.kinds import Kind, workload_key
from drift.live.model import ServingRevision
from drift.live.state import LiveState
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import check, write_profile
from tests.livestate import config, plain, service
from tests.sandbox.jobworld import POOL_SPEC, world

PROFILE = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: events\n"
)
SERVICE_WORDS = ("service", "traffic", "serves", "serving")


def _texts(findings: list[Finding]) -> list[str]:
    rules = ("revision.rollout", "revision.pinned")
    return [t for f in findings if f.rule in rules for t in (f.message, f.expected, f.actual) if t]


def split_pool(make_sandbox: MakeSandbox) -> Sandbox:
    """A pool whose instances are split 50/50 over two configurations (QUEUE old and new)."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{"image": "us-docker.pkg.dev/example/consumer:0", "env": {"QUEUE": "old"}}]
    pool["instance_splits"] = [{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}]
    return make_sandbox(world(jobs={}, pools={"pool": pool}))


def test_a_pool_split_over_two_configurations_speaks_of_its_instances_and_template(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = split_pool(make_sandbox)
    report = check(sandbox, monkeypatch, write_profile(tmp_path / "profiles", PROFILE)).report
    (rollout,) = [f for f in report.findings if f.rule == "revision.rollout"]
    assert rollout.message.endswith(
        "has 50% of instances with a configuration that differs from the worker pool template "
        "(env.QUEUE)"  # the template's revision has the other 50 %: released, the image a
    ), rollout.message  # rollout's (`served.template_serves`), as a service's
    assert (rollout.expected, rollout.actual) == (
        "revisions with instances match the template",
        "2 revisions with instances",
    )


def test_no_rollout_or_pinned_text_of_a_pool_speaks_of_a_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every text of the two rules, on a pool whose latest revision failed, whose instances
    are split over two configurations and pinned while a drift revision of a change exists
    (hand-built state: each branch of the rules at once), and on one no revision runs."""
    monkeypatch.chdir(tmp_path)
    profile = load_profile(write_profile(tmp_path / "profiles", PROFILE), "prod")
    key = workload_key(Kind.WORKER_POOL, "pool")
    base = replace(service("pool", [plain("QUEUE", "events")]), kind=Kind.WORKER_POOL)
    other = config([plain("QUEUE", "old")])
    split = replace(
        base,
        serving=(
            ServingRevision("pool-00002-new", 60, (), (), base.template),
            ServingRevision("pool-00001-old", 40, (), (), other),
        ),
        latest_created="pool-00003-bad",
        latest_created_ready=False,
        latest_created_message="image not found",
        routes_latest=False,
        canaries=("pool-00003-bad",),
    )
    idle = replace(base, serving=(), latest_created="pool-00001-abc")
    texts = []
    for live in (split, idle):
        state = LiveState()
        state.services[key] = live
        found = diff(profile, [key], state, dt.date(2026, 11, 30))
        texts += _texts(found)
    assert len(texts) >= 9, texts  # failed, split, pinned, nothing runs: each said
    assert not [t for t in texts if any(w in t for w in SERVICE_WORDS)], texts
    assert "no revision has instances" in texts
    assert any("instances are pinned to named revisions" in t for t in texts), texts


def test_init_on_a_split_pool_speaks_of_instances_not_traffic(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`init --from-live` on the split pool: its words speak of the pool's instances, never
    of a service's traffic (revown15 3)."""
    sandbox = split_pool(make_sandbox)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="p", region="us-central1", wait=0)
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 11, 24)))
    assert int(result.exit_code) == 3, result.summary()
    (said,) = result.rollouts
    assert "traffic" not in said and "serve" not in said and "rollout" not in said, said
