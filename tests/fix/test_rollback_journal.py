"""`drift rollback` and the journal it reads: a change asked for that the journal does not
hold — or no journal where drift looked — is exit 2 naming the directory searched and how to
point at another, never "nothing to roll back" (the change may be live); a journal that
cannot record a restoration before its write stops the rollback, naming the workloads it did
not start."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, JournalError, UsageError
from drift.fix.journal import Journal, State
from drift.fix.rollback import RollbackResult, run_rollback
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries, pair_fix, rollback

CHANGE = "20261201-101500-ab12"


def _rollback(journal: Path, change: str | None) -> RollbackResult:
    settings = load_settings(journal_dir=journal)
    return asyncio.run(run_rollback(settings, ScriptedUI(), change, yes=True))


@pytest.mark.parametrize("exists", [False, True], ids=["no journal", "empty journal"])
@pytest.mark.parametrize("change", [CHANGE, None], ids=["by id", "latest"])
def test_a_change_not_found_is_a_usage_error(
    tmp_path: Path, exists: bool, change: str | None
) -> None:
    journal = tmp_path / "elsewhere" / ".drift" / "journal"
    if exists:
        journal.mkdir(parents=True)
    if exists and change is None:  # a journal with nothing in it: truly nothing to do
        done = _rollback(journal, change)
        assert done.exit_code == ExitCode.OK and "nothing to roll back" in done.summary()
        return
    with pytest.raises(UsageError) as caught:
        _rollback(journal, change)
    message, hint = caught.value.message, caught.value.hint or ""
    assert str(journal) in message and "--journal DIR" in hint and "--profiles" in hint
    assert (CHANGE in message) == (change is not None)


def test_a_journal_error_names_the_workloads_not_rolled_back(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One at a time (`concurrency` 1), the journal cannot record aaa's restoration before
    its write (a full disk): nothing is written to aaa and bbb is not started. bbb, as the
    change left it, is named with the way to finish — it was left out of the summary."""
    _, change, _ = pair_fix(make_sandbox, tmp_path, monkeypatch)
    real = Journal.begin

    def full(self: Journal, entry: Any, *args: Any, **kw: Any) -> None:
        if entry.service == "aaa":
            raise JournalError(f"cannot write the journal entry of {entry.service}: disk full")
        real(self, entry, *args, **kw)

    monkeypatch.setattr(Journal, "begin", full)
    result = rollback(tmp_path, change_id=change, concurrency=1)
    summary = result.summary()
    assert result.exit_code is ExitCode.ABORTED, summary
    assert {e.service: e.state for e in entries(tmp_path)} == {
        "aaa": State.PROMOTED,
        "bbb": State.PROMOTED,
    }
    assert "nothing was written to aaa" in summary, summary
    left = (
        f"not rolled back: bbb (not started: nothing was written) — run `drift rollback {change}`"
    )
    assert left in summary, summary
