"""A lock judged by its pid where there is no flock to judge it by (a file system that refuses
flock: an NFS mount without a lock daemon), written by a drift in another pid namespace on a
host of the same name: two containers sharing the journal directory with one hostname
(`docker run --network host`, `--hostname`, a pod of fixed name), each running drift as
PID 1 (Dockerfile ENTRYPOINT). The other container's pid means nothing in this one: its pid
1 is this very process here, and its pid 7 may be no process at all here, while the writer is
alive and mid-change. Judged stale, its lock was taken over and two commands wrote to one
service (SPEC invariant 11). The lock records its writer's pid namespace (`/proc/self/ns/pid`,
namespaces(7)): a lock of another namespace, its flock unknown, is held."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from drift.fix import lockholder as holding
from drift.fix.lock import Locked, Locks
from tests.fix.conftest import PROJECT
from tests.fix.test_lock import dead_pid

LOCK = f"projects/{PROJECT}/locations/us-central1/services/web"
OTHER = "pid:[4026599999]"  # a sibling container's pid namespace (not this process's)

pytestmark = pytest.mark.skipif(
    not holding.pid_namespace(), reason="no /proc/self/ns/pid: no pid namespace to record"
)


def flockless_lock(journal: Path, pid: int, pidns: str) -> Path:
    """A lock on web an unfinished fix holds, written where flock is refused (`flock` false)."""
    (journal / "locks").mkdir(parents=True, exist_ok=True)
    path = journal / "locks" / f"{PROJECT}--us-central1--services--web.lock"
    body = {
        "change_id": "20261201-120000-0th3",
        "pid": pid,
        "host": socket.gethostname(),
        "started": "2026-12-01T12:00:00+00:00",
        "command": "fix",
        "service": "web",
        "flock": False,
        "pidns": pidns,
    }
    path.write_text(json.dumps(body))
    return path


@pytest.mark.parametrize("pid", ["this", "absent"])
def test_a_flockless_lock_of_another_pid_namespace_is_held(tmp_path: Path, pid: str) -> None:
    """The other container's drift, PID 1 there (this process's pid here), or a pid that no
    process has here: alive there, and mid-change (nothing written yet: its prompt). Taken
    over before ("that process is gone, and it wrote nothing to web"): now refused."""
    number = os.getpid() if pid == "this" else dead_pid()
    lock = flockless_lock(tmp_path, number, OTHER)
    said: list[str] = []
    with pytest.raises(Locked, match="web is being changed by change 20261201-120000-0th3"):
        with Locks(tmp_path, "20261202-090000-0001", "fix", say=said.append) as locks:
            locks.acquire(LOCK, "web")
    assert said == []
    assert json.loads(lock.read_text())["change_id"] == "20261201-120000-0th3"


def test_a_flockless_lock_of_this_pid_namespace_is_judged_by_its_pid(tmp_path: Path) -> None:
    """In this very namespace the pid tells: a pid no process has was a process now gone (its
    lock taken over as before), and the lock drift writes records its namespace."""
    lock = flockless_lock(tmp_path, dead_pid(), holding.pid_namespace())
    said: list[str] = []
    with Locks(tmp_path, "20261202-090000-0002", "fix", say=said.append) as locks:
        locks.acquire(LOCK, "web")
        assert json.loads(lock.read_text())["pidns"] == holding.pid_namespace()
    assert said and "that process is gone, and it wrote nothing to web" in said[0], said
