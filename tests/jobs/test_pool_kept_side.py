"""A worker pool split over two revisions of the template's configuration, the template's own
serving one share by name or through LATEST, and a finding the patch does not fix (a secret the
pool's account cannot read: a grant first). The plan said the other revision "keeps its N% of
instances", yet the fix moves every share pinned to the template's configuration to the
revision it makes (`drift.fix.instances.moved_splits`, what the fix does and says); after
`drift fix` and `drift rollback` (the template put back as it was: a new revision at 0 %,
run/docs/resource-model) that step was gone, so drift judged the same pool two ways
(helper-816 "Left"). It is now never given for a share the write moves; a revision one
variable away from the template's is not moved (the fix stops there) and keeps its step."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

PROFILE = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: jobs\n      LOCKED: {secret: projects/q/secrets/locked}\n"
)
"""QUEUE drifts (a patch of the template); LOCKED is a secret the pool's account may not read
(its change left out: a grant, then fix again)."""
KEEPS = "keeps its"


def _world(
    sandbox: Sandbox, tmp_path: Path, splits: list[dict[str, Any]], **old: Any
) -> dict[str, str]:
    """The jobworld pool, revision 1 the template's configuration (and `old`'s changes), the
    instances split as `splits`; the environment of `drift` run on it with PROFILE."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [old]
    pool["instance_splits"] = splits
    sandbox.reset(world(jobs={}, pools={"pool": pool}))
    profiles = write_profile(tmp_path / "profiles", PROFILE)
    return {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(profiles)}


def _steps(env: dict[str, str], tmp_path: Path) -> list[dict[str, Any]]:
    """`drift plan prod`'s manual steps of the pool."""
    planned = drift("plan", "prod", "--format", "json", env=env, cwd=tmp_path)
    (pool,) = json.loads(planned.stdout)["services"]
    return list(pool["manual"])


@pytest.mark.parametrize(
    "splits",
    [
        [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}],
        [{"latest": True, "percent": 70}, {"revision": 1, "percent": 30}],
    ],
    ids=["by-name", "latest"],
)
def test_a_share_the_fix_moves_keeps_no_step_before_or_after_a_rollback(
    reseedable: Sandbox, tmp_path: Path, splits: list[dict[str, Any]]
) -> None:
    env = _world(reseedable, tmp_path, splits)
    before = _steps(env, tmp_path)
    assert [s["target"] for s in before] == ["secret.q/locked"], before
    fixed = drift("fix", "prod", "--yes", env=env, cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # LOCKED is still not set
    pool = reseedable.worker_pool("p", "pool")
    ran = {s.revision for s in pool.instance_split_statuses if s.percent}
    assert ran == {pool.latest_created_revision.rsplit("/", 1)[-1]}, ran  # no share kept
    rolled = drift("rollback", "--yes", env=env, cwd=tmp_path)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert _steps(env, tmp_path) == before
    assert KEEPS not in drift("plan", "prod", env=env, cwd=tmp_path).stdout


def test_a_revision_one_variable_away_keeps_its_step(reseedable: Sandbox, tmp_path: Path) -> None:
    """Revision 1 has DEBUG=1 beside the template's configuration: the fix cannot move its
    instances (it stops), so they keep their share, and the step says so."""
    split = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    env = _world(reseedable, tmp_path, split, env={"DEBUG": "1"})
    kept = [s for s in _steps(env, tmp_path) if KEEPS in s["reason"]]
    assert [s["target"] for s in kept] == ["env.LOCKED"], kept
    assert "pool-00001" in kept[0]["reason"].split(KEEPS)[0], kept
    plan = drift("plan", "prod", env=env, cwd=tmp_path).stdout
    assert "blocked: drift fix stops here" in plan, plan
