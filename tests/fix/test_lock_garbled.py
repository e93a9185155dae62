"""A lock file edited by hand (or written by anything else): a pid no process can have (out
of `pid_t`'s range) reached `os.kill` and ended the command with "internal error:
OverflowError: Python int too large to convert to C long", from the check a fix makes before
it reads anything as from the lock it takes. Such a lock is one that cannot be read: one
line naming it, with the way out (SPEC: bad input gets one clear message, never a traceback)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from drift.fix import lockholder
from drift.fix.lock import Locked, Locks
from tests.fix.conftest import PROJECT

LOCK = f"projects/{PROJECT}/locations/us-central1/services/web"


@pytest.mark.parametrize("pid", [2**63, 2**31])
def test_a_lock_naming_a_pid_out_of_range_is_one_that_cannot_be_read(
    tmp_path: Path, pid: int
) -> None:
    locks = tmp_path / "locks"
    locks.mkdir()
    path = locks / f"{PROJECT}--us-central1--services--web.lock"
    body = {"change_id": "20261201-120000-0bad", "pid": pid, "host": socket.gethostname()}
    path.write_text(json.dumps({**body, "started": "2026-12-01T12:00:00+00:00"}))
    with pytest.raises(Locked, match="exists but cannot be read; if no drift command"):
        Locks(tmp_path, "20261202-090000-0001", "fix").acquire(LOCK, "web")
    assert lockholder.held(tmp_path, PROJECT, "us-central1", "services", "web") == ""
    assert path.exists()
