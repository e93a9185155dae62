"""`drift rollback` and the journal it reads: a change asked for that the journal does not
hold — or no journal where drift looked — is exit 2 naming the directory searched and how to
point at another, never "nothing to roll back" (the change may be live)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode, UsageError
from drift.fix.rollback import RollbackResult, run_rollback
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI

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
    message = caught.value.message
    assert str(journal) in message and "--journal DIR" in message and "--profiles" in message
    assert (CHANGE in message) == (change is not None)
