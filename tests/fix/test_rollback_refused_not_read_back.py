"""A rollback's write refused on every attempt (nothing written), the workload then not
readable: the rollback failed as refused (the entry keeps its state, the lock freed), never
"may have landed" (helper-827 R1; `restored.unwritten`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.restore
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import entries, rollback
from tests.fix.test_rollback_stopped_noted import fixed_in_lab

KIND = {"service": "Service", "job": "Job"}


def refused_then_unreadable(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, kind: str) -> None:
    """Each restoring write refused (INVALID_ARGUMENT), and every read after it denied."""
    for module in (drift.fix.restore, drift.fix.workload_restore):
        real = module.update_workload

        async def update_workload(*args: Any, _real: Any = real, **kw: Any) -> Any:
            sandbox.inject(Fault(f"Update{KIND[kind]}", "INVALID_ARGUMENT"))
            sandbox.inject(Fault(f"Get{KIND[kind]}", "PERMISSION_DENIED"))
            return await _real(*args, **kw)

        monkeypatch.setattr(module, "update_workload", update_workload)


@pytest.mark.parametrize("kind", ["service", "job"])
def test_rollback_refused_not_read_back(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    fixed_in_lab(reseedable, tmp_path, monkeypatch, kind)
    (was,) = entries(tmp_path)
    with monkeypatch.context() as m:
        refused_then_unreadable(m, reseedable, kind)
        undone = rollback(tmp_path)
    reseedable.clear_faults()
    said = " ".join(undone.summary().split())
    (entry,) = entries(tmp_path)
    assert "may have landed" not in said, said
    assert "not rolled back" in said and "nothing was written" in said, said
    assert undone.exit_code is ExitCode.ABORTED, said
    assert entry.state == was.state  # as it was: nothing written
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*.lock")), said
