"""revown49 F2: drift says (fields/hardware.py `_job_default_unknown`, fixrows 5c01247) that
gcloud 528 has `--[no-]gpu-zonal-redundancy` for jobs "in its alpha track only", yet
the manual step of a GPU job that does not set it (`manual.unread_steps`, which checks
neither `Field.flagless` nor `Field.no_flag`) prints it on the GA `gcloud run jobs update`,
which answers "unrecognized arguments"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.fields import FIELDS
from drift.kinds import Kind
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_gpu_job_redundancy import gpu_job

pytestmark = pytest.mark.sandbox

PROFILE = "jobs:\n  job:\n    settings:\n      gpu_zonal_redundancy_disabled: true\n"


def _plan(sandbox: object, tmp_path: Path, fmt: str) -> str:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "prod.yaml").write_text(f"project: p\nregion: us-central1\n{PROFILE}")
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}  # type: ignore[attr-defined]
    done = drift("plan", "prod", "--format", fmt, env=env, cwd=tmp_path, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def _ga_job_lines(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if "gcloud run jobs update" in line and "gpu-zonal-redundancy" in line
    ]


def test_the_unverified_gpu_jobs_manual_step_is_not_a_ga_command_gcloud_refuses(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    plan = json.loads(_plan(gpu_job(make_sandbox, None), tmp_path, "json"))
    commands = [c for s in plan["services"] for m in s.get("manual", []) for c in m["commands"]]
    assert not _ga_job_lines("\n".join(commands)), commands


def test_the_unverified_step_says_which_track_has_the_flag(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    plan = json.loads(_plan(gpu_job(make_sandbox, None), tmp_path, "json"))
    steps = [m for s in plan["services"] for m in s.get("manual", [])]
    step = next(m for m in steps if m["target"] == "setting.gpu_zonal_redundancy_disabled")
    assert step["commands"] == [], step
    assert "gcloud run jobs update has no --[no-]gpu-zonal-redundancy" in step["reason"], step
    assert "alpha" in step["reason"], step


def test_the_script_leaves_a_gpu_jobs_drifted_redundancy_to_drift_fix(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Set on the job (compared) and drifted: the GA script has no flag for it either."""
    script = _plan(gpu_job(make_sandbox, False), tmp_path, "gcloud")
    run = [line for line in script.replace("\\\n", " ").splitlines() if not line.startswith("#")]
    assert not _ga_job_lines("\n".join(run)), script
    assert "setting gpu_zonal_redundancy_disabled: gcloud run jobs update has no" in script, script


def test_the_one_rule_for_the_script_and_a_manual_step() -> None:
    """gcloud 528 (parsed): jobs GA and beta refuse the flag, alpha parses it; worker pools
    refuse it in beta and alpha; services GA parses it."""
    field = FIELDS["gpu_zonal_redundancy_disabled"]
    assert "alpha" in field.lacks_flag(Kind.JOB, True)
    assert "before gcloud 550" in field.lacks_flag(Kind.JOB, True)  # GA since (G5b)
    assert "before gcloud 540" in field.lacks_flag(Kind.WORKER_POOL, False)
    assert not field.lacks_flag(Kind.SERVICE, True)
    assert FIELDS["encryption_key"].lacks_flag(Kind.JOB, "none")
    # helper-557 G4: not false on a current gcloud, whose GA track has the flag
    assert FIELDS["default_uri_disabled"].lacks_flag(Kind.SERVICE, True) == (
        "has no flag for it before gcloud 529 (the beta track's, which a manual step uses, has one)"
    )
    assert "before gcloud 560" in FIELDS["iap_enabled"].lacks_flag(Kind.SERVICE, True)
    assert "before gcloud 533" in FIELDS["manual_instances"].lacks_flag(Kind.SERVICE, 3)
    assert FIELDS["execution_environment"].lacks_flag(Kind.JOB, "gen2") == "has no flag for it"
