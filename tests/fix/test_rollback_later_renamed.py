"""`drift rollback A` where drift's later change B of the same service is in an entry file
renamed by hand (its checksum file with it): `rollback CHANGE` reads the change's workloads'
files by their names (`drift.fix.journalview.change_and_workloads`), so B went unread — the
refusal took B for someone else's change ("rolling back would undo what of their change …;
`drift rollback --force` restores anyway"), and the forced rollback left B recorded as live
(`rollback --list`: promoted). Once the service is found changed since with no later change
of drift's among those files, every file is read by what it holds (helper-742 F2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries, journal, lab_world, rollback
from tests.fix.test_rollback_later_changes import _env, _two_fixes


def test_a_later_change_in_a_renamed_file_is_drift_s_own(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    directory = journal(tmp_path).directory
    for path in directory.glob(f"{b}--*"):  # the entry and its checksum, renamed alike
        path.rename(directory / path.name.replace("--app.json", "--app-kept.json"))
    refused = rollback(tmp_path, change_id=a)
    text = refused.summary()
    assert refused.exit_code is ExitCode.ABORTED, text
    assert f"by drift's own later change {b} (promoted), recorded in this journal" in text, text
    assert "their change" not in text, text
    forced = rollback(tmp_path, ScriptedUI([True]), change_id=a, force=True)
    assert forced.exit_code is ExitCode.OK, forced.summary()
    states = {e.change_id: (e.state, e.undone_by) for e in entries(tmp_path)}
    assert states == {a: (State.ROLLED_BACK, ""), b: (State.ROLLED_BACK, a)}, states
    assert (directory / f"{b}--service--app-kept.json").is_file()  # recorded where it is
    assert _env(sandbox) == {"DEBUG": "true"}
