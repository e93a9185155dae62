"""revown27 (fixsplit): tests/fix/test_lock.py::test_two_takers_of_one_stale_lock_one_wins
patches `drift.fix.lock._read` and counts "the check before the deletion" as each taker's
second read. Since a50b6ef that check (`remove`) lives in drift/fix/locktakeover.py, which
imported `_read` for itself: the patch no longer reaches it, the barrier is never met at the
check, and the race test passes without exercising the race (it also passes with the
takeover flock and the re-read removed). Expected to FAIL on main."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from drift.fix import lock as locking
from drift.fix.lock import Locks
from tests.fix.test_lock import LOCK, dead_pid


def test_patching_lock_read_reaches_the_check_before_the_deletion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "journal"
    (journal / "locks").mkdir(parents=True)
    path = journal / "locks" / "acme-chat-staging--us-central1--services--web.lock"
    stale = {"change_id": "20261101-120000-dead", "pid": dead_pid(), "host": socket.gethostname()}
    path.write_text(json.dumps({**stale, "started": "2026-11-01T12:00:00+00:00"}))
    real = locking._read
    reads: list[Path] = []

    def read(lock: Path) -> locking.Holder | None:
        reads.append(lock)
        return real(lock)

    monkeypatch.setattr(locking, "_read", read)
    Locks(journal, "20261129-000000-aaaa", "fix", say=lambda line: None).acquire(LOCK, "web")
    # the acquire's read, then remove()'s re-read under the takeover lock (as on c0bd7bb)
    assert len(reads) >= 2, reads
