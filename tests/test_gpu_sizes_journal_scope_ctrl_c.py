"""revown28 repros (failed on main before its fix at ca27860): what this session's merges broke.

1. fixfuzz caps cpu at 8 and memory at 32Gi for every workload, but Cloud Run's NVIDIA RTX PRO
   6000 Blackwell GPU "must use a minimum of 20 CPU and 80 GiB of memory" (cloud.google.com/run/
   docs/configuring/services/gpu, jobs/gpu, workerpools/gpu): reading such a live service raises
   ValueError out of the catalogue (drift/fields/catalogue.py:69 `_default_concurrency` ->
   parse_cpu of the raw "20" that `access.quantity` kept), so a whole `drift check` ends in
   "internal error"; a profile cannot state the service's own cpu/memory either.
2. fixsigint: after a double Ctrl-C the process keeps asyncio.Runner's stale SIGINT handler.
3. 9d90436: a DRIFT_JOURNAL_DIR through a file refuses commands that never use the journal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cliutil import drift, python_code

ROOT = Path(__file__).resolve().parents[1]
# A run whose work goes on after a first Ctrl-C and is ended by a second one that escapes the
# loop (revown28 F2); then which SIGINT handler the process is left with.
STALE_HANDLER = """
import asyncio, os, signal, threading
from drift.cli.loop import run
from drift.errors import Interrupted

# Ctrl-C as from a terminal: a background job's children inherit an ignored SIGINT
signal.signal(signal.SIGINT, signal.default_int_handler)

async def work():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(30)
    except asyncio.CancelledError:  # not taken back (no uncancel): the work goes on
        # the second Ctrl-C while the loop waits, not in the task's own code
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        await asyncio.sleep(30)

try:
    run(work())
except Interrupted as exc:
    print("Interrupted:", int(exc.exit_code))
print("default:", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def _gpu_service() -> tuple[object, object]:
    from google.cloud import run_v2

    limits = {"cpu": "20", "memory": "80Gi", "nvidia.com/gpu": "1"}
    container = run_v2.Container(image="x", resources=run_v2.ResourceRequirements(limits=limits))
    service = run_v2.Service(
        name="projects/p/locations/us-central1/services/gpu",
        template=run_v2.RevisionTemplate(containers=[container]),
    )
    return service, service.template


def test_a_live_rtx_pro_6000_service_is_read() -> None:
    from drift.live.normalize import revision_config

    service, template = _gpu_service()
    config = revision_config(template, service=service, container=None)  # main: ValueError
    assert config.settings["cpu"] == "20000m"
    assert config.settings["memory"] == str(80 * 2**30)


@pytest.mark.parametrize(("parse", "value"), [("parse_cpu", "20"), ("parse_memory", "80Gi")])
def test_a_profile_can_state_an_rtx_pro_6000_service(parse: str, value: str) -> None:
    import drift.units

    getattr(drift.units, parse)(value)  # main: "too large a ... quantity"


def test_python_ctrl_c_handler_is_back_after_a_double_ctrl_c() -> None:
    # a process of its own, forked from the zygote (`python_code`): its subject is the end of
    # a run, not what an interpreter does as it starts
    done = python_code(STALE_HANDLER, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert "Interrupted: 3" in done.stdout, done.stdout + done.stderr
    assert "default: True" in done.stdout, done.stdout  # main: Runner._on_sigint left behind


@pytest.mark.parametrize("command", [["profiles", "validate"], ["compare", "dev", "e2e"]])
def test_a_journal_setting_does_not_stop_commands_without_a_journal(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "profiles").mkdir()
    for env in ("dev", "e2e"):  # two environments: one named twice is refused (revcmp89 F1)
        (tmp_path / "profiles" / f"{env}.yaml").write_text(
            f"project: p-{env}\nregion: us-central1\nservices:\n  api:\n    env:\n      A: '1'\n"
        )
    (tmp_path / "afile").write_text("")
    env = {
        "DRIFT_PROFILES_DIR": str(tmp_path / "profiles"),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "afile" / "j"),
    }
    done = drift(*command, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr  # main: 2, "afile is a file"
