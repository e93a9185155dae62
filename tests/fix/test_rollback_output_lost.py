"""A rollback whose output breaks (`drift rollback --force | head`, a CI log collector that
dies) at its 'restored' line: the write landed, so the journal must already say so — of the
change rolled back and of drift's later changes its write undid. Otherwise `--list` shows the
later change live, a plain `drift rollback` takes it, and `--force` (the way out it offers)
re-applies the older fix (what drift/fix/since.py exists to prevent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import DriftError
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries, lab_world, rollback
from tests.fix.test_output_lost import Breaks
from tests.fix.test_rollback_later_changes import _env, _two_fixes


def test_output_breaking_at_a_forced_rollback_still_records_the_later_change_it_undid(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As test_rollback_later_changes.test_a_forced_rollback_records_the_later_change_it_undid,
    with the output breaking at A's 'restored' line."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    ui = Breaks(at=": restored (", lost=True)
    with pytest.raises(DriftError):
        rollback(tmp_path, ui, change_id=a, force=True)
    states = {e.change_id: (e.state, e.undone_by) for e in entries(tmp_path)}
    assert _env(sandbox) == {"DEBUG": "true"}  # A's rollback was written: B is not live
    assert states[b] == (State.ROLLED_BACK, a), f"journal after the write: {states}"


def test_after_that_broken_output_no_rollback_applies_the_older_fix_again(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What follows: nothing is left to roll back, and A's fix is never applied again."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    with pytest.raises(DriftError):
        rollback(tmp_path, Breaks(at=": restored (", lost=True), change_id=a, force=True)
    assert _env(sandbox) == {"DEBUG": "true"}
    plain = rollback(tmp_path)
    forced = rollback(tmp_path, force=True)
    assert _env(sandbox) == {"DEBUG": "true"}, (
        f"plain rollback: {plain.summary()!r}; forced: {forced.summary()!r}; "
        f"live env now {_env(sandbox)} (A's fix applied again)"
    )
