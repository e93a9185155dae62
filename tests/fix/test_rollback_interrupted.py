"""Ctrl-C (or SIGTERM, handed on as Ctrl-C: `drift.cli.signals`) once a rollback's write was
sent keeps the service's lock, as an interrupted fix keeps it (SPEC invariant 11,
`drift.fix.interrupt`): the journal says rolling-back, the next `drift fix` on the service is
refused naming the change, and the one line says how to finish. Before the write nothing is
kept (tests/fix/test_rollback.py: a declined or interrupted prompt changes nothing). The
finish by a later process is tests/reliability/test_interruption.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    ctrl_c_behind,
    entries,
    lab_fix,
    lab_world,
    pair_fix,
    rollback,
)
from tests.fix.test_lock import as_killed


def test_a_rollback_interrupted_after_its_write_keeps_the_lock(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import drift.fix.restore

    sandbox = make_sandbox(lab_world())
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()

    async def ctrl_c(*args: object, **kw: object) -> object:
        raise KeyboardInterrupt  # the write was sent; its outcome not yet read

    with monkeypatch.context() as m:
        m.setattr(drift.fix.restore, "settled", ctrl_c)
        with pytest.raises(Interrupted) as caught:
            rollback(tmp_path)
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLING_BACK
    (lock,) = (tmp_path / ".drift" / "journal" / "locks").glob("*--services--*.lock")
    message = caught.value.message
    assert caught.value.exit_code is ExitCode.ABORTED
    sent = "the rollback of app was sent (the journal says rolling-back)"
    assert f"{sent}, so drift keeps its lock {lock}" in message, message
    assert f"run `drift rollback {entry.change_id}` again to finish it" in message
    # the lock kept is a stopped command's, as the process that ends leaves it: refused
    refused = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert refused.exit_code is ExitCode.ABORTED
    assert f"change {entry.change_id} (rollback, pid" in refused.message, refused.message
    assert "stopped mid-change, or ended with its outcome not known" in refused.message
    assert f"`drift rollback {entry.change_id}`" in refused.message


@pytest.mark.parametrize("answer", [True, None], ids=["at the prompt", "--yes"])
def test_ctrl_c_names_a_service_restored_behind_one_in_flight(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool | None,
) -> None:
    """aaa's read (after the prompt) or deploy (`--yes`) is slow; bbb's restoration lands,
    then Ctrl-C: its outcome waited behind aaa's in the change's order, and the one line
    said "nothing was changed" (or named aaa only). It says bbb was restored."""
    _, change, _ = pair_fix(make_sandbox, tmp_path, monkeypatch)
    ui = ScriptedUI([answer] if answer else [])
    with monkeypatch.context() as m:
        ctrl_c_behind(m, tmp_path, "get_service" if answer else "update_workload", change)
        with pytest.raises(Interrupted) as caught:
            rollback(tmp_path, ui, change_id=change)
    states = {e.service: e.state for e in entries(tmp_path)}
    assert states["bbb"] == State.ROLLED_BACK, states
    said = caught.value.message
    assert caught.value.exit_code is ExitCode.ABORTED
    assert "nothing was changed" not in said, said
    assert said.startswith("interrupted: restored bbb"), said


def test_a_killed_rollback_s_lock_on_a_service_it_restored_is_not_said_to_have_written_nothing(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rollback killed (kill -9) once bbb was restored and aaa's write was in flight: both
    locks stay. The next `drift rollback CHANGE` removes bbb's, where nothing of it is
    pending — and said "it wrote nothing to bbb", which it had (its restoration)."""
    _, change, _ = pair_fix(make_sandbox, tmp_path, monkeypatch)
    with monkeypatch.context() as m:
        ctrl_c_behind(m, tmp_path, "update_workload", change)
        with pytest.raises(Interrupted):
            rollback(tmp_path, change_id=change)
    locks = tmp_path / ".drift" / "journal" / "locks"
    (kept,) = locks.glob("*--services--aaa.lock")
    body = json.loads(kept.read_text())
    if "service" in body:
        body["service"] = "bbb"
    kept.with_name(kept.name.replace("--aaa.lock", "--bbb.lock")).write_text(json.dumps(body))
    as_killed(locks)
    ui = ScriptedUI()
    finished = rollback(tmp_path, ui, change_id=change)
    assert finished.exit_code is ExitCode.OK and finished.restored == ["aaa"], finished.summary()
    (said,) = [line for line in ui.said if line.startswith("bbb: removed the lock")]
    assert f"left by change {change} (rollback, pid" in said, said
    assert "the journal says bbb is rolled-back: nothing of it is pending" in said, said
    assert "wrote nothing" not in said, said
    assert not list(locks.glob("*.lock"))


def test_a_rollback_run_again_after_its_write_landed_says_nothing_is_written(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rollback cut after its write was sent, which landed: the journal says rolling-back,
    the service serves what served before. Run again, it previewed "afterwards: a new revision
    is created … the new revision" and asked to confirm a redeploy it then did not make
    (revkill60 F1): it says nothing is written, and asks nothing."""
    import drift.fix.restore

    sandbox = make_sandbox(lab_world())
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()

    async def ctrl_c(*args: object, **kw: object) -> object:
        raise KeyboardInterrupt  # the write was sent (and lands); its outcome not yet read

    with monkeypatch.context() as m:
        m.setattr(drift.fix.restore, "settled", ctrl_c)
        with pytest.raises(Interrupted):
            rollback(tmp_path)
    as_killed(tmp_path / ".drift" / "journal" / "locks")
    served = sandbox.service(LAB, "app").latest_ready_revision
    ui = ScriptedUI([False])  # a prompt, were one asked, declined
    again = rollback(tmp_path, ui)
    said = "\n".join(ui.said)
    assert not ui.questions, ui.questions
    assert again.exit_code is ExitCode.OK, again.summary()
    assert "afterwards: nothing is written: what served before the change serves already" in said
    assert "new revision" not in said, said
    # nor "app: restored" / "rollback of CHANGE: restored app" for it (helper-742 F3)
    assert again.restored == [] and again.as_before == ["app"], again.summary()
    assert "already as before (nothing written): app" in again.summary(), again.summary()
    assert "app: already serves what served before: nothing was written (what serves: " in said
    assert sandbox.service(LAB, "app").latest_ready_revision == served  # nothing written
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK
