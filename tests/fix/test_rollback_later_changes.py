"""`drift rollback` of a change drift made again on top of (SPEC invariant 10 refuses a change
*someone else* changed since): drift's own later changes of the service, recorded in the same
journal, are named by id with the way out (roll them back first); one that put back what it
found (declined at promotion and cleaned up, or rolled back) leaves nothing live and does not
block; and a forced rollback that undoes a later change records it as rolled back by the
rollback, so that `--list` and a later plain `drift rollback` never take it for live (nor
re-apply the older fix, whose "after" is its "before")."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    config,
    ctrl_c_behind,
    entries,
    fix,
    lab_cli,
    lab_fix,
    lab_profiles,
    lab_world,
    pair_fix,
    rollback,
    updates,
)


def _two_fixes(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: ScriptedUI
) -> tuple[str, str]:
    """Fix A (promoted); then the profile asks for one more variable and fix B runs on the
    same service with the answers `second`. The change ids (A, B)."""
    a = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert a.exit_code is ExitCode.OK, a.summary()
    profile = lab_profiles(tmp_path) / "lab.yaml"
    profile.write_text(profile.read_text() + "      LEVEL: info\n")
    b = fix(tmp_path, sandbox.environ(), second, FixOptions(), None, "lab", profile.parent)
    assert a.change_id and b.change_id
    return a.change_id, b.change_id


def _env(sandbox: Sandbox) -> dict[str, str]:
    return {c.name: c.value for c in sandbox.service(LAB, "app").template.containers[0].env}


def test_a_later_change_drift_cleaned_up_does_not_block_the_older_rollback(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B declined at promotion and cleaned up: two writes since A (generation +2), both
    drift's, and what serves is what A left. Rollback of A goes ahead and says why."""
    sandbox = make_sandbox(lab_world())
    served = sandbox.service(LAB, "app")
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, False]))
    assert {e.change_id: e.state for e in entries(tmp_path)} == {
        a: State.PROMOTED,
        b: State.CLEANED_UP,
    }
    ui = ScriptedUI([True])
    rolled = rollback(tmp_path, ui, change_id=a)
    said = "\n".join(ui.said)
    assert rolled.exit_code is ExitCode.OK and rolled.restored == ["app"], rolled.summary()
    assert f"drift's own later change {b} (cleaned-up) wrote since" in said, said
    assert f"nothing of it is live, app is as change {a} left it" in said, said
    latest = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    first = served.latest_ready_revision.rsplit("/", 1)[-1]
    assert config(sandbox.revision(LAB, "app", latest)) == config(
        sandbox.revision(LAB, "app", first)
    )


def test_a_later_change_drift_rolled_back_does_not_block_the_older_rollback(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B promoted, then rolled back (newest first, as the refusal says): A's rollback goes on."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    assert rollback(tmp_path, change_id=b).exit_code is ExitCode.OK
    rolled = rollback(tmp_path, change_id=a)
    assert rolled.exit_code is ExitCode.OK and rolled.restored == ["app"], rolled.summary()
    assert _env(sandbox) == {"DEBUG": "true"}


def test_a_later_change_drift_promoted_is_named_with_the_way_out(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B promoted: rollback of A is refused, nothing written, naming B and `drift rollback B`
    first — not someone else's change."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    writes = len(updates(sandbox))
    rolled = rollback(tmp_path, change_id=a)
    text = rolled.summary()
    assert rolled.exit_code is ExitCode.ABORTED, text
    assert f"by drift's own later change {b} (promoted), recorded in this journal" in text
    assert f"roll that back first (`drift rollback {b}`), then this one" in text
    assert "last modified by" not in text and "undo their change" not in text
    assert len(updates(sandbox)) == writes


def test_a_forced_rollback_records_the_later_change_it_undid(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback A --force` undoes B too (the prompt says so); the journal then lists B
    as rolled back by A's rollback, and a plain `drift rollback` finds nothing left — it
    used to take B as live and, forced, re-apply A's fix."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    ui = ScriptedUI([True])
    forced = rollback(tmp_path, ui, change_id=a, force=True)
    assert forced.exit_code is ExitCode.OK, forced.summary()
    said = "\n".join(ui.said)
    assert f"it undoes drift's later change {b} (promoted) too" in said, said
    assert f"drift's later change {b}, undone too, is recorded as rolled back" in forced.summary()
    states = {e.change_id: (e.state, e.undone_by) for e in entries(tmp_path)}
    assert states == {a: (State.ROLLED_BACK, ""), b: (State.ROLLED_BACK, a)}, states
    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    assert f"rolled-back (by the rollback of {a})" in listed.stdout, listed.stdout
    writes = len(updates(sandbox))
    for force in (False, True):
        again = rollback(tmp_path, force=force)
        assert again.exit_code is ExitCode.OK and again.restored == [], again.summary()
        assert f"change {b}: nothing left to roll back" in again.summary()
    assert len(updates(sandbox)) == writes
    assert _env(sandbox) == {"DEBUG": "true"}  # as before A: A's fix is not applied again


def test_an_interrupted_forced_rollback_records_the_later_change_it_undid_at_once(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A on aaa and bbb, then B on bbb; `drift rollback A --force` is interrupted (Ctrl-C, or
    a kill -9: the journal is the same) while aaa's deploy is in flight and bbb's has landed.
    bbb's write undid B: the journal records it then, not once aaa's outcome is said — else
    B stayed recorded live, and the next `drift rollback` refused it as changed since, whose
    `--force` put back what B found: A's fix, just rolled back."""
    sandbox, a, folder = pair_fix(make_sandbox, tmp_path, monkeypatch)
    (folder / "lab.yaml").write_text((folder / "lab.yaml").read_text() + "      LEVEL: info\n")
    b = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), ["bbb"], "lab", folder)
    assert b.exit_code is ExitCode.OK and b.change_id, b.summary()
    with monkeypatch.context() as m:
        ctrl_c_behind(m, tmp_path, "update_workload", a)
        with pytest.raises(Interrupted):
            rollback(tmp_path, change_id=a, force=True)
    states = {(e.change_id, e.service): (e.state, e.undone_by) for e in entries(tmp_path)}
    assert states[(a, "bbb")] == (State.ROLLED_BACK, ""), states
    assert states[(b.change_id, "bbb")] == (State.ROLLED_BACK, a), states
    for force in (False, True):  # never B's rollback, which would re-apply A's fix on bbb
        again = rollback(tmp_path, force=force)
        assert again.restored == [], again.summary()
    bbb = sandbox.service(LAB, "bbb").template.containers[0].env
    assert {c.name: c.value for c in bbb} == {"DEBUG": "true"}
