"""Why a directory or a file cannot be written, in one wording wherever drift looks before it
writes (`init`'s profiles directory; a report's `--output`, `--json`, `--sarif`, the next
run's baseline): a file system mounted read-only is said as such — root cannot write there
either, so "not writable by this user" sent the reader to the permissions (helper-810) — and
a permission this user lacks as that."""

from __future__ import annotations

import os
from pathlib import Path

READ_ONLY = "is on a read-only file system"
NOT_PERMITTED = "is not writable by this user"


def unwritable(path: Path, *, directory: bool = True) -> str:
    """ "" when this user may write `path` (a directory: make a file in it, `W_OK | X_OK`; a
    file: write into it); else why, to follow its name: READ_ONLY or NOT_PERMITTED.

    access(2) says which ("EROFS: Write permission was requested for a file on a read-only
    filesystem", where EACCES or EPERM is a permission), but `os.access` only whether: the
    file system's own flag tells the two apart (statvfs(3), `ST_RDONLY`: "Read-only file
    system"). Asked only where access was refused: a device or a pipe on a read-only file
    system is written all the same (`/dev/stdout`), and access(2) grants it."""
    if os.access(path, os.W_OK | (os.X_OK if directory else 0)):
        return ""
    return READ_ONLY if read_only(path) else NOT_PERMITTED


def read_only(path: Path) -> bool:
    """Whether `path` is on a file system mounted read-only (False where it cannot be told:
    no statvfs on Windows, a path that cannot be looked at)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False
