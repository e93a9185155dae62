"""`drift plan --format gcloud` of a worker pool whose instance split pins a revision of the
template's configuration (revjobs3 finding 1). `gcloud beta run worker-pools update` leaves
the split as it is (gcloud 528, command_lib/run/v2/config_changes.py: only NoPromoteChange and
InstanceSplitChange touch it), so the pinned instances keep the unpatched configuration;
drift fix moves them to its patched revision. The script says so and gives the split change
as a step to adapt (`update-instance-split --to-revisions`, which gcloud 528 parses)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest

from drift.fix.formats.gcloud import plan_script
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import POOL_HEAD, TODAY, write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

POOL_PIN = (
    POOL_HEAD
    + """\
    env:
      QUEUE: events2
"""
)


def test_gcloud_script_of_a_pinned_pool_names_the_instances_gcloud_leaves(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [{"created": "3d"}]  # revision 1: the template's configuration
    pool["instance_splits"] = [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}]
    sandbox = make_sandbox(world(pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(tmp_path / "profiles", POOL_PIN)
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    (sp,) = planned.plan.services
    assert "moves those instances" in sp.instances  # the plan table says drift fix moves them
    script = plan_script(planned.plan)
    assert "gcloud beta run worker-pools update pool" in script
    pinned = next(s.revision.rsplit("/", 1)[-1] for s in sp.live.instance_splits if s.revision)
    assert f"pins {pinned} 40%" in script
    assert "The command above leaves the split as it is" in script
    step = (
        "#   gcloud beta run worker-pools update-instance-split pool "
        "'--to-revisions=LATEST=60,<the revision the update created>=40' "
        "--project=p --region=us-central1"
    )
    assert step in script.splitlines(), script
