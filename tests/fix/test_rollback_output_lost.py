"""A rollback whose output breaks (`drift rollback --force | head`, a CI log collector that
dies) at its 'restored' line: the write landed, so the journal must already say so — of the
change rolled back and of drift's later changes its write undid. Otherwise `--list` shows the
later change live, a plain `drift rollback` takes it, and `--force` (the way out it offers)
re-applies the older fix (what drift/fix/since.py exists to prevent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import DriftError, ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries, fix, lab_world, rollback
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


def test_output_breaking_mid_rollback_stops_there_and_says_where_each_stands(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """A change of two services rolled back one at a time (concurrency 1): the output breaks
    at the first 'restored' line. No restoration starts after that (one already sent
    finishes: it is never left mid-write); one line says what was restored and what was not,
    as the journal records it, exit 4 (an abort), never 2 ("bad input": nothing done)."""
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web", "api"])
    assert result.change_id
    with pytest.raises(DriftError) as raised:
        rollback(tmp_path, Breaks(at=": restored (", lost=True), concurrency=1)
    states = {e.service: e.state for e in entries(tmp_path)}
    restored = [s for s, state in states.items() if state == State.ROLLED_BACK]
    left = [s for s, state in states.items() if state == State.PROMOTED]
    assert restored and sorted(restored + left) == ["api", "web"], states
    said = raised.value.message
    assert raised.value.exit_code is ExitCode.ABORTED, said
    assert f"restored: {', '.join(restored)}" in said, said
    if left:
        assert f"not rolled back: {left[0]}" in said, said
        assert f"drift rollback {result.change_id}" in said
    # what was left is rolled back by the command the line gives
    done = rollback(tmp_path, change_id=result.change_id)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert {e.state for e in entries(tmp_path)} == {State.ROLLED_BACK}


def test_output_breaking_mid_concurrent_rollback_names_every_restoration_already_sent(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """Rolled back concurrently (the default), both restorations are sent before the first
    'restored' line breaks the output: the other finishes (it is never left mid-write), is
    recorded in the journal, and the one line names both as restored, exit 4."""
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web", "api"])
    assert result.change_id
    with pytest.raises(DriftError) as raised:
        rollback(tmp_path, Breaks(at=": restored (", lost=True))
    assert {e.state for e in entries(tmp_path)} == {State.ROLLED_BACK}
    said = raised.value.message
    assert raised.value.exit_code is ExitCode.ABORTED, said
    assert "restored: " in said and "web" in said and "api" in said, said
    assert "not rolled back" not in said, said
