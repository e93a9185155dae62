"""`drift rollback A` where the journal's entry of the same service of a later change B cannot
be read (cut short, written by a newer drift): B may be drift's own later change, which is
what changed the service since A. The refusal names B and how to learn why (`drift rollback
B`), not only "their change" with `--force` as the way on (helper-742). A file's name holds no
project nor region: an entry named by its file alone is said to be perhaps another project's;
one whose JSON names another project's service of the same name is not named (helper-747 F3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.errors import ExitCode
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, journal, lab_world, rollback, updates
from tests.fix.test_rollback_later_changes import _env, _two_fixes


def _cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _newer(path: Path) -> None:  # a field this drift does not know
    path.write_text(json.dumps({**json.loads(path.read_text()), "written_by_later": 1}))


def _elsewhere(path: Path) -> None:  # a newer drift's entry of another project's `app`
    data = json.loads(path.read_text())
    full_name = data["full_name"].replace(f"projects/{data['project']}/", "projects/other-proj/")
    path.write_text(json.dumps({**data, "full_name": full_name, "written_by_later": 1}))


@pytest.mark.parametrize("damage", [_cut, _newer], ids=["cut-short", "newer-drift"])
def test_an_unreadable_later_entry_of_the_service_is_named_in_the_refusal(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    damage(journal(tmp_path).directory / f"{b}--service--app.json")  # type: ignore[operator]
    writes, env = len(updates(sandbox)), _env(sandbox)
    rolled = rollback(tmp_path, change_id=a)
    text = rolled.summary()
    assert rolled.exit_code is ExitCode.ABORTED, text
    assert f"the journal holds an entry of app of a later change, {b}, that this drift" in text
    assert f"roll it back first (`drift rollback {b}` says why it cannot be read)" in text, text
    maybe = "the file names app alone: it may be of another project's or region's app"
    assert (maybe in text) is (damage is _cut), text  # a newer drift's names fix-lab's app
    assert len(updates(sandbox)) == writes and _env(sandbox) == env  # nothing written


def test_a_newer_drifts_entry_of_another_projects_service_is_not_named(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    _elsewhere(journal(tmp_path).directory / f"{b}--service--app.json")
    writes = len(updates(sandbox))
    rolled = rollback(tmp_path, change_id=a)
    text = rolled.summary()
    assert rolled.exit_code is ExitCode.ABORTED, text  # changed since, as far as it can tell
    assert "app was changed since drift's last write of change" in text, text
    assert b not in text and "cannot read" not in text, text
    assert len(updates(sandbox)) == writes
