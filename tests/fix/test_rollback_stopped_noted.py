"""A rollback killed once its restoration was sent (kill -9, the lock left as it leaves it, the
journal still `rolling-back`): every later `drift fix` of that workload is refused until
`drift rollback CHANGE` finishes it (SPEC invariant 11), so `drift check` says so, as it says
of a fix stopped mid-write (helper-601 F1) — it said nothing, "no drift" beside a lock that
refuses the next fix (helper-711)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.lock
import drift.fix.restore
import drift.fix.restored
import drift.fix.workload_restore
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import ScriptedUI, after_each_write, entries, fix, lab_here, rollback
from tests.fix.sidecar_lab import profile, run, world
from tests.fix.test_landed_before import FIRST, Killed
from tests.fix.test_lock import as_killed


def fixed_in_lab(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> str:
    """A `kind` of the sidecar lab fixed (`drift fix --yes`): its profile's text."""
    reseedable.reset(world(kind))
    text = profile("", kind, FIRST)
    folder = lab_here(reseedable, tmp_path, monkeypatch, text)
    done = fix(
        tmp_path, reseedable.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder
    )
    assert done.change_id is not None, done.summary()
    return text


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_rollback_killed_mid_write_is_said_by_check(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    text = fixed_in_lab(reseedable, tmp_path, monkeypatch, kind)

    def die(request: Any) -> None:
        raise Killed()

    with monkeypatch.context() as m:
        for module in (drift.fix.restore, drift.fix.restored, drift.fix.workload_restore):
            after_each_write(m, module, die)  # the restoration sent, its answer never read
        m.setattr(drift.fix.lock.Locks, "release", lambda self: None)  # kill -9 frees nothing
        with pytest.raises(Killed):
            rollback(tmp_path)
    as_killed(tmp_path / ".drift" / "journal" / "locks")
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLING_BACK

    checked = run(reseedable, tmp_path, text, "check", "lab")
    said = checked.stdout + checked.stderr
    assert (
        f"the rollback of change {entry.change_id} did not finish: its outcome is not known" in said
    ), said
    assert f"`drift rollback {entry.change_id}` finishes it" in said, said
    refused = run(reseedable, tmp_path, text, "fix", "lab", "--yes")
    assert refused.returncode == 4, refused.stdout + refused.stderr  # as the note says


GET = {"service": "GetService", "job": "GetJob"}


@pytest.mark.parametrize("kind", ["service", "job"])
def test_a_rollback_not_read_back_is_said_by_check_as_not_known(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A rollback that ended (not stopped) with its write not read back keeps its lock on
    purpose: the note says it did not finish, its outcome not known, never that it "was
    stopped before it finished" (helper-827 R3)."""
    text = fixed_in_lab(reseedable, tmp_path, monkeypatch, kind)
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
