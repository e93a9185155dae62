"""A journal that cannot be written before any write to the cloud (a full disk, a read-only
file system): `fix` and `rollback` abort safely with nothing changed — exit 4 and one message
ending in the same way on ("nothing was changed; … make room there [a read-only one: make it
writable], or choose another journal with --journal DIR") — whichever of the journal's files
failed first: its directory, its `.gitignore`, a lock, or the first entry (helper-601 F3: exit
2 for the first three, with no way on for the `.gitignore`, exit 4 for the entry)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import drift.fix.journal
import drift.fix.journalfiles
from drift.errors import ExitCode, JournalError
from drift.fix import lock as locking
from drift.fix.apply import FixOptions
from drift.fix.journal import Journal, State
from drift.sandbox import Sandbox
from tests.fix.conftest import ScriptedUI, entries, fix, rollback, updates

ENDING = (
    ": nothing was changed; drift sends no write its journal has not recorded first (SPEC "
    "invariant 5): make room there, or choose another journal with --journal DIR (or "
    "DRIFT_JOURNAL_DIR)"
)
READ_ONLY_ENDING = ENDING.replace("make room there", "make it writable")
"""A journal drift may not write is not told to make room (helper-711 F4)."""
MOUNTED_READ_ONLY_ENDING = ENDING[: ENDING.index("make room")] + (
    "remount that file system read-write, or choose a journal on another file system with "
    "--journal DIR (or DRIFT_JOURNAL_DIR; a copy of this one to roll back a change it records)"
)
"""Nor, on a file system mounted read-only, to make it writable, which no permission does
(task 833: tests/cli/test_read_only_disk.py)."""


def _raise(code: int) -> Callable[..., None]:
    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return failing


def gitignore_full(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setattr(drift.fix.journalfiles, "replace_whole", _raise(errno.ENOSPC))
    (tmp_path / ".drift" / ".gitignore").unlink(missing_ok=True)
    return f"cannot write {tmp_path / '.drift' / '.gitignore'}: {os.strerror(errno.ENOSPC)}"


def lock_full(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    Journal(tmp_path / ".drift" / "journal").open()  # its `.gitignore` fsync'd before
    monkeypatch.setattr(locking.os, "fsync", _raise(errno.ENOSPC))
    return f"cannot create the lock {tmp_path / '.drift' / 'journal' / 'locks'}/"


def journal_read_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    mkdir = Path.mkdir

    def refused(self: Path, *args: object, **kwargs: object) -> None:
        if self.is_relative_to(tmp_path / ".drift"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refused)
    return f"cannot create the journal {tmp_path / '.drift' / 'journal'}"


@pytest.mark.parametrize(
    "fails", [gitignore_full, lock_full, journal_read_only], ids=["gitignore", "lock", "directory"]
)
def test_fix_with_a_journal_it_cannot_write_aborts_with_nothing_changed(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fails: Callable[[pytest.MonkeyPatch, Path], str],
) -> None:
    with monkeypatch.context() as patched:
        begins = fails(patched, tmp_path)
        with pytest.raises(JournalError) as failed:
            fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"])
    error = failed.value
    assert error.exit_code is ExitCode.ABORTED, error.message  # was 2 (usage) in all three
    assert error.message.startswith(begins), error.message
    ending = MOUNTED_READ_ONLY_ENDING if fails is journal_read_only else ENDING
    assert error.message.endswith(ending), error.message
    assert "\n" not in error.diagnostics(), error.diagnostics()  # one line
    assert updates(sandbox) == []
    done = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"])  # room again
    assert done.exit_code is ExitCode.OK, done.summary()


@pytest.mark.parametrize("fails", [gitignore_full, lock_full], ids=["gitignore", "lock"])
def test_rollback_with_a_journal_it_cannot_write_aborts_with_nothing_changed(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fails: Callable[[pytest.MonkeyPatch, Path], str],
) -> None:
    done = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"])
    assert done.exit_code is ExitCode.OK, done.summary()
    sandbox.clear_calls()
    with monkeypatch.context() as patched:
        begins = fails(patched, tmp_path)
        with pytest.raises(JournalError) as failed:
            rollback(tmp_path)
    error = failed.value
    assert error.exit_code is ExitCode.ABORTED, error.message
    assert error.message.startswith(begins) and error.message.endswith(ENDING), error.message
    assert updates(sandbox) == []
    assert [e.state for e in entries(tmp_path)] == [State.PROMOTED]


@pytest.mark.parametrize(
    ("code", "ending"), [(errno.ENOSPC, ENDING), (errno.EACCES, READ_ONLY_ENDING)]
)
def test_a_first_entry_it_cannot_write_says_the_remedy_its_failure_calls_for(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    ending: str,
) -> None:
    """The entry's own file (its directory, lock and `.gitignore` written): a full disk is
    told to make room, one drift may not write to is told to make it writable."""
    monkeypatch.setattr(drift.fix.journal, "write_pair", _raise(code))
    done = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"])
    assert done.exit_code is ExitCode.ABORTED, done.summary()
    (outcome,) = done.outcomes
    assert f"{os.strerror(code)}{ending}" in outcome.message, outcome.message
    assert updates(sandbox) == []


def entries_refused(journal: Path) -> Callable[..., int]:
    """`os.open`, refusing to create a file in `journal` itself (its `locks/` writable)."""
    opened = os.open

    def refused(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
        if Path(path).parent == journal and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return opened(path, flags, *args, **kw)  # type: ignore[arg-type]

    return refused


@pytest.mark.parametrize("command", ["fix", "rollback"])
def test_a_journal_refusing_entries_is_found_before_the_question(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    """Its directory and locks made, its entries refused (a directory drift may not write,
    `locks/` made writable by someone): `fix` and `rollback` say so before they ask, never
    after a "yes" that only fails on the entry, naming the directory the OS refused, which
    said only "Permission denied" (task 841). The locks taken are released: the same command
    then goes on."""
    journal = tmp_path / ".drift" / "journal"
    Journal(journal).open()
    (journal / "locks").mkdir()
    if command == "rollback":
        assert fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), ["web"]).exit_code == 0
        sandbox.clear_calls()

    def run(ui: ScriptedUI) -> object:
        if command == "fix":
            return fix(tmp_path, env, ui, FixOptions(yes=False), ["web"])
        return rollback(tmp_path, ui)  # asks: its UI has answers

    ui = ScriptedUI([True])
    before = [e.state for e in entries(tmp_path)]
    with monkeypatch.context() as patched:
        patched.setattr(os, "open", entries_refused(journal))
        with pytest.raises(JournalError) as failed:
            run(ui)
    error = failed.value
    assert ui.questions == [], ui.questions
    assert error.exit_code is ExitCode.ABORTED, error.message
    said = f"cannot write an entry in the journal: {os.strerror(errno.EACCES)} in {journal}"
    assert error.message.startswith(said) and error.message.endswith(READ_ONLY_ENDING), error
    assert updates(sandbox) == [] and [e.state for e in entries(tmp_path)] == before
    done = run(ScriptedUI([True, True]))
    assert done.exit_code is ExitCode.OK, done.summary()  # type: ignore[attr-defined]
