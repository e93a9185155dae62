"""A lock file that is not a regular file (a named pipe: `mkfifo`, a restored backup, a tool
that mirrors the journal) is one drift cannot read: the command that meets it says so at once
and names it (SPEC invariants 7 and 11), never waits for a writer that never comes. Opening a
FIFO for reading blocks until something opens it for writing (fifo(7)), so the lock is read
as the journal's entries are (`drift.files.regular_bytes`: refused before it is opened).

Each run is a process of its own with a timeout (forked from the zygote, which kills a run
that outlives it; a fresh interpreter under DRIFT_TESTS_FORK=0): a drift that waits on the
pipe fails the test instead of hanging the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.fix.journal import Journal
from drift.fix.lockname import lock_name
from tests.cliutil import REPO, python_code, python_module

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")

NAME = "projects/p/locations/r/services/app"


def _journal(tmp_path: Path) -> Path:
    directory = tmp_path / ".drift" / "journal"
    Journal(directory).open()
    (directory / "locks").mkdir(mode=0o700)
    return directory


def test_rollback_meets_a_named_pipe_among_the_locks_and_goes_on(tmp_path: Path) -> None:
    """`drift rollback CHANGE` reads every lock first (the stale ones its change left are
    removed): a pipe among them is passed over as a lock it cannot read, never waited on."""
    journal = _journal(tmp_path)
    os.mkfifo(journal / "locks" / lock_name(NAME))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    env["PYTHONPATH"] = str(REPO)
    done = python_module(
        "drift", "rollback", "20260101-000000-abcd", "--journal", str(journal),
        env=env, timeout=60,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert "Traceback" not in said, said
    assert "no change '20260101-000000-abcd'" in said, said
    assert done.returncode != 0, said


ACQUIRE = """
import sys
from pathlib import Path
from drift.fix.lock import Locked, Locks
with Locks(Path(sys.argv[1]), "20260101-000000-abcd", "fix") as locks:
    try:
        locks.acquire(sys.argv[2], "app")
    except Locked as exc:
        print(exc.message)
    else:
        print("taken")
"""


def test_a_named_pipe_where_the_lock_is_stops_the_fix_naming_it(tmp_path: Path) -> None:
    """A pipe under the service's own lock name: `fix` (and `rollback`) stop there, saying the
    lock file cannot be read and to delete it; the pipe is left as it is."""
    journal = _journal(tmp_path)
    pipe = journal / "locks" / lock_name(NAME)
    os.mkfifo(pipe)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = python_code(ACQUIRE, str(journal), NAME, env=env, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"app: the lock file {pipe} exists but cannot be read" in done.stdout, done.stdout
    assert pipe.is_fifo()


def test_a_lock_file_larger_than_any_lock_drift_writes_cannot_be_read(tmp_path: Path) -> None:
    """A lock is a few hundred bytes; a file of megabytes under a lock's name (a log written
    there by mistake, a disk image) is read no further than the bound and judged as a lock
    that cannot be read, never loaded whole into memory."""
    from drift.fix import lockholder

    path = _journal(tmp_path) / "locks" / lock_name(NAME)
    body = b'{"change_id": "c", "pid": 1, "host": "h", "started": "s"}'
    path.write_bytes(body + b" " * lockholder.LOCK_BYTES)  # valid JSON, padded past the bound
    assert lockholder.read(path) is None
    path.write_bytes(body)
    assert lockholder.read(path) is not None
