"""helper-609 F2: a worker pool whose template fixes its revision name (Terraform's
`google_cloud_run_v2_worker_pool` writes `template.revision`) got a bare `gcloud beta run
worker-pools update`. gcloud's pool update is the v2 read-modify-write (surface/run/
worker_pools/update.py `Run`: `GetWorkerPool`, then `ReleaseWorkerPool(…, prefetch=…)`,
command_lib/run/v2/worker_pools_operations.py), whose only change of `template.revision` is
`RevisionNameChange`, added for `--revision-suffix` alone (v2 flags_parser.py
`_GetTemplateConfigurationChanges`): the fixed name went back with a new configuration, and
Cloud Run refuses that ("Revision named '…' with different configuration already exists",
ALREADY_EXISTS). An empty `--revision-suffix=` clears it (v2 config_changes.py
`RevisionNameChange.Adjust`: "if not self.revision_suffix: resource.template.revision = ''"),
as `drift fix` does; an update that makes no revision (the instance count alone) needs none."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from drift.fix.formats.gcloud import plan_script
from tests.conftest import MakeSandbox
from tests.jobs.world import planned_prod
from tests.sandbox.jobworld import POOL_SPEC, world

pytestmark = pytest.mark.sandbox

POOL_ONLY = (
    "project: p\nregion: us-central1\njobs: {}\nworker_pools:\n  pool:\n    container: consumer\n"
)
ENV = (
    POOL_ONLY
    + """\
    env:
      QUEUE: events2
      MODE: {one_of: [a, b]}
"""
)
COUNT = POOL_ONLY + "    settings:\n      instance_count: 3\n"


def _script(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: str
) -> tuple[str, Any]:
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["revision"] = "pool-v7"
    pool["template"]["containers"][0]["env"].append({"name": "MODE", "value": "c"})
    pool.pop("history")
    sandbox = make_sandbox(world(pools={"pool": pool}))
    assert sandbox.worker_pool("p", "pool").template.revision == "pool-v7"
    planned = planned_prod(sandbox, monkeypatch, tmp_path, profile)
    return plan_script(planned.plan), planned.plan


def test_the_pool_update_clears_the_fixed_revision_name(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script, plan = _script(make_sandbox, monkeypatch, tmp_path, ENV)
    command = script.split("gcloud beta run worker-pools update pool \\\n", 1)[1].split("\n#")[0]
    flags = [line.strip().rstrip(" \\") for line in command.splitlines()]
    assert "--revision-suffix=" in flags, script
    # a revision flag: before `--container`, where gcloud's container parser refuses it
    assert flags.index("--revision-suffix=") < flags.index("--container consumer"), flags
    assert "Cloud Run refuses a new configuration under an existing name" in script
    # the pool's manual step (a value to choose) makes a revision too: its update clears it
    (step,) = [c for sp in plan.services for m in sp.manual for c in m.commands]
    assert "worker-pools update pool" in step and "--revision-suffix=" in step, step


def test_an_update_making_no_revision_keeps_the_name(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script, _ = _script(make_sandbox, monkeypatch, tmp_path, COUNT)
    assert "--scaling=3" in script, script
    assert "--revision-suffix" not in script, script
