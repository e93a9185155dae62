"""revown41 repros (failed before its fix): the GPU rules fixextend added (drift/fix/
gpu_floor.py, drift/fields/hardware.py `_gpu_flags`) against how gcloud parses and applies
them. gcloud's own parser (googlecloudsdk/command_lib/run/container_parser.py,
`ContainerParser.ParseKnownArgs`): every argument after `--container NAME` is parsed by a
parser holding only the container group's flags (`parse_args`, not `parse_known_args`), so a
revision flag there (`--gpu-type`, `--[no-]cpu-throttling`) is "unrecognized arguments"; and
"When --container is specified {flags} must be specified after --container". Checked with
the gcloud on this machine (Google Cloud SDK 528.0.0): see /work/notes/repro/revown41/gcloud.sh.

Repro: .venv/bin/python -m pytest -q tests/revown41/test_gpu_steps_gcloud.py -n 0"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from drift.fix.formats.gcloud import service_script
from drift.fix.model import SettingChange
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_hardware_settings import IMAGE, _profile, _run
from tests.fix.conftest import lab_world
from tests.fix.test_gcloud_script import service_plan
from tests.sandbox.jobworld import world

pytestmark = pytest.mark.sandbox

REVISION_FLAGS = ("--gpu-type", "--cpu-throttling", "--no-cpu-throttling", "--concurrency")
TWO = {
    "containers": [
        {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]},
        {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:v1"},
    ]
}


def _manual(done: Any) -> list[dict[str, Any]]:
    plan = json.loads(done.stdout)
    return [step for sp in plan["services"] for step in sp["manual"]]


def _after_container(command: str) -> list[str]:
    """The flags of a gcloud command line that follow a `--container NAME`."""
    words = shlex.split(command)
    if "--container" not in words:
        return []
    return [w.split("=", 1)[0] for w in words[words.index("--container") + 2 :]]


def test_f1_gpu_step_on_a_two_container_service_puts_revision_flags_after_container(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """F1: the manual step's command is `gcloud run services update app … --container app
    --cpu=<CPU> --memory=<MEMORY> --no-cpu-throttling --gpu=1 --gpu-type=nvidia-l4`: gcloud
    528 answers "unrecognized arguments: --no-cpu-throttling … --gpu-type=nvidia-l4" — the
    command drift hands over cannot run, whatever is filled in for <CPU>/<MEMORY>."""
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "api": TWO}))
    _profile(tmp_path, "      gpu_type: nvidia-l4\n")
    done = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (step,) = _manual(done)
    (command,) = step["commands"]
    misplaced = [f for f in _after_container(command) if f in REVISION_FLAGS]
    assert not misplaced, command


def test_f2_gpu_step_on_a_job_asks_for_what_a_job_cannot_have(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """F2: for a job the step says "state cpu, memory and cpu_throttling in the profile" (a
    job profile stating cpu_throttling is refused by drift itself: "cpu_throttling is a
    setting of services, not of a job") and its command carries `--no-cpu-throttling`, which
    `gcloud run jobs update` does not have (gcloud 528: "unrecognized arguments:
    --no-cpu-throttling"; the jobs update synopsis, cloud.google.com/sdk/gcloud/reference/run/
    jobs/update, has no --[no-]cpu-throttling). A job has no CPU-allocation choice at all:
    drift's own gpu_needs(serves=False) does not require it."""
    sandbox = make_sandbox(world())
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(
        "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n      gpu_type: nvidia-l4\n"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    done = drift("plan", "prod", "--format", "json", env=env, cwd=tmp_path, timeout=120)
    (step,) = _manual(done)
    (command,) = step["commands"]
    assert "cpu-throttling" not in command, command
    assert "cpu_throttling" not in step["reason"], step["reason"]


def test_f3_gpu_type_none_on_two_containers_leaves_the_gpu_type(tmp_path: Path) -> None:
    """F3: `gpu_type: none` renders `--container app --gpu=0 --container otel --gpu=0` and the
    script's summary says it makes `settings gpu_type`. gcloud clears the GPU type only for a
    top-level `--gpu=0` (flags.py `_GetConfigurationChanges`: `if args.gpu == '0':
    changes.append(GpuTypeChange(gpu_type=''))`); a `--gpu` after `--container` only pops the
    container's limit (`_GetContainerConfigurationChanges` → `ResourceChanges(gpu=…,
    container_name=…)`), so the node selector stays nvidia-l4, unlike the fix
    (`_write_gpu_type` clears it), and `drift check` still reports gpu_type afterwards. It
    should stay a manual step (or be rendered so gcloud clears the type)."""
    sp = service_plan(
        containers=("app", "otel"),
        primary="app",
        settings=(SettingChange("gpu_type", "nvidia-l4", "none"),),
    )
    script = service_script(sp)
    words = shlex.split(" ".join(line.rstrip("\\") for line in script.lines))
    top_level_gpu0 = "--container" not in words and "--gpu=0" in words
    made = script.made(sp.settings[0])
    assert top_level_gpu0 or not made, script.lines
