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


@pytest.mark.parametrize(
    ("kind", "flags", "group"),
    [
        (Kind.SERVICE, ("--max=15",), "gcloud beta run services update"),
        (Kind.SERVICE, ("--min=2",), "gcloud run services update"),
        (Kind.JOB, ("--gpu-type=nvidia-l4", "--gpu=1"), "gcloud beta run jobs update"),
        (Kind.JOB, ("--tasks=3",), "gcloud run jobs update"),
        (Kind.WORKER_POOL, ("--gpu-type=nvidia-l4",), "gcloud alpha run worker-pools update"),
        (Kind.WORKER_POOL, ("--scaling=3",), "gcloud beta run worker-pools update"),
    ],
)
def test_flags_gcloud_528s_ga_lacks_are_betas(
    kind: Kind, flags: tuple[str, ...], group: str
) -> None:
    """gcloud 528's GA `run services update` has `--min` but not the service-level `--max`
    (GA from 540), its GA `run jobs update` no `--gpu-type`/`--gpu` (GA from 543): "unrecognized
    arguments" there, parsed by the beta track; a worker pool's GPU flags are the alpha track's
    in 528 (beta from 540) (helper-557 G3, G5)."""
    line = Commands("p", "us-central1", "app", kind=kind).update(*flags)
    assert line.startswith(f"{group} app "), line


def test_the_script_sends_a_service_level_max_to_gcloud_beta(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The script's update chose its track without its flags: a service-level `--max` went to
    GA `gcloud run services update`, which gcloud 528 refuses."""
    world = _world(None)
    world["projects"][LAB]["services"]["app"]["scaling"] = {"maxInstanceCount": 10}
    sandbox = make_sandbox(world)
    _profile(tmp_path, "      max_instances: 15\n")
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert "--max=15" in script.stdout, script.stdout
    assert "gcloud beta run services update app \\" in script.stdout.splitlines(), script.stdout
