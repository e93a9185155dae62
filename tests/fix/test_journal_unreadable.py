"""A journal directory drift cannot read (another user's: the container runs as USER 10001,
the host as someone else; drift makes it mode 0700) is an error naming the directory, exit 3
(what it records is unknown: SPEC invariants 6 and 7), never "no change recorded" or "nothing
to roll back". pathlib's `glob` swallows the PermissionError: drift lists with `os.listdir`.
The same for the locks' directory, read before every fix and rollback."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drift.errors import DriftError, ExitCode
from drift.fix.journal import Entry, Journal, State
from drift.fix.lock import held
from drift.fix.rollback import list_changes, run_rollback
from drift.settings import load_settings
from tests.cliutil import drift
from tests.fix.conftest import ScriptedUI

NOBODY = 65534
NAME = "projects/p/locations/r/services/app"


@pytest.fixture
def journal() -> Iterator[Path]:
    """A journal holding one promoted change and a lock, in a directory every user can
    reach, the journal itself mode 0700 (as drift makes it)."""
    base = Path(tempfile.mkdtemp(prefix="drift-unreadable-"))
    base.chmod(0o755)
    directory = base / ".drift" / "journal"
    journal = Journal(directory).open()
    (directory.parent).chmod(0o755)
    entry = Entry("20260101-000000-abcd", "prod", "p", "r", "app", NAME, "e", {}, "", "", [])
    journal.record(entry, State.PROMOTED, "done")
    (directory / "locks").mkdir(mode=0o700)
    (directory / "locks" / "p--r--services--app.lock").write_text("{}")
    try:
        yield directory
    finally:
        for folder in (directory, directory / "locks"):
            folder.chmod(0o700)
        shutil.rmtree(base)


def as_another_user(directory: Path, run: Callable[[], str]) -> str:
    """`run()` in a child process that cannot read `directory`: as root, a child turned
    `nobody` (root reads anything); otherwise the directory is made unreadable (mode 0)."""
    if os.getuid() != 0:
        directory.chmod(0)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(reader)
        try:
            if os.getuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            said = run()
        except DriftError as exc:
            said = f"{type(exc).__name__} exit {int(exc.exit_code)}: {exc.message}"
        except BaseException as exc:
            said = f"unexpected {type(exc).__name__}: {exc}"
        os.write(writer, said.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as out:
        said = out.read().decode()
    os.waitpid(pid, 0)
    directory.chmod(0o700)
    return said


def test_rollback_list_of_an_unreadable_journal_is_an_error(journal: Path) -> None:
    settings = load_settings(journal_dir=journal)
    said = as_another_user(journal, lambda: list_changes(settings).summary())
    assert said.startswith(f"JournalUnreadable exit 3: cannot read the journal {journal}: "), said
    assert "Permission denied" in said and "no change recorded" not in said


def test_rollback_of_an_unreadable_journal_is_an_error(journal: Path) -> None:
    settings = load_settings(journal_dir=journal)

    def rollback() -> str:
        result = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
        return f"exit {int(result.exit_code)}: {result.summary()}"

    said = as_another_user(journal, rollback)
    assert said.startswith(f"JournalUnreadable exit 3: cannot read the journal {journal}: "), said
    assert "nothing to roll back" not in said


def test_an_unreadable_locks_directory_is_an_error(journal: Path) -> None:
    locks = journal / "locks"
    said = as_another_user(locks, lambda: held(journal, "p", "r", "services", "app") or "free")
    assert said.startswith(f"JournalUnreadable exit {int(ExitCode.INCOMPLETE)}: "), said
    assert f"cannot read the journal's locks {locks}: Permission denied" in said


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("which", ["entry", "checksum"])
def test_a_named_pipe_in_the_journal_is_refused_never_waited_on(journal: Path, which: str) -> None:
    """A FIFO named like an entry (or its checksum) would block `drift rollback` forever on
    the read, waiting for a writer: it is no entry drift wrote, refused at once by name."""
    name = "20260102-000000-abcd--service--api.json"
    if which == "checksum":
        entry = Entry("20260102-000000-abcd", "prod", "p", "r", "api", NAME, "e", {}, "", "", [])
        Journal(journal).record(entry, State.PROMOTED, "done")
        (checksum,) = journal.glob("20260102-*.sha256")
        checksum.unlink()
        os.mkfifo(checksum)
    else:
        os.mkfifo(journal / name)
    done = drift("rollback", "--list", "--journal", str(journal), timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "20260102-000000-abcd" in done.stdout, done.stdout


def test_an_entry_larger_than_drift_writes_is_unreadable_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file in the journal larger than any entry drift writes is refused as unreadable,
    read no further than the limit (a multi-GB file would exhaust memory first: revjournal93),
    and named; a checksum file is read no further than its own limit."""
    from drift.fix import journalfiles

    monkeypatch.setattr(journalfiles, "ENTRY_BYTES", 64)
    directory = tmp_path / ".drift" / "journal"
    directory.mkdir(parents=True)
    os.chmod(directory, 0o700)
    huge = directory / "20261202-000000-abcde--service--api.json"
    huge.write_text('{"schema": "drift.journal/v1", "padding": "' + "x" * 200 + '"}')
    os.chmod(huge, 0o600)
    (entry,) = Journal(directory).entries()
    assert entry.problem and "larger than" in entry.problem and str(huge) in entry.problem
