"""A worker pool's instance count in the gcloud script (revshapes4 F3): gcloud 528's
`gcloud beta run worker-pools update` answers `--instances=5` with "unrecognized arguments";
it takes `--scaling=5` (surface/run/worker_pools/update.py: flags.AddScalingFlag(...,
resource_kind='worker'); command_lib/run/flags.py: for worker pools in BETA, "a positive
integer", the fixed instance count; /work/notes/repro/revshapes4/gcloud.sh parses it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.fields import FIELDS
from drift.fix.formats.gcloud import plan_script
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.test_pool_own_settings_in_a_canary import POOL_COUNT
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import world


def test_the_instance_count_flag_is_the_one_gcloud_528_parses() -> None:
    assert FIELDS["instance_count"].gcloud(5) == "--scaling=5"


def test_gcloud_528_parses_the_pools_instance_count_flag(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profile = load_profile(write_profile(tmp_path / "profiles", POOL_COUNT), "prod")
    planned = asyncio.run(plan_environment(profile, load_settings(), today=TODAY))
    script = plan_script(planned.plan)
    lines = [line.strip() for line in script.splitlines() if not line.startswith("#")]
    assert "--scaling=5" in lines, script
    assert "--instances=5" not in script
