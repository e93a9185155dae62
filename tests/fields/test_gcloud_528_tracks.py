"""`default_uri_disabled` in gcloud commands as `iap_enabled` and `manual_instances` are: GA
gcloud 528's `run services update` refuses `--[no-]default-url` ("unrecognized arguments"),
its beta track parses it. The GA script (`plan --format gcloud`, `set -euo pipefail`) leaves
it to drift fix in a comment (`Field.flagless`); a manual step naming it is beta's
(`drift.fix.commands.BETA_FLAGS`). revrows' note: the script printed the GA flag. And the
reason a GPU job's unset zonal redundancy is not verified named `gcloud beta run jobs update
--[no-]gpu-zonal-redundancy`, which gcloud 528's beta refuses too (only alpha parses it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.fields import FIELDS
from drift.fields.base import Source
from drift.fix.commands import Commands
from drift.kinds import Kind
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run


@pytest.mark.parametrize("setting", ["true", "false"])
def test_the_ga_script_leaves_the_default_url_to_drift_fix(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str
) -> None:
    world = _world(None)
    if setting == "false":
        world["projects"][LAB]["services"]["app"]["defaultUriDisabled"] = True
    sandbox = make_sandbox(world)
    _profile(tmp_path, f"      default_uri_disabled: {setting}\n")
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert script.returncode == 1, script.stdout + script.stderr
    run = [line for line in script.stdout.splitlines() if not line.startswith("#")]
    assert not any("default-url" in line for line in run), script.stdout
    assert "setting default_uri_disabled: gcloud run services update has no flag" in (script.stdout)


def test_a_manual_step_with_the_default_url_flag_is_gcloud_betas() -> None:
    for flag in ("--no-default-url", "--default-url"):
        line = Commands("p", "us-central1", "app").update(flag)
        assert line.startswith("gcloud beta run services update app "), line


def test_a_gpu_jobs_unverified_reason_names_no_track_that_refuses_the_flag() -> None:
    from google.cloud import run_v2

    task = run_v2.TaskTemplate(node_selector=run_v2.NodeSelector(accelerator="nvidia-l4"))
    job = run_v2.Job(name="projects/p/locations/us-central1/jobs/app")
    unreadable = FIELDS["gpu_zonal_redundancy_disabled"].unreadable
    assert unreadable is not None
    why = unreadable(Source(run_v2.Job.pb(job), run_v2.TaskTemplate.pb(task), None, Kind.JOB))
    assert "gpu_zonal_redundancy_disabled" in why
    assert "gcloud beta run jobs" not in why, why
