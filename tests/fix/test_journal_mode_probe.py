"""The journal's mode probe (`drift.fix.journalfiles.keeps_modes`): it asks the file drift
made, by its descriptor, and a probe a killed run left behind never turns the verdict
(revown35 F1, F2)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from drift.errors import JournalError
from drift.fix import journalfiles


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journalfiles, "_MODES_KEPT", {})


def _modeless_under(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Every file under `root` reads back 0777 (WSL's /mnt/c, vfat), by name or descriptor."""
    real_stat, real_fstat = os.stat, os.fstat

    def modeless(info: os.stat_result, name: str) -> os.stat_result:
        if not os.path.abspath(name).startswith(str(root)):
            return info
        fields = list(info)
        fields[0] = stat.S_IFMT(info.st_mode) | 0o777
        return os.stat_result(fields)

    def by_name(path: Any, *a: Any, **k: Any) -> os.stat_result:
        return modeless(real_stat(path, *a, **k), os.fspath(path))

    def by_fd(fd: int) -> os.stat_result:
        return modeless(real_fstat(fd), os.readlink(f"/proc/self/fd/{fd}"))

    monkeypatch.setattr(os, "stat", by_name)
    monkeypatch.setattr(os, "fstat", by_fd)


def test_a_probe_swapped_between_close_and_stat_does_not_open_an_others_writable_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F1: in an others-writable journal directory (0777, no sticky bit: the one the check
    exists to refuse) another user could unlink drift's probe once it is closed and put a
    0666 file of theirs there; read by name, drift would conclude "this filesystem keeps no
    modes" and accept the directory by its owner only. The mode comes from the descriptor
    drift opened, which no one else can chmod. The other user's swap is simulated right
    after drift's close."""
    journal = tmp_path / "journal"
    journal.mkdir()
    os.chmod(journal, 0o777)
    real_close, real_open = os.close, os.open
    opened: dict[int, str] = {}

    def spy_open(path: Any, flags: int, mode: int = 0o777, *a: Any, **k: Any) -> int:
        fd = real_open(path, flags, mode, *a, **k)
        if ".drift-mode-probe-" in os.fspath(path):
            opened[fd] = os.fspath(path)
        return fd

    def attacker_close(fd: int) -> None:
        real_close(fd)
        if fd in opened:  # the other user's swap, between drift's close and any later look
            os.unlink(opened[fd])
            fd2 = real_open(opened[fd], os.O_CREAT | os.O_WRONLY, 0o666)
            os.fchmod(fd2, 0o666)
            real_close(fd2)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "close", attacker_close)
    with pytest.raises(JournalError, match="chmod 700"):
        journalfiles.trusted_directory(journal)


def test_a_probe_left_by_a_killed_run_with_the_same_pid_does_not_turn_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F2: a run killed between the probe's open and its unlink leaves it behind, and in a
    container drift is pid 1 every run: a name by pid would be taken on every later run,
    and a modeless filesystem (Docker Desktop's Windows bind mount, /mnt/c) judged as
    keeping modes, drift's own journal refused with a `chmod 700` that changes nothing
    there. The name is random; the stale probe, this user's empty file, is removed."""
    journal = tmp_path / "journal"
    journal.mkdir()
    stale = journal / f".drift-mode-probe-{os.getpid()}"
    stale.write_bytes(b"")  # left by the killed run
    _modeless_under(monkeypatch, journal)
    assert journalfiles.keeps_modes(journal) is False
    assert os.listdir(journal) == []


def test_a_probe_is_never_left_behind_nor_listed_as_an_entry(tmp_path: Path) -> None:
    """The probe is removed whatever it finds, and no probe name is a journal entry."""
    (tmp_path / ".drift-mode-probe-1").write_bytes(b"")
    assert journalfiles.keeps_modes(tmp_path) is True
    assert os.listdir(tmp_path) == []
    (tmp_path / ".drift-mode-probe-2").write_bytes(b"")
    assert journalfiles.listed(tmp_path, ".json", "the journal") == []


def test_another_users_file_or_a_link_by_a_probe_name_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only this user's empty regular files by drift's probe name are swept: a link of that
    name is removed as a name only, never followed; a file with bytes is not drift's."""
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / ".drift-mode-probe-link").symlink_to(target)
    (journal / ".drift-mode-probe-full").write_text("not a probe\n")
    assert journalfiles.keeps_modes(journal) is True
    assert sorted(os.listdir(journal)) == [".drift-mode-probe-full", ".drift-mode-probe-link"]
    assert target.read_text() == "keep\n"
