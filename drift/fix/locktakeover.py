"""Whether a stale lock (`drift.fix.lock`: its process gone, `drift.fix.lockholder`) may be
taken over, judged from the journal: its change wrote nothing to that service (`unpending`), or
had finished with it (`finished`); its removal, one step for every drift command (`remove`),
and `clear_stale` (the locks a change left where nothing of it is pending)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from drift.errors import JournalError
from drift.files import file_in_the_way, kind_of, regular_bytes
from drift.fix import lockholder
from drift.fix.journal import DONE, Entry, Journal, State
from drift.fix.journalfiles import listed, unwritten
from drift.fix.lockholder import Holder
from drift.fix.lockname import names

TAKEOVER = ".takeover"
"""The locks directory's file whose flock makes a stale lock's check and removal one step."""


def unwritable(path: Path, exc: OSError) -> JournalError:
    """The error for a lock (or the takeover file) that cannot be created: a file where its
    directory should be (`locks` made a file) is named as such, not "File exists" and room."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)) and (
        blocker := file_in_the_way(path.parent)
    ):
        return JournalError(
            f"cannot create the lock {path}: {blocker} is {kind_of(blocker)}, not a directory; "
            "nothing was "
            "changed (move it away: drift makes the directory again)"
        )
    return unwritten(f"create the lock {path}", exc)


def left_by(journal: Path, holder: Holder) -> list[Entry] | None:
    """The journal's entries of the holder's change for the service its lock is for (None:
    the journal cannot be read)."""
    try:
        entries = Journal(journal).entries()
    except JournalError:
        return None
    return [  # an unreadable entry of the change may be of this workload: counted
        e
        for e in entries
        if e.change_id == holder.change_id
        and (e.unreadable or holder.path.name in names(e.full_name))
    ]


def unpending(entries: list[Entry] | None, service: str) -> str:
    """Why nothing of a change (its entries for `service`: `left_by`) is pending there (it
    wrote nothing, or a killed rollback's restoration had ended); "" when it may have written:
    a write landed or unknown, not since undone — or an entry or journal not to be trusted."""
    if entries is None or any(e.problem or (e.wrote and e.state not in DONE) for e in entries):
        return ""
    if ended := sorted({e.state for e in entries if e.wrote}):
        return f"the journal says {service} is {', '.join(ended)}: nothing of it is pending"
    return f"it wrote nothing to {service}"


FINISHED = frozenset({State.PROMOTED, State.UPDATED})
"""The states in which a change is done with a service (its write proven, nothing left to
clean up): a lock the change left behind on it, killed while it went on with other services,
holds nothing back (`drift rollback CHANGE` can still undo it)."""


def finished(entries: list[Entry] | None) -> bool:
    """Whether a change's entries for one service (`left_by`) all ended in a finished state
    (and there is one, and the journal can be trusted)."""
    if not entries:
        return False
    return all(not e.problem and e.state in FINISHED for e in entries)


def remove(holder: Holder) -> bytes | None:
    """Delete a stale lock if it is still the one read (not one taken meanwhile): what its
    file held, or None when it was not deleted. Reading and deleting are one step for every
    drift command: each takes `TAKEOVER` (flock, freed by the system when a process dies)
    around them, so that of two commands taking over the same stale lock, the second finds
    the first one's new lock and leaves it."""
    with _takeover(holder.path.parent):
        if lockholder.read(holder.path) != holder:
            return None
        try:
            found = regular_bytes(holder.path)  # as read: never a pipe waited on
        except OSError:
            return None
        holder.path.unlink(missing_ok=True)
        return found


@contextmanager
def _takeover(directory: Path) -> Iterator[None]:
    """Hold the directory's takeover lock (none where `fcntl` is not: Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path = directory / TAKEOVER
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise unwritable(path, exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # frees the flock


def clear_stale(journal: Path, change_id: str) -> list[str]:
    """Remove the locks `change_id` left on services where nothing of it is pending, its
    process gone (a fix killed before its first write): one line for each removed."""
    directory = journal / "locks"
    paths = listed(directory, ".lock", "the journal's locks")
    out = []
    for path in paths:
        holder = lockholder.read(path)
        if holder is None or holder.change_id != change_id or not holder.stale:
            continue
        service = holder.service or path.stem
        nothing = unpending(left_by(journal, holder), service)
        if nothing and remove(holder) is not None:
            gone = f"that process is gone, and {nothing}"
            out.append(f"{service}: removed the lock left by {holder.describe()} ({gone})")
    return out
