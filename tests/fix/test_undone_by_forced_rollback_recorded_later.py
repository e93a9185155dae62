"""A forced `drift rollback A --yes --force` undid drift's later change B, but B's entry could
not record it (immutable). Once the journal is writable, the next plain `drift rollback` proves
B undone by A's rollback (`since.undone_by`: what is live is what that rollback's write left)
and, holding the workload's lock, records B as rolled back by A, as drift/fix/since.py's
docstring promises. Before fixown45 (revown45 R1) drift never recorded it: B stayed `promoted`
for ever, `--list` showed it as live, and every plain `drift rollback` targeted B and refused
(exit 4) naming `--force`, which re-applies A's fix, as its only way on."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix.conftest import entries, lab_cli, updates
from tests.fix.test_forced_rollback_unrecorded import (  # noqa: F401
    chattr,
    immutable,
    locked_later_change,
)
from tests.fix.test_rollback_later_changes import _env


def test_a_change_proven_undone_is_recorded_once_the_journal_is_writable(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    immutable: list[Path],  # noqa: F811
) -> None:
    sandbox, a, b, b_file = locked_later_change(make_sandbox, tmp_path, monkeypatch, immutable)
    done = lab_cli(sandbox, tmp_path, "rollback", a, "--force", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    chattr("-i", b_file)
    writes = len(updates(sandbox))
    again = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    said = again.stdout + again.stderr
    assert again.returncode == ExitCode.OK, said
    assert f"change {b} was undone by drift's forced rollback of change {a}" in said, said
    assert "recorded now as rolled back by it" in said, said
    assert f"change {b}: nothing left to roll back" in said, said
    assert "--force" not in said and "Traceback" not in said, said
    # nothing written: A's fix is not re-applied
    assert len(updates(sandbox)) == writes and _env(sandbox) == {"DEBUG": "true"}
    recorded = {e.change_id: e for e in entries(tmp_path)}
    assert recorded[b].state == State.ROLLED_BACK and recorded[b].undone_by == a
    assert recorded[a].state == State.ROLLED_BACK
    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    assert f"rolled-back (by the rollback of {a})" in listed.stdout, listed.stdout
    assert State.PROMOTED not in listed.stdout, listed.stdout
    # and a plain rollback again finds nothing left, never A re-applied
    last = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert last.returncode == ExitCode.OK, last.stdout + last.stderr
    assert "already rolled back, by the rollback of change" in last.stdout + last.stderr
    assert len(updates(sandbox)) == writes
