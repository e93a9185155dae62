"""A fix that changes nothing leaves no journal behind (SPEC invariant 5: the journal is
where drift records its changes; a declined, stopped or locked-out fix made none)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from drift.fix.journal import GITIGNORE


@contextmanager
def made_only_if_used(directory: Path) -> Iterator[None]:
    """Run the block; then remove the directories of `directory`'s path that it made (the
    journal, `.drift/`) and left with nothing in them but empty directories (`locks/`, its
    locks released) and drift's `.gitignore`. A directory holding anything else (an entry,
    another command's lock) stays, and so do those above it."""
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
    """Remove `directory` if it holds only empty directories and drift's `.gitignore`."""
    with suppress(OSError):
        if not directory.is_dir() or directory.is_symlink():
            return not directory.exists()
        for child in list(directory.iterdir()):
            if child.name == ".gitignore" and child.is_file() and not child.is_symlink():
                if not child.read_text(errors="replace").startswith(GITIGNORE.splitlines()[0]):
                    return False
                child.unlink()
            elif not (child.is_dir() and not child.is_symlink() and _removed(child)):
                return False
        os.rmdir(directory)
        return True
    return False
