"""PERMISSION_DENIED on a write past the canary's — the promotion, its cleanup, a rollback —
names the role the caller needs, as the canary's write does (one hint,
`drift.next_steps.next_steps`), and a rollback whose write was refused (nothing written) is not
journaled as a failed rollback that changed something."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox.faults import Fault
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries

DENIED = (
    "Permission 'run.services.update' denied on resource "
    "'projects/fix-lab/locations/us-central1/services/app' (or resource may not exist)."
)


def test_a_promotion_refused_for_permission_names_the_role(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def on_confirm(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", message=DENIED))

    ui = ScriptedUI([True, True], on_confirm=on_confirm)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    (outcome,) = result.outcomes
    assert lab.serving(sandbox.service(LAB, "app")) == {("app-00001-goj", 100)}  # nothing moved
    assert "roles/run.developer" in outcome.message, outcome.message
    assert outcome.message.count("roles/run.developer") == 1, outcome.message


def test_a_rollback_refused_for_permission_names_the_role(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED", message=DENIED))
    done = lab.lab_cli(sandbox, tmp_path, "rollback", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.ABORTED, said
    assert "roles/run.developer" in said, said
    assert "nothing was written" in said, said
    (entry,) = entries(tmp_path)
    assert entry.state != State.ROLLBACK_FAILED, entry.history[-1]
    assert entry.writes[-1]["landed"] is False, entry.writes[-1]
