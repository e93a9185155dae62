"""An entry another drift writes again while this one reads it (helper-735 F5: two fixes at
once, one settling a stopped change): `drift.fix.journal.write_pair` replaces the checksum
file (taking both), then the entry, then the checksum file (the new entry's alone), each
whole, so bytes read before the entry was replaced and a checksum file read after it was
replaced disagree. The entry is read again (`drift.fix.entryread.summed`) and judged as it
is now; before, it was taken as edited, and the plan said its change's journal was not here.
Entry read, then the other drift's write, then checksum read: made to happen here by
writing from inside the read of the entry's bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from drift.fix import journalfiles
from drift.fix.journal import Entry, Journal, State

NAME = "projects/p/locations/r/services/app"
CHANGE = "20261207-120000-00abc"


@pytest.fixture
def written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], Journal]:
    """A journal of one entry (`updating`), which another drift records again (`pinned`, then
    the same again) right after each of the first `times` reads of the entry's bytes."""

    def make(times: int) -> Journal:
        journal = Journal(tmp_path / "journal").open()
        entry = Entry(CHANGE, "prod", "p", "r", "app", NAME, "e", {}, "", "", [])
        journal.record(entry, State.UPDATING, "sent")
        other, real, reads = Journal(journal.directory), journalfiles.regular_bytes, []

        def racing(path: Path, limit: int = -1) -> bytes:
            raw = real(path, limit)
            if path == journal.file(entry) and len(reads) < times:
                reads.append(path)
                other.record(entry, State.PINNED, "settled by the other drift")
            return raw

        monkeypatch.setattr(journalfiles, "regular_bytes", racing)
        return journal

    return make


def test_an_entry_written_again_between_its_two_reads_is_read_as_it_is_now(
    written: Callable[[int], Journal],
) -> None:
    (entry,) = written(1).entries()
    assert entry.problem == "", entry.problem  # before: "… does not match the checksum …"
    assert entry.state == State.PINNED, entry.history


def test_an_entry_written_again_at_every_read_is_said_to_be_being_written(
    written: Callable[[int], Journal],
) -> None:
    (entry,) = written(10).entries()
    assert entry.unreadable, entry
    assert "a drift is writing it now; run this again once that drift has finished" in (
        entry.problem
    ), entry.problem


def test_an_entry_edited_by_hand_is_still_refused_as_edited(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal").open()
    entry = Entry(CHANGE, "prod", "p", "r", "app", NAME, "e", {}, "", "", [])
    journal.record(entry, State.UPDATING, "sent")
    path = journal.file(entry)
    path.write_text(path.read_text().replace('"sent"', '"edited"'))
    (read,) = journal.entries()
    assert "does not match the checksum drift recorded: it was edited" in read.problem
