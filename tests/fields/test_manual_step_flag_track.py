"""revown49 F2: drift says (fields/hardware.py `_job_default_unknown`, fixrows 5c01247) that
gcloud 528 has `--[no-]gpu-zonal-redundancy` for jobs "in its alpha track only", yet
the manual step of a GPU job that does not set it (`manual.unread_steps`, which checks
neither `Field.flagless` nor `Field.no_flag`) prints it on the GA `gcloud run jobs update`,
which answers "unrecognized arguments"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
