"""Who holds a lock file (`drift.fix.lock`), and whether that process is still there.

A lock names its process (pid, host, start time). Whether that process is gone is judged, on
its own host only, from the strongest evidence at hand:

1. The flock its writer holds on it. drift takes an exclusive flock on the lock file as it
   creates it and keeps it until it releases the lock; the kernel drops it when the process
   ends, however it ends (kill -9 included). A lock that says so (`flock`) and whose flock
   nobody holds was left by a process that is gone; one whose flock is held is held. This
   holds across pid namespaces: two containers with one hostname (`docker run --network
   host`, `--hostname`), each running drift as PID 1, share one journal safely.
2. Else (a lock an older drift wrote, or a file system without flock) its pid. A lock naming
   this very process that this process does not hold was left by an earlier process that had
   the same pid: drift is PID 1 in its image (Dockerfile ENTRYPOINT), so a container that
   comes back with the same hostname is PID 1 again. Another pid that is alive may have been
   reused: on Linux, the start time of the process now behind it
   (`/proc/PID/stat` field 22, starttime, "the time the process started after system boot",
   in clock ticks: proc(5)) is compared with the lock's — exactly, by the writer's own
   starttime and boot id (`process`) when the lock records them, else with its `started`:
   a process that started after the lock was written did not write it. A pid is judged only
   in the writer's own pid namespace (`pidns`, when the lock records it): another one's pid
   (a sibling container's, of one hostname: its pid 1 is this process here, its pid 7 may be
   none here) says nothing of its process, whose lock is then held (delete it by hand)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drift.errors import Aborted
from drift.files import regular_bytes
from drift.fix.journalfiles import listed
from drift.fix.lockname import names, other_forms
from drift.live.api import parent
from drift.profiles.model import Profile
from drift.textsafe import visible

HELD: set[Path] = set()
"""The lock files this process holds now (`drift.fix.lock.Locks` adds and drops them)."""

PID_LIMIT = 2**31
"""Above every pid (`pid_t` is a signed 32-bit int on Linux and macOS): a lock naming one was
not written by drift, and is one that cannot be read."""

SLACK = dt.timedelta(seconds=5)
"""How much later than a lock's `started` (whole seconds) the process behind its pid may
seem to have started and still be the one that wrote it: the boot time /proc gives is whole
seconds too."""


@dataclass(frozen=True)
class Holder:
    path: Path
    change_id: str
    pid: int
    host: str
    started: str
    command: str
    service: str = ""
    process: str = ""
    """The writer's own start (`process_token`): "" when the lock does not record it."""
    flocked: bool = False
    """The writer holds an flock on the lock file for as long as it holds the lock."""
    pidns: str = ""
    """The writer's pid namespace (`pid_namespace`): "" when the lock does not record it."""

    @property
    def stale(self) -> bool:
        """The process that took the lock is gone (only knowable on this host)."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return False
        if self.flocked:
            free = unlocked(self.path)
            if free is not None:
                return free
        if self.pidns and self.pidns != pid_namespace():
            return False  # its pid is another namespace's (a sibling container's): unknowable
        if self.pid == os.getpid():
            return self.path not in HELD  # an earlier process with this pid wrote it
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, someone else's
        return self._reused()

    @property
    def alive(self) -> bool:
        """Its process is proven alive: on this host, its flock held, or else its pid alive
        (not reused) in this pid namespace. False when it is gone, and when that cannot be
        told from here (another host, another pid namespace), which `stale` counts as held
        (helper-669 F3: a fix killed in a container of another hostname was said running)."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return False
        if self.flocked and (free := unlocked(self.path)) is not None:
            return not free
        if self.pidns and self.pidns != pid_namespace():
            return False
        return not self.stale

    def _reused(self) -> bool:
        """The pid is alive, but its process started after this lock was written."""
        now = process_token(self.pid)
        if self.process and now:
            return now != self.process
        began = process_start(self.pid)
        try:
            written = dt.datetime.fromisoformat(self.started)
        except ValueError:
            return False
        if written.tzinfo is None:
            written = written.replace(tzinfo=dt.UTC)
        return began is not None and began > written + SLACK

    def describe(self) -> str:
        return (
            f"change {self.change_id} ({self.command}, pid {self.pid} on {self.host}, "
            f"since {self.started})"
        )


LOCK_BYTES = 64 * 1024
"""More than any lock drift writes holds (a few hundred bytes: `drift.fix.lock.Locks._write`)."""


