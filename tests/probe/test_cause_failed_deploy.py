"""A latest deploy that failed serves nothing: it never saw the socket the probe opened, so it
is no suspect for a 1011 from the revision that serves (helper-603 F1)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.causes import NOT_CONFIGURATION
from drift.check import run_check
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox

TEMPLATE = {"image": "x/api:1", "env": {"A": "1"}}


def _world(deploying: bool, drifted: bool) -> dict[str, Any]:
    api: dict[str, Any] = {
        "template": {**TEMPLATE, "env": {"A": "2" if drifted else "1"}},
        # the backend closes 1011 for want of a variable no rule governs (a database down)
        "backend": {"path": "/ws", "require": ["DB_URL"]},
    }
    if deploying:
        api["deploying"] = {
            "template": {**TEMPLATE, "image": "x/api:2"},
            "outcome": "failed",
            "message": "container failed to start: exec format error",
            "settles_in": "0s",
        }
    return {"projects": {"p": {"number": 5, "region": "us-central1", "services": {"api": api}}}}


@pytest.mark.parametrize("drifted", [False, True], ids=["clean", "drifted"])
def test_a_failed_deploy_is_no_suspect_for_what_serves(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, drifted: bool
) -> None:
    sandbox = make_sandbox(_world(deploying=True, drifted=drifted))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "lab.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env: {A: '1'}\n"
        "    probe: {websocket: /ws, hold: 1s, timeout: 5s}\n"
    )
    profile = load_profile(tmp_path, "lab")
    report = asyncio.run(run_check(profile, load_settings(wait=0), probe=True)).report
    rollout = [f for f in report.findings if f.rule == "revision.rollout"]
    assert rollout and rollout[0].target.startswith("revision.api-00002")  # reported, as ever
    [probe] = report.probes
    assert probe.outcome.value == "close_1011"
    assert probe.revision is not None and probe.revision.startswith("api-00001")
    if drifted:  # what serves has drifted: that is the suspect, the failed deploy is not
        [value] = [f for f in report.findings if f.rule == "env.value"]
        assert probe.suspected_causes == (value.id,)
    else:
        assert probe.suspected_causes == ()
        assert probe.detail.endswith(NOT_CONFIGURATION)
