"""The plan of a worker pool that `drift fix --no-promote` holds says what that fix does
(`drift.fix.plan_hold`): its new revision gets no instances, what runs keeps running, pinned by
name, and how to finish — in every format of `drift plan --no-promote` (table, json, gcloud,
yaml) and in the plan `drift fix --no-promote` shows, its dry run's included. Before, the plan
said the instances move to the patched revision, and only a note after it said otherwise."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.fix.render import plan_table
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import drift
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import TODAY

pytestmark = pytest.mark.sandbox
HELD = "--no-promote: its new revision pool-drift-CHANGE (CHANGE: the fix's change id) holds"
MOVE = "its instances move to the patched revision"


def _finish(sandbox: Sandbox) -> str:
    """The split a fix without the flag writes, as `update-instance-split` words it."""
    pool = sandbox.worker_pool("p", "pool")
    split = len([s for s in pool.instance_splits if s.percent]) > 1
    return "--to-revisions=LATEST=70,pool-drift-CHANGE=30" if split else "--to-latest"


def test_plan_no_promote_says_the_pool_is_held_in_every_format(
    held_world: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    sandbox, profiles = held_world
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    finish = f"update-instance-split pool {_finish(sandbox)}"

    def plan(*args: str) -> str:
        done = drift("plan", "prod", "--profiles", str(profiles), *args, env=env, cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr  # drift found, plan printed
        return done.stdout

    table = plan("--no-promote")
    # main: "No such option: --no-promote"; and the fix's plan said the instances move
    assert HELD in table and "with no instances" in table and finish in table, table
    assert MOVE not in table, table
    assert MOVE in plan()  # without the flag: as before

    (doc,) = json.loads(plan("--no-promote", "--format", "json"))["services"]
    assert doc["no_promote"].startswith(HELD) and finish in doc["no_promote"], doc
    assert "no_promote" not in json.loads(plan("--format", "json"))["services"][0]

    script = plan("--no-promote", "--format", "gcloud")
    (update,) = [line for line in script.splitlines() if line.startswith("gcloud beta run")]
    assert "worker-pools update pool" in update and "--no-promote" in script, script
    assert f"# drift fix {HELD}" in script, script
    assert "--no-promote" not in plan("--format", "gcloud").replace("# ", "")

    yaml_text = plan("--no-promote", "--format", "yaml")
    (pool,) = [d for d in YAML(typ="safe").load_all(yaml_text) if d]
    splits = pool["spec"]["instanceSplits"]
    assert all("latest" not in s and s.get("revisionName") for s in splits), splits
    assert sum(s["percent"] for s in splits) == 100
    assert f"drift fix {HELD}" in yaml_text, yaml_text


@pytest.mark.parametrize("dry_run", [False, True], ids=["prompt", "dry-run"])
def test_the_plan_drift_fix_no_promote_shows_says_the_pool_is_held(
    held_world: tuple[Sandbox, Path], tmp_path: Path, dry_run: bool
) -> None:
    sandbox, profiles = held_world
    generation = sandbox.worker_pool("p", "pool").generation
    ui = ScriptedUI([False])
    profile = load_profile(profiles, "prod")
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    options = FixOptions(verify=False, promote=False, dry_run=dry_run)
    done = asyncio.run(run_fix(profile, settings, ui, options, today=TODAY))
    assert sandbox.worker_pool("p", "pool").generation == generation  # declined, or validated
    assert done.exit_code is (ExitCode.OK if dry_run else ExitCode.ABORTED), done.summary()
    (shown,) = [plan_table(p) for p in ui.plans]
    # main: "note: updated in place, no canary: … (its instances move to the patched revision
    # as its instance split says)", then a note after the plan
    assert HELD in shown and f"update-instance-split pool {_finish(sandbox)}" in shown, shown
    assert MOVE not in shown, shown
