"""A fix that stops after it changed earlier services is partial, and says so: per service
what was applied and what was not, the re-check run, and its exit code (1: the service that
stopped still drifts) — never 4, which says nothing was changed."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import State
from drift.profiles.loader import load_profile
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    TODAY,
    ScriptedUI,
    assert_serves_as_before,
    entries,
    env_by_name,
    lab_world,
    lab_written,
    settings,
)


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["no", "ctrl-c"])
def test_a_service_declined_after_another_was_promoted(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool | KeyboardInterrupt,
) -> None:
    """ "n" at bpp's promotion prompt, or Ctrl-C there (SPEC invariant 9: an abort like a
    "no"; revtty 2: it used to exit 4, "interrupted: ... nothing is left to roll back", with
    no word of app's traffic having moved): app stays promoted and says so, bpp is cleaned
    up, the re-check runs, exit 1, and `drift rollback CHANGE` is named."""
    world = lab_world()
    services = world["projects"][LAB]["services"]
    services["bpp"] = copy.deepcopy(services["app"])
    sandbox = make_sandbox(world)
    folder = lab_written(
        sandbox,
        tmp_path,
        monkeypatch,
        f"project: {LAB}\nregion: us-central1\ndefaults:\n  env:\n    MODE: live\n"
        "    DEBUG: {forbidden: true}\nservices:\n  app: {}\n  bpp: {}\n",
    )
    bpp_before = sandbox.service(LAB, "bpp")
    ui = ScriptedUI([True, True, answer])  # deploy both canaries: promote app, not bpp
    profile = load_profile(folder, "lab")
    result = asyncio.run(
        run_fix(
            profile, settings(tmp_path), ui, FixOptions(), environ=sandbox.environ(), today=TODAY
        )
    )
    assert result.exit_code is ExitCode.DRIFT, result.summary()
    assert result.recheck is not None
    assert {f.service for f in result.recheck.findings} == {"bpp"}  # app is fixed
    assert "partial fix: app: promoted; bpp: aborted, cleaned up" in result.summary()
    assert "app: traffic moved to" in result.summary()
    assert f"`drift rollback {result.change_id}` undoes it" in result.summary()
    assert "MODE" in env_by_name(sandbox.service(LAB, "app"))  # app stays fixed
    assert_serves_as_before(sandbox, LAB, "bpp", bpp_before, result.outcomes[1].canary)
    assert [(e.service, e.state) for e in entries(tmp_path)] == [
        ("app", State.PROMOTED),
        ("bpp", State.CLEANED_UP),
    ]
