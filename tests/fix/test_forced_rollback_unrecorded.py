"""A forced `drift rollback A` that undoes drift's later change B too, and B's journal entry
cannot be written when the rollback records B as rolled back by it (drift/fix/since.py
`undone`): A's own entry is written, B's refused (B's file made immutable with `chattr +i`,
so renaming over it fails with EPERM even for root, as a file on a read-only mount would).
Through the real CLI: drift says B was undone but still says promoted, and a later
`drift rollback` never takes B for live nor re-applies A's fix."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries, lab_cli, lab_world, updates
from tests.fix.test_rollback_later_changes import _env, _two_fixes


def chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    made: list[Path] = []
    yield made
    for path in made:
        chattr("-i", path)


def locked_later_change(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    immutable: list[Path],
) -> tuple[Sandbox, str, str, Path]:
    """drift's fixes A then B of the lab's app, B's journal entry made immutable (skipped
    where `chattr +i` is not available): the sandbox, A, B and B's entry file."""
    sandbox = make_sandbox(lab_world())
    a, b = _two_fixes(sandbox, tmp_path, monkeypatch, ScriptedUI([True, True]))
    (b_file,) = (tmp_path / ".drift" / "journal").glob(f"*{b}*.json")
    if not chattr("+i", b_file):
        pytest.skip("chattr +i is not available here (needs root on ext2/3/4, xfs, btrfs)")
    immutable.append(b_file)
    return sandbox, a, b, b_file


def test_a_later_change_undone_whose_entry_cannot_be_written(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    immutable: list[Path],
) -> None:
    sandbox, a, b, _ = locked_later_change(make_sandbox, tmp_path, monkeypatch, immutable)
    done = lab_cli(sandbox, tmp_path, "rollback", a, "--force", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.OK, said  # A's rollback landed and is recorded
    assert "Traceback" not in said, said
    assert f"app: change {b} was undone too, but the journal could not record it (" in said
    assert f"Operation not permitted): it still says {State.PROMOTED}" in said, said
    states = {e.change_id: e.state for e in entries(tmp_path)}
    assert states == {a: State.ROLLED_BACK, b: State.PROMOTED}, states
    assert _env(sandbox) == {"DEBUG": "true"}  # as before A
    # B is not live, and its entry still cannot be written: a plain rollback names what undid
    # it (drift's own forced rollback of A, never "their change"), writes nothing, and names
    # one way on, making the entry writable (before fixown45 it also named `--force`, which
    # re-applies A's fix, beside "`--force` restores anyway, undoing that change too").
    writes = len(updates(sandbox))
    again = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    said = again.stdout + again.stderr
    assert again.returncode == ExitCode.ABORTED, said
    assert f"by drift's forced rollback of its earlier change {a}, which undid it too" in said
    assert f"nothing of change {b} is live" in said, said
    assert "make that entry writable and run `drift rollback` again" in said, said
    assert "--force" not in said and "their change" not in said, said
    assert "Traceback" not in said, said
    assert len(updates(sandbox)) == writes and _env(sandbox) == {"DEBUG": "true"}
    assert {e.change_id: e.state for e in entries(tmp_path)}[b] == State.PROMOTED
