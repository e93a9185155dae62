"""The temporary files drift writes a file whole through (`.NAME.PID.partial` beside it:
`drift.files.staged`): each made new and held locked while it is written, and those a killed
drift left beside the same file removed by the next write of it.

A `kill -9` (or a crash, a power cut) between the write and the rename leaves one behind, which
`git add .` would pick up. Only what is certainly a dead drift's own is removed: a regular file
of this user named `.NAME.PID.partial` for the very file written now, in its folder, of another
pid than this process's that runs no process here, untouched for `STALE_AFTER`, and that no
process holds locked. The lock (flock(2), held by the writer until its file is closed) is what
tells a live writer in another pid namespace (two containers writing one bind-mounted folder:
its pid means nothing here); the age covers a writer that holds none (an older drift) in the
instant between closing its file and renaming it. Where no lock can be taken (Windows, a file
system without locks) nothing is removed."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock, and os.kill(pid, 0) would end the process
    fcntl = None  # type: ignore[assignment]

STALE_AFTER = 60.0
"""Seconds a temporary file is left untouched before it may be a dead writer's."""


def create(partial: Path, mode: int) -> int:
    """A new file at `partial`, never one found there: in a directory others can write, a
    link planted under the name would have drift write (and truncate) the file it names.
    One found there (a run killed under the same pid: drift is pid 1 in every container) is
    removed, the name alone (a link, never what it names), and the file created anew. Locked
    while it is open (`clear_stale` leaves it alone)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(partial, flags, mode)
    except FileExistsError:
        partial.unlink()
        fd = os.open(partial, flags, mode)
    if fcntl is not None:
        with contextlib.suppress(OSError):  # no locks on this file system: written all the same
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def clear_stale(target: Path) -> None:
    """Remove the temporary files a dead drift left beside `target` (see the module); any
    error leaves the file where it is."""
    if fcntl is None:
        return
    own = re.compile(rf"\.{re.escape(target.name)}\.([1-9][0-9]{{0,9}})\.partial")
    try:
        names = [n for n in os.listdir(target.parent) if n.startswith(f".{target.name}.")]
    except OSError:
        return
    for name in names:
        found = own.fullmatch(name)
        if found is None or int(found[1]) == os.getpid() or _alive(int(found[1])):
            continue
        with contextlib.suppress(OSError):
            _remove_if_dead(target.parent / name)


def _alive(pid: int) -> bool:
    """Whether a process `pid` runs here (another user's too: EPERM)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def _remove_if_dead(partial: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(partial, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return
        if time.time() - info.st_mtime < STALE_AFTER:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: a live writer's (or no locks here: not known)
            return
        now = os.lstat(partial)
        if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
            partial.unlink()
    finally:
        os.close(fd)
