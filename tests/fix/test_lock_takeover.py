"""Taking over a lock a stopped command left. Whether its process is gone
(`drift.fix.lockholder`), beyond a pid that no process has (tests/fix/test_lock.py): a lock
naming this very process (drift is PID 1 in its image), a pid a later process reused, and a
lock whose flock its holder still holds, whatever pid it names (another container of the
same hostname). And a rollback that took one over and wrote nothing gives it back as it
found it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix import lock as locking
from drift.fix import lockholder as holding
from drift.fix.journal import Entry, Journal, State, Write, now_text
from drift.fix.lock import Locked, Locks
from tests.fix.conftest import PROJECT, rollback
from tests.fix.test_lock import dead_pid

LOCK = f"projects/{PROJECT}/locations/us-central1/services/web"


def lock_of(journal: Path, **fields: object) -> Path:
    """A lock on web in `journal` with these fields (an unfinished fix's, by default)."""
    (journal / "locks").mkdir(parents=True, exist_ok=True)
    path = journal / "locks" / f"{PROJECT}--us-central1--services--web.lock"
    body = {"change_id": "20261101-120000-dead", "host": socket.gethostname(), "command": "fix"}
    path.write_text(json.dumps({**body, "started": "2026-11-01T12:00:00+00:00", **fields}))
    return path


def test_a_lock_naming_this_very_process_is_an_earlier_one_s(tmp_path: Path) -> None:
    """drift is PID 1 in its image (Dockerfile ENTRYPOINT): a fix killed in a container whose
    hostname is stable (`docker run --hostname`, `--network host`, a pod of fixed name) left a
    lock naming pid 1, and the next run there is pid 1 again. That lock's pid is alive — it
    is this very process — and it was judged held: "web is being changed by change X (fix,
    pid 1 …): wait for it to finish", for ever. A lock naming this process that this
    process did not take was left by an earlier one: stale (here it wrote nothing: taken
    over)."""
    lock = lock_of(tmp_path, pid=os.getpid())
    said: list[str] = []
    with Locks(tmp_path, "20261130-090000-0001", "fix", say=said.append) as locks:
        locks.acquire(LOCK, "web")
        assert locks.held[0] == lock
        assert json.loads(lock.read_text())["change_id"] == "20261130-090000-0001"
    assert said and "that process is gone, and it wrote nothing to web" in said[0], said
    assert not lock.exists()


def test_a_rollback_calls_a_lock_its_own_only_when_it_took_it(tmp_path: Path) -> None:
    """`drift rollback X`, pid 1 again, of the change the killed fix (pid 1) left mid-way:
    the lock names change X and this process's pid, so it was called "ours" and never held —
    the rollback ended and left it, and every later command found a lock of a finished change
    whose pid (1) is alive: "wait for it to finish". A lock is this command's only when it
    took it: this one is taken over, and gone once the rollback ends."""
    change = "20261101-120000-dead"
    lock = lock_of(tmp_path, pid=os.getpid(), change_id=change)
    journal = Journal(tmp_path).open()
    entry = Entry(change, "e2e", PROJECT, "us-central1", "web", LOCK, "", {}, "", "", [])
    journal.begin(entry, State.CANARY_DEPLOYING, "deploying", Write("canary", "", 1, "", "", []))
    with Locks(tmp_path, change, "rollback", say=lambda line: None) as locks:
        locks.acquire(LOCK, "web", take_over=change)
        assert locks.held[0] == lock
        assert json.loads(lock.read_text())["command"] == "rollback"
    assert not lock.exists(), "the rollback ended and its service's lock is still there"


@pytest.fixture
def later_process() -> Iterator[subprocess.Popen[bytes]]:
    """A process started now: it has a pid an older lock may name (a pid reused)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="no /proc: pids only")
@pytest.mark.parametrize("recorded", ["started", "process"])
def test_a_pid_reused_by_a_later_process_holds_no_lock(
    tmp_path: Path, later_process: subprocess.Popen[bytes], recorded: str
) -> None:
    """A lock naming a pid that is alive now, but by a process that started after the lock
    was written (Linux /proc/PID/stat starttime): its writer is gone. Told by the writer's
    own start the lock records (`process`: boot id and starttime), else by its `started`."""
    fields: dict[str, object] = {"pid": later_process.pid}
    if recorded == "process":  # written a second ago by a process that had that pid
        fields |= {"started": now_text(), "process": f"{holding.process_token(1)}0"}
    lock = lock_of(tmp_path, **fields)
    said: list[str] = []
    with Locks(tmp_path, "20261130-090000-0002", "fix", say=said.append) as locks:
        locks.acquire(LOCK, "web")
        assert locks.held[0] == lock
    assert said and "that process is gone" in said[0], said
    # the same pid, the lock written after that process started: it is the holder
    lock = lock_of(tmp_path, pid=later_process.pid, started=now_text())
    with pytest.raises(Locked, match="web is being changed by change 20261101-120000-dead"):
        Locks(tmp_path, "20261130-090000-0003", "fix").acquire(LOCK, "web")


def test_a_lock_whose_flock_is_held_is_held_whatever_its_pid(tmp_path: Path) -> None:
    """Two containers of one hostname sharing the journal (`--network host`, a mounted
    checkout), each running drift as pid 1: the lock the other one holds names this very
    pid. Its flock says it is held — the kernel frees it only when its holder ends, in
    whatever pid namespace — and once that process is gone, the lock is stale."""
    lock = lock_of(tmp_path, pid=os.getpid(), flock=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", FLOCK_HOLDER, str(lock)], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with pytest.raises(Locked, match="web is being changed by change 20261101-120000-dead"):
            Locks(tmp_path, "20261130-090000-0004", "fix").acquire(LOCK, "web")
        assert "20261101-120000-dead" in locking.held(
            tmp_path, PROJECT, "us-central1", "services", "web"
        )
    finally:
        holder.kill()
        holder.communicate()
    with Locks(tmp_path, "20261130-090000-0005", "fix", say=lambda line: None) as locks:
        locks.acquire(LOCK, "web")
        body = json.loads(lock.read_text())
        assert body["change_id"] == "20261130-090000-0005" and body["flock"] is True


FLOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_a_rollback_refused_at_a_held_lock_gives_back_the_one_it_took_over(
    tmp_path: Path,
) -> None:
    """A fix of api and web killed mid-change (both canaries begun): `drift rollback` of it
    takes api's stale lock over, then finds web's held by a running drift and stops, having
    written nothing. api's lock is put back as it was found, byte for byte (it used to be
    deleted when the rollback ended: the stopped change's lock gone, and `drift fix` free
    to build on api's canary)."""
    journal_dir = tmp_path / ".drift" / "journal"
    (journal_dir / "locks").mkdir(parents=True)
    change = "20261101-120000-dead"
    journal = Journal(journal_dir).open()
    paths = {}
    for name in ("web", "api"):
        full = f"projects/{PROJECT}/locations/us-central1/services/{name}"
        entry = Entry(change, "e2e", PROJECT, "us-central1", name, full, "", {}, "", "", [])
        write = Write("canary", "", 1, f"{name}-drift-{change}", "", [])
        journal.begin(entry, State.CANARY_DEPLOYING, "deploying", write)
        paths[name] = journal_dir / "locks" / f"{PROJECT}--us-central1--services--{name}.lock"
    stopped = {"change_id": change, "pid": dead_pid(), "host": socket.gethostname()}
    paths["api"].write_text(json.dumps({**stopped, "started": "2026-11-01T12:00:00+00:00"}))
    running = {"change_id": "20261130-090000-beef", "pid": os.getppid()}
    running |= {"host": socket.gethostname(), "started": now_text(), "command": "fix"}
    paths["web"].write_text(json.dumps(running))
    found = {name: path.read_bytes() for name, path in paths.items()}
    done = rollback(tmp_path, change_id=change)
    assert done.exit_code is ExitCode.ABORTED, done.summary()
    assert "web is being changed by change 20261130-090000-beef" in done.message
    assert {name: path.read_bytes() for name, path in paths.items()} == found
