"""`drift rollback X` where the journal holds no change X (helper-683 L3): the error names
the change and the journal, on its own line; the ways on are a hint after it — the listing
first (where the journal has changes to list), then `--journal DIR` — and `--from-live ENV`
only for an argument shaped like a change id (a word like `nosuchchange` names no canary
to find). Every option named is one `drift rollback` has."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import entries, lab_cli, lab_world

WELL_FORMED = "20200101-000000-abcde"  # a change id's shape, not in the journal


def _said(done: subprocess.CompletedProcess[str]) -> list[str]:
    lines = done.stderr.splitlines()
    assert done.returncode == 2, lines
    assert len(lines) == 2 and lines[1].startswith("  hint: "), lines
    return lines


def test_a_journal_with_changes_names_the_listing_first(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    fixed = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    (change,) = {e.change_id for e in entries(tmp_path)}
    journal = tmp_path / ".drift" / "journal"
    listed = lab_cli(sandbox, tmp_path, "rollback", "--list")
    assert listed.returncode == 0 and change in listed.stdout, listed.stdout  # the hint's way works
    for wanted, live in (("nosuchchange", False), (WELL_FORMED, True)):
        error, hint = _said(lab_cli(sandbox, tmp_path, "rollback", wanted))
        assert (
            error
            == f"drift: error: no change {wanted!r} in the journal {journal} (latest: {change})"
        )
        assert hint.startswith("  hint: `drift rollback --list` lists the recorded changes; "), hint
        assert "--journal DIR (or DRIFT_JOURNAL_DIR)" in hint, hint
        assert ("--from-live" in hint) == live, hint
        if live:
            assert f"`drift rollback {wanted} --from-live ENV`" in hint, hint


@pytest.mark.parametrize("wanted", ["nosuchchange", WELL_FORMED])
def test_no_journal_names_no_listing(tmp_path: Path, wanted: str) -> None:
    (tmp_path / "profiles").mkdir()
    error, hint = _said(drift("rollback", wanted, cwd=tmp_path))
    journal = tmp_path / ".drift" / "journal"
    assert error == f"drift: error: no change {wanted!r}: the journal {journal} holds no change"
    assert "--list" not in hint and "--journal DIR (or DRIFT_JOURNAL_DIR)" in hint, hint
    assert ("--from-live ENV" in hint) == (wanted == WELL_FORMED), hint
