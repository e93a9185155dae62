"""A rollback that ended (not stopped) with its write not read back keeps its lock on purpose:
`drift check`'s note says it did not finish, its outcome not known, never that it "was
stopped before it finished" (helper-827 R3)."""

from __future__ import annotations

from pathlib import Path

import pytest

import drift.fix.restore
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import ScriptedUI, after_each_write, entries, fix, lab_here, rollback
from tests.fix.sidecar_lab import profile, run, world
from tests.fix.test_landed_before import FIRST

GET = {"service": "GetService", "job": "GetJob"}


@pytest.mark.parametrize("kind", ["service", "job"])
def test_rollback_not_read_back_then_check(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    reseedable.reset(world(kind))
    text = profile("", kind, FIRST)
    folder = lab_here(reseedable, tmp_path, monkeypatch, text)
    done = fix(
        tmp_path, reseedable.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder
    )
    assert done.change_id is not None, done.summary()
    with monkeypatch.context() as m:
        for module in (drift.fix.restore, drift.fix.workload_restore):
            after_each_write(
                m, module, lambda r: reseedable.inject(Fault(GET[kind], "PERMISSION_DENIED"))
            )
        undone = rollback(tmp_path)
    reseedable.clear_faults()
    assert undone.exit_code is ExitCode.INCOMPLETE
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLING_BACK
    checked = run(reseedable, tmp_path, text, "check", "lab")
    said = checked.stdout + checked.stderr
    assert "was stopped" not in said, said
    assert "did not finish: its outcome is not known" in said, said
