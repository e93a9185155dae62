"""The journal's file system turned read-only mid-fix (ext4 `errors=remount-ro`, the default
of many distributions, after an I/O error; a volume remounted): the promotion lands, its
record cannot be written, and drift's Stop says what serves and what to do. Then the locks
are released, and a lock's file cannot be removed either: that OSError, raised from the
`with Locks` exit, replaced the fix's whole result with "internal error: OSError: [Errno 30]
Read-only file system" — what the fix wrote and that the journal does not say it, lost. A
lock that cannot be removed is let go (its flock: a stopped command's lock, judged as any),
and said, naming it; the command's own result stands."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix import journal as journaling
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.fix.lock import Locks
from drift.sandbox import Sandbox
from tests.fix.conftest import PROJECT, ScriptedUI, fix

LOCK = f"projects/{PROJECT}/locations/us-central1/services/web"


def read_only_from(monkeypatch: pytest.MonkeyPatch, journal: Path, state: str) -> None:
    """From the record of `state` on, nothing under `journal` can be written or removed."""
    ro = {"now": False}
    write_pair = journaling.write_pair
    unlink = Path.unlink

    def pair(target: Path, data: bytes, both: bytes, new: bytes) -> None:
        if ro["now"] or json.loads(data)["state"] == state:
            ro["now"] = True
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        write_pair(target, data, both, new)

    def unlinked(self: Path, missing_ok: bool = False) -> None:
        if ro["now"] and self.is_relative_to(journal):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(journaling, "write_pair", pair)
    monkeypatch.setattr(Path, "unlink", unlinked)


@pytest.mark.parametrize("state", [State.CANARY_DEPLOYING, State.PROMOTED])
def test_a_read_only_journal_mid_fix_keeps_the_fixs_own_words(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state: str,
) -> None:
    """Read-only before the first write (the fix's first record: nothing was changed), or
    once the promotion landed (its record lost: `drift rollback` named)."""
    journal = tmp_path / ".drift" / "journal"
    read_only_from(monkeypatch, journal, state)
    ui = ScriptedUI([True, True])
    result = fix(tmp_path, env, ui, FixOptions(), ["web"])
    assert result.exit_code is not ExitCode.OK, result.summary()
    summary = result.summary()
    assert "Read-only file system" in summary, summary
    if state == State.CANARY_DEPLOYING:
        assert "nothing was changed" in summary, summary
        (note,) = [line for line in ui.said if line.startswith("could not remove the lock")]
        assert str(journal / "locks") in note and result.change_id in note, note
    else:
        assert f"drift rollback {result.change_id}" in summary, summary


def test_a_lock_that_cannot_be_removed_is_let_go_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    unlink = Path.unlink

    def unlinked(self: Path, missing_ok: bool = False) -> None:
        if self.suffix == ".lock":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        unlink(self, missing_ok=missing_ok)

    with Locks(tmp_path, "20261202-090000-0001", "fix", say=said.append) as locks:
        locks.acquire(LOCK, "web")
        held = list(locks.held)
        monkeypatch.setattr(Path, "unlink", unlinked)
    assert locks.held == [] and len(held) == 2 and all(p.exists() for p in held)
    assert len(said) == 1, said
    assert all(str(p) in said[0] for p in held) and "Read-only file system" in said[0], said
