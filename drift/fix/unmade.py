"""A fix that changes nothing leaves no journal behind (SPEC invariant 5: the journal is
where drift records its changes; a declined, stopped or locked-out fix made none)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from drift.fix.journalfiles import GITIGNORE

IGNORE = ".gitignore"


@contextmanager
def made_only_if_used(directory: Path) -> Iterator[None]:
    """Run the block; then remove the directories of `directory`'s path that it made (the
    journal, `.drift/`) and left with nothing in them but empty directories (`locks/`, its
    locks released) and drift's `.gitignore`. A directory holding anything else (an entry,
    another command's lock) stays, whole: its `.gitignore` too, and those above it."""
    made = []
    for part in (directory, *directory.parents):
        if part.exists() or part.is_symlink():
            break
        made.append(part)
    try:
        yield
    finally:
        for part in made:  # deepest first
            if not _removed(part):
                break


def _removed(directory: Path) -> bool:
    """Remove `directory` if it holds only empty directories and drift's `.gitignore`
    (`directory` gone already: True). Decided on the whole directory before anything is
    removed: a `.gitignore` listed before an entry was once unlinked and the entry kept, a
    journal left for `git add -A` (revown18)."""
    with suppress(OSError):
        if not directory.is_dir() or directory.is_symlink():
            return not directory.exists()
        return _only_drifts(directory) and _emptied(directory)
    return False


def _only_drifts(directory: Path) -> bool:
    """Whether everything in `directory` is drift's `.gitignore` or a directory (not a
    link) holding the same: nothing is removed here."""
    for name in os.listdir(directory):
        child = directory / name
        if name == IGNORE:
            if not _drifts_ignore(child):
                return False
        elif child.is_symlink() or not child.is_dir() or not _only_drifts(child):
            return False
    return True


def _emptied(directory: Path) -> bool:
    """Remove `directory` (judged `_only_drifts`): its directories first, each only when
    empty (rmdir), then its `.gitignore` only when it is the last name left, looked at right
    before; put back when something came meanwhile (another fix's entry) and the directory
    stays."""
    for name in os.listdir(directory):
        child = directory / name
        if name != IGNORE and not (child.is_dir() and not child.is_symlink() and _emptied(child)):
            return False
    if os.listdir(directory) not in ([], [IGNORE]):
        return False  # something came since it was judged: it stays, `.gitignore` and all
    ignore = directory / IGNORE
    kept = ignore.read_text() if ignore.exists() and _drifts_ignore(ignore) else None
    if kept is None and ignore.exists():
        return False
    ignore.unlink(missing_ok=True)
    try:
        os.rmdir(directory)
    except OSError:
        if kept is not None and not ignore.exists():
            _put_back(ignore, kept)
        raise
    return True


def _put_back(ignore: Path, text: str) -> None:
    """`.gitignore` written again as a new file, never through a link planted meanwhile
    (`write_text` would create the file a dangling link names: revattacker 5)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(ignore, flags | getattr(os, "O_CLOEXEC", 0), 0o666), "w") as out:
        out.write(text)


def _drifts_ignore(path: Path) -> bool:
    """Whether `path` is the `.gitignore` drift writes (a regular file, not a link)."""
    if path.is_symlink() or not path.is_file():
        return False
    return path.read_text(errors="replace").startswith(GITIGNORE.splitlines()[0])
