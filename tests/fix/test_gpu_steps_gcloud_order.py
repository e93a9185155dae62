"""The gcloud commands of manual steps on a workload with several containers: gcloud parses
every argument after `--container NAME` with the container group's flags alone
(command_lib/run/container_parser.py `ContainerParser.ParseKnownArgs`; the groups:
surface/run/services|jobs|worker_pools/update.py `ContainerArgGroup`), so the revision's flags
(`--gpu-type`, `--[no-]cpu-throttling`, `--concurrency`) come first, then `--container NAME`
and the container's. Where the
gcloud of this machine is installed, drift's commands are handed to its parser (a throwaway
config: a parse error stops before any network call)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from drift.fix import commands
from drift.kinds import Kind
from tests.conftest import MakeSandbox
from tests.fields.test_hardware_settings import IMAGE, _profile, _run
from tests.fix.conftest import lab_world

TWO = {
    "containers": [
        {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]},
        {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:v1"},
    ]
}


def _split(command: str) -> tuple[list[str], list[str]]:
    """(the flags before `--container NAME`, those after it)."""
    words = shlex.split(command)
    at = words.index("--container")
    return words[:at], words[at + 2 :]


def _manual(done: Any) -> list[dict[str, Any]]:
    assert done.returncode in (0, 1), done.stdout + done.stderr
    plan = json.loads(done.stdout)
    return [step for sp in plan["services"] for step in sp["manual"]]


def test_update_puts_the_revision_flags_before_container() -> None:
    cmd = commands.Commands("p", "us-central1", "app", "app", Kind.SERVICE)
    line = cmd.update("--cpu=500m", "--concurrency=1", "--cpu-throttling", "--gpu-type=nvidia-l4")
    before, after = _split(line)
    assert {"--concurrency=1", "--cpu-throttling", "--gpu-type=nvidia-l4"} <= set(before), line
    assert after == ["--cpu=500m"], line
    # only revision flags: no `--container` at all (nothing of the container's follows)
    only = cmd.update("--no-cpu-throttling")
    assert "--container" not in shlex.split(only), only
    # one container: as given
    single = commands.Commands("p", "us-central1", "app").update("--cpu=1", "--concurrency=1")
    assert shlex.split(single)[-2:] == ["--cpu=1", "--concurrency=1"], single


def test_container_flags_are_gclouds_container_group() -> None:
    for flag in ("--cpu=1", "--memory=1Gi", "--gpu=1", "--update-env-vars=A=1", "--image=x"):
        assert commands.is_container_flag(flag), flag
    for flag in ("--gpu-type=nvidia-l4", "--no-cpu-throttling", "--concurrency=1", "--cpu-boost"):
        assert not commands.is_container_flag(flag), flag
    assert commands.is_container_flag("--no-use-http2")


def _cpu_floor_step(make_sandbox: MakeSandbox, tmp_path: Path) -> dict[str, Any]:
    small = {"resources": {"limits": {"cpu": "250m", "memory": "256Mi"}}}
    api = {"containers": [TWO["containers"][0], {**TWO["containers"][1], **small}]}
    template = {"image": IMAGE, "concurrency": 80, "api": api}
    sandbox = make_sandbox(lab_world(template=template))
    _profile(tmp_path, "      cpu: 0.5\n")
    (step,) = _manual(_run(sandbox, tmp_path, "plan", "lab", "--format", "json"))
    return step


@pytest.mark.sandbox
def test_cpu_below_one_step_on_two_containers_puts_concurrency_before_container(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    step = _cpu_floor_step(make_sandbox, tmp_path)
    (command,) = step["commands"]
    before, after = _split(command)
    assert "--concurrency=1" in before and [w.split("=")[0] for w in after] == ["--cpu"], command


def _gpu_step(make_sandbox: MakeSandbox, tmp_path: Path) -> dict[str, Any]:
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "api": TWO}))
    _profile(tmp_path, "      gpu_type: nvidia-l4\n")
    (step,) = _manual(_run(sandbox, tmp_path, "plan", "lab", "--format", "json"))
    return step


@pytest.mark.sandbox
def test_gpu_step_on_two_containers_puts_gpu_type_and_throttling_before_container(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    (command,) = _gpu_step(make_sandbox, tmp_path)["commands"]
    before, after = _split(command)
    assert {"--gpu-type=nvidia-l4", "--no-cpu-throttling"} <= set(before), command
    assert {"--cpu=<CPU>", "--memory=<MEMORY>", "--gpu=1"} == set(after), command


GCLOUD = shutil.which("gcloud")


def _gcloud_parses(command: str, tmp_path: Path) -> None:
    """gcloud's parser takes the command (values filled in; beta: the GPU flags of jobs)."""
    filled = command.removeprefix("# ").replace("<CPU>", "4").replace("<MEMORY>", "16Gi")
    words = shlex.split(filled)
    assert words[0] == "gcloud"
    if words[1] != "beta":
        words.insert(1, "beta")
    env = {
        **os.environ,
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud-config"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "1",
    }
    done = subprocess.run(
        [str(GCLOUD), *words[1:]], env=env, capture_output=True, text=True, timeout=120
    )
    said = done.stdout + done.stderr
    assert "unrecognized arguments" not in said and "must be specified after" not in said, said
    assert done.returncode != 2, said  # 2: a usage error; past the parser, it wants an account


@pytest.mark.sandbox
@pytest.mark.skipif(GCLOUD is None, reason="gcloud is not installed here")
def test_gcloud_parses_the_steps_on_two_containers(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    for each in ("gpu", "cpu"):
        (tmp_path / each).mkdir()
    (gpu,) = _gpu_step(make_sandbox, tmp_path / "gpu")["commands"]
    (cpu,) = _cpu_floor_step(make_sandbox, tmp_path / "cpu")["commands"]
    for command in (gpu, cpu):
        _gcloud_parses(command, tmp_path)