def read(path: Path) -> Holder | None:
    """The lock's holder, its text fields shown safe (`visible`): every message naming a
    holder prints them, and a lock file is anyone's to write (a line break in it must not
    start a line of its choosing, such as a GitHub workflow command). Read as the journal's
    entries are (`regular_bytes`): a named pipe there is refused before it is opened (opening
    it would wait for a writer for ever: fifo(7)), and a file larger than any lock drift writes
    is no lock of drift's; either is a lock that cannot be read (None)."""
    try:
        raw = regular_bytes(path, LOCK_BYTES + 1)
        if len(raw) > LOCK_BYTES:
            return None
        data = json.loads(raw)
        if int(data["pid"]) >= PID_LIMIT:  # no process has it: `os.kill` would overflow
            return None
        return Holder(
            path,
            visible(str(data["change_id"])),
            int(data["pid"]),
            visible(str(data["host"])),
            visible(str(data["started"])),
            visible(str(data.get("command", "fix"))),
            visible(str(data.get("service", ""))),
            str(data.get("process", "")),
            data.get("flock") is True,
            str(data.get("pidns", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


@functools.cache
def room_for_locks() -> None:
    """Raise this process's soft limit of open files to its hard limit (capped at 10,240,
    macOS's OPEN_MAX): a command holds every lock it takes open, for its flock (two per
    service, `drift.fix.lock`), and macOS's default soft limit of 256 stopped a fix of 128
    services with "Too many open files". setrlimit(2): an unprivileged process may raise its
    soft limit up to its hard limit. Once a process; where it cannot, the limit stays."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no such limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 10_240 if hard == resource.RLIM_INFINITY else min(hard, 10_240)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass  # the open that needs more says so (EMFILE), as it did before


def take_flock(fd: int) -> bool:
    """Hold an exclusive flock on the lock file `fd` is open on (until `fd` is closed):
    False where there is none (Windows, a file system that refuses it)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def unlocked(path: Path) -> bool | None:
    """Whether nobody holds the flock of the lock file (None: cannot tell). A shared flock is
    asked for, never waited on, and let go at once: it fails while the writer holds its
    exclusive one (flock(2): locks of two open files conflict, even within one process)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a pipe put there since: no wait
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    finally:
        os.close(fd)  # frees the shared flock too
    return True


def pid_namespace() -> str:
    """This process's pid namespace, as `/proc/self/ns/pid` names it (`pid:[INODE]`, unique
    on a host while the namespace lives: namespaces(7)); "" where /proc cannot tell."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def process_token(pid: int) -> str:
    """`BOOT_ID/STARTTIME` of a process ("" where /proc cannot tell): equal for one process,
    different for another that got the same pid later."""
    ticks = _starttime(pid)
    if ticks is None:
        return ""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{boot}/{ticks}"


def process_start(pid: int) -> dt.datetime | None:
    """When a process started (the boot time in /proc/stat, `btime`, plus its starttime)."""
    ticks = _starttime(pid)
    if ticks is None:
        return None
    try:
        lines = Path("/proc/stat").read_text().splitlines()
        boot = next(int(line.split()[1]) for line in lines if line.startswith("btime "))
        per_second = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return dt.datetime.fromtimestamp(boot + ticks / per_second, dt.UTC)


def _starttime(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat. The second field, the command in parentheses, may hold
    spaces and parentheses itself: the fields are counted after its last `)`."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return int(text.rpartition(")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def not_held(journal: Path, profile: Profile, keys: Iterable[str]) -> None:
    """Raise Aborted when another drift command holds one of the profile's workloads `keys`
    (its canary may be deploying: a read would wait for it, then find nothing to patch)."""
    said = [
        held(journal, profile.project, profile.region, p.kind.collection, p.name)
        for p in (profile.services[key] for key in keys)
    ]
    if any(said):
        raise Aborted("; ".join(s for s in said if s) + ": nothing was changed")


def held(journal: Path, project: str, region: str, collection: str, name: str) -> str:
    """ "" when no running drift command holds the workload's lock; else one line naming the
    change that does. For a check before anything is read (a deploy in progress is waited
    for while reading: a second fix would wait on the first one's canary). The lock is named
    after the resource name the API returned, whose project may be the id or the number
    (`projects/{project}`): a lock under the other form counts too (`other_forms`). A stale
    lock is left to `Locks.acquire` (taken over, or refused with the way out)."""
    directory = journal / "locks"
    full_name = f"{parent(project, region)}/{collection}/{name}"
    mine = names(full_name)
    paths = listed(directory, ".lock", "the journal's locks")
    either = set(other_forms(full_name, [p.name for p in paths]))  # the project's other form
    own = [p for p in paths if p.name in mine or p.name in either]
    for path in own:
        holder = read(path)
        if holder is not None and not holder.stale:
            # every file of it: a drift holds the lock under two names (`Locks.acquire`), and
            # the one left stops the next command again (helper-592 F2)
            files = " and ".join(str(p) for p in own)
            return (
                f"{holder.service or name} is being changed by {holder.describe()}: wait for "
                f"it to finish (or, if that process is gone on {holder.host}, delete {files})"
            )
    return ""
