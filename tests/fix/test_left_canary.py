"""A canary a fix left behind (the fix was killed, or stopped before its promotion): what
check, plan and fix advise about it. Never `--to-latest` — that would send all traffic to a
revision nothing proved — but `drift rollback` of its change, which removes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.errors import Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, assert_serves_as_before, entries


def killed_once_the_canary_is_deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fix stops (as if killed) once its canary write has landed, before it reads it."""
    real = drift.fix.canary.update_service

    async def update_service(session: Any, request: Any, **kw: Any) -> Any:
        await real(session, request, **kw)
        raise KeyboardInterrupt

    monkeypatch.setattr(drift.fix.canary, "update_service", update_service)


def test_a_canary_left_is_advised_away_with_drift_rollback(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    with monkeypatch.context() as patched:
        killed_once_the_canary_is_deployed(patched)
        with pytest.raises(Interrupted):
            lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    (entry,) = entries(tmp_path)
    assert entry.state == State.CANARY_DEPLOYING
    assert sandbox.service(LAB, "app").template.revision == entry.canary_revision
    done = lab.lab_cli(sandbox, tmp_path, "plan", "lab")
    text = done.stdout + done.stderr
    assert "--to-latest" not in text, text
    assert f"{entry.canary_revision} is drift's canary of change {entry.change_id}" in text, text
    assert f"drift rollback {entry.change_id}" in text
    assert lab.rollback(tmp_path, change_id=entry.change_id).exit_code == 0
    assert_serves_as_before(sandbox, LAB, "app", before, entry.canary_revision)
