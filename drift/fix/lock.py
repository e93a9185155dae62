"""One writer per service (SPEC invariant 11): before its first write, `fix` or `rollback`
takes a lock file in the journal directory (`locks/PROJECT--REGION--COLLECTION--NAME.lock`,
and the older name `drift.fix.lockname`), appearing whole or not at all, naming the change,
the process, the host and the start time; a second command on the service stops (exit 4).

A lock whose process is gone (`drift.fix.lockholder`: on its host, its flock let go, or its pid
gone or reused) was left by a killed `fix`: it is reported as stale, never waited on. If its
change wrote nothing to that service (no journal entry of it with a write that landed or whose
outcome is unknown: the fix was killed at its prompt, say), or its change of that service had
finished (promoted, updated: killed while it went on with another service), or its last
write is what the workload holds as a `fix` reads it (`drift.fix.landed_before`), the next
command takes it over and says so in one line, and `drift rollback` of that change removes a lock
with nothing of it pending (or its rollback's restoration had ended). Otherwise `drift
rollback` of that very change takes it over (that is how a killed fix is finished); anything
else refuses and says the two ways out: roll that change back, or delete the lock file once
the service is known to be as it should be. A lock from another host is treated as held.
What the journal says of a stale lock, and its removal: `drift.fix.locktakeover`."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from drift.errors import OutputLost
from drift.fix import lockholder
from drift.fix.journal import Entry, now_text
from drift.fix.journalfiles import listed
from drift.fix.lockholder import HELD, Holder, held, not_held, process_token, take_flock
from drift.fix.lockname import legacy_name, lock_name, other_forms
from drift.fix.locktakeover import finished, left_by, remove, unpending, unwritable

__all__ = ["Holder", "Landed", "Locked", "Locks", "held", "not_held"]

Landed = Callable[[list[Entry]], str]
"""Why a stopped change's entries for one workload have all finished, now recorded so ("":
not proven; nothing recorded): `drift.fix.landed_before.landed_on`."""

log = logging.getLogger(__name__)
NO_LINKS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
)  # what `link` fails with without hard links (some network, FUSE): created in place then


class Locked(Exception):
    """A service is held by another change (see `message`)."""

    def __init__(self, message: str, holder: Holder | None) -> None:
        super().__init__(message)
        self.message = message
        self.holder = holder


class Locks:
    """The locks one command holds; released on exit (also on Ctrl-C and errors)."""

    def __init__(
        self,
        journal: Path,
        change_id: str,
        command: str,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.directory = journal / "locks"
        self.change_id = change_id
        self.command = command
        self.say = say
        """How a lock taken over is said (one line); without it, a warning on drift's log."""
        self.held: list[Path] = []
        self.notes: list[str] = []
        """What was said about locks taken over."""
        self._said: set[tuple[str, str, int, str]] = set()
        """Each (service, change, pid, host) whose lock was taken over: said once, though
        the lock under its older name (`partners`) was written a moment later (its `since`
        in another second)."""
        self.deferred: dict[str, list[str]] | None = None
        """Set ({}): what is said about a lock taken over waits here, by service, for that
        service's own ordered output (`fix --yes` concurrent: `drift.fix.each`), said by
        `notes_of` or `flush`; None: said at once."""
        self.taken: dict[Path, bytes] = {}
        """The locks taken over from a stopped command, each with what its file held (a
        `drift rollback` that wrote nothing puts them back as it found them: `give_back`)."""
        self._fds: dict[Path, int] = {}
        """The open lock files whose flock says this process holds them."""
        self.partners: dict[Path, Path] = {}  # each lock held, with its older name
        self._landed: Landed | None = None  # the workload's being acquired (`acquire`)
        self._pair: tuple[Path, ...] = ()  # its two lock files (`acquire`, `_named`)
        lockholder.room_for_locks()

    def __enter__(self) -> Locks:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def acquire(
        self, full_name: str, service: str, *, take_over: str = "", landed: Landed | None = None
    ) -> None:
        """Take the lock of a service, or raise Locked (`take_over`: a change whose stale lock
        may be taken over; `landed`: whether a stopped change's last write is what the service
        holds, `drift.fix.landed_before`). Held under its name and the one drifts before
        c693650 take and check (`legacy_name`), so they see it too: both or neither, released
        together, each a whole lock (same body, own flock), so a crash leaves stale locks
        cleared as any is."""
        path, legacy = self.path(full_name), self.directory / legacy_name(full_name)
        had = {p for p in (path, legacy) if p in self.held}
        self._landed, self._pair = landed, (path, legacy)
        self._take(path, service, take_over)
        try:
            self._take(legacy, service, take_over)
            # then a lock under the project's other form (id or number, `other_forms`),
            # judged as this one would be: held, it stops this command (taken first, so of
            # two commands racing one at least sees the other's)
            present = [p.name for p in listed(self.directory, ".lock", "the journal's locks")]
            for other in other_forms(full_name, present):
                self._free(self.directory / other, service, take_over)
        except BaseException:
            for mine in (path, legacy):
                if mine in self.held and mine not in had:
                    self._let_go(mine)
            raise
        self.partners[path] = legacy

    def path(self, full_name: str) -> Path:  # a workload's lock (its other: `partners`)
        return self.directory / lock_name(full_name)

    def _take(self, path: Path, service: str, take_over: str) -> None:
        for _ in range(2):
            if self._create(path, service):
                return
            if self._free(path, service, take_over) == "ours":
                return
        raise Locked(f"{service}: another drift command took the lock {path} meanwhile", None)

    def _let_go(self, path: Path) -> None:  # taken now, its companion not
        if path not in self.give_back([path] if path in self.taken else []):
            path.unlink(missing_ok=True)
            self._drop(path)

    def _named(self, path: Path) -> str:
        """`path` as a message tells the operator to delete it: with its companion where it
        is one of the workload's two lock files and the other is there too (deleting one, the
        other stops the next command again: helper-592 F2)."""
        pair = [p for p in self._pair if p == path or p.exists()] if path in self._pair else []
        return " and ".join(str(p) for p in pair or [path])

    def _free(self, path: Path, service: str, take_over: str) -> str:
        """Judge the lock at `path`: raise Locked when it is held (or cannot be read), "ours"
        when this command took it (never for its change id and pid alone: an earlier process
        with this pid may have left it, `Holder.stale`), else remove it when stale and free
        to take over ("")."""
        if path in self.held:
            return "ours"
        holder = lockholder.read(path)
        if holder is None:
            if not path.exists():
                return ""  # removed meanwhile
            raise Locked(
                f"{service}: the lock file {path} exists but cannot be read; if no drift "
                f"command is changing the service, delete {self._named(path)}",
                None,
            )
        if not holder.stale:
            raise Locked(
                f"{service} is being changed by {holder.describe()}: wait for it to "
                f"finish (or, if that process is gone on {holder.host}, delete "
                f"{self._named(path)})",
                holder,
            )
        entries = left_by(self.directory.parent, holder)
        if take_over and holder.change_id == take_over:
            why = "that process is gone"
        elif nothing := unpending(entries, service):
            why = f"that process is gone, and {nothing}"
        elif finished(entries):
            why = f"that process is gone, and its change of {service} had finished"
        elif self._landed is not None and entries and (landed := self._landed(entries)):
            why = f"that process is gone, and {landed}"
        else:
            raise Locked(
                f"{service}: {holder.describe()} did not finish (that process is gone: "
                "stopped mid-change, or ended with its outcome not known) and left its lock: "
                f"run `drift rollback {holder.change_id}` to undo "
                f"it, or delete {self._named(path)} if {service} is as it should be",
                holder,
            )
        found = remove(holder)
        if found is not None:
            self.taken[path] = found
            note = f"{service}: took over the lock left by {holder.describe()} ({why})"
            self._note(note, service, (service, holder.change_id, holder.pid, holder.host))
        return ""

    def notes_of(self, service: str) -> list[str]:
        """What was deferred about `service`'s lock, taken from the waiting notes."""
        return self.deferred.pop(service, []) if self.deferred is not None else []

    def flush(self) -> None:
        """Say every deferred note not said by its service's output yet (a service that never
        started: its lock was taken over all the same), in the order they were taken."""
        waiting = [n for notes in (self.deferred or {}).values() for n in notes]
        if self.deferred is not None:
            self.deferred.clear()
        for note in waiting:
            self._say(note)

    def _note(self, note: str, service: str, holder: tuple[str, str, int, str]) -> None:
        if holder in self._said:  # the same lock under its older name
            return
        self._said.add(holder)
        self.notes.append(note)
        if self.deferred is not None:
            self.deferred.setdefault(service, []).append(note)
        else:
            self._say(note)

    def _say(self, note: str) -> None:
        if self.say is not None:
            self.say(note)
        else:
            log.warning("%s", note)

    def _create(self, path: Path, service: str) -> bool:
        """Create the lock file, or False when one exists. It appears whole: written to a
        file of its own first, then linked to its name (`link` fails when the name exists),
        so a second command never reads a lock still being written (and told to delete it);
        its flock (`drift.fix.lockholder`) is taken before it is written, so it is held from
        the moment it appears. A lock that cannot be created or written whole (a read-only
        or full disk) raises JournalError naming it, and leaves no half-made lock behind to
        block the next one."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:  # FileExistsError too: a file where the directory should be
            raise unwritable(path, exc) from exc
        draft = path.with_name(f".{path.name}.{os.getpid()}.{id(self):x}.draft")
        fd = -1
        try:
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._write(fd, service)
            os.link(draft, path)
        except FileExistsError:
            _close(fd)
            return False
        except OSError as exc:
            _close(fd)
            if exc.errno not in NO_LINKS:
                raise unwritable(path, exc) from exc
            return self._create_in_place(path, service)
        finally:
            with contextlib.suppress(OSError):  # a draft left is never read as a lock (not *.lock)
                draft.unlink(missing_ok=True)
        self._hold(path, fd)
        return True

    def _create_in_place(self, path: Path, service: str) -> bool:
        """`_create` where the file system has no hard links: created (O_EXCL), then written
        (a second command may read it empty meanwhile, and is told so)."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        except OSError as exc:
            raise unwritable(path, exc) from exc
        try:
            self._write(fd, service)
        except OSError as exc:
            _close(fd)
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass  # the error below names the file
            raise unwritable(path, exc) from exc
        self._hold(path, fd)
        return True

    def _write(self, fd: int, service: str) -> None:
        """Write the lock's body into `fd`, left open: its flock, taken first, is held for
        as long as the lock is (`release`)."""
        body = {
            "change_id": self.change_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": now_text(),
            "command": self.command,
            "service": service,
            "process": process_token(os.getpid()),
            "flock": take_flock(fd),
            "pidns": lockholder.pid_namespace(),
        }
        data = json.dumps(body).encode()
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)

    def _hold(self, path: Path, fd: int) -> None:
        self.held.append(path)
        self._fds[path] = fd
        HELD.add(path)

    def _drop(self, path: Path) -> None:
        """No longer hold `path` (its file stays as it is): its flock is let go."""
        self.held[:] = [p for p in self.held if p != path]
        HELD.discard(path)
        _close(self._fds.pop(path, -1))

    def keep(self, full_name: str) -> Path | None:
        """Leave the lock of a service in place at exit (an unfinished change), under both
        its names: its path. It is then a stopped change's lock, as a process that ends
        leaves it (its flock let go), for `drift rollback CHANGE` to take over."""
        path = self.path(full_name)
        if path not in self.held:
            return None
        for one in filter(None, (path, self.partners.get(path))):
            self._drop(one)
        return path

    def give_back(self, paths: Iterable[Path] | None = None) -> list[Path]:
        """Put the locks taken over from a stopped command (`paths`, default all, each with
        its older name) back as found, byte for byte, and hold them no more: a command that
        wrote nothing under them leaves them naming the command that stopped. Each is written
        beside and renamed over this command's own lock (one step: never absent)."""
        wanted = list(self.taken if paths is None else paths)
        wanted += [self.partners[p] for p in wanted if p in self.partners]
        back = []
        for path in [p for p in dict.fromkeys(wanted) if p in self.held and p in self.taken]:
            draft = path.with_name(f".{path.name}.{os.getpid()}.{id(self):x}.back")
            try:
                draft.write_bytes(self.taken[path])
                os.chmod(draft, 0o600)
                os.replace(draft, path)
            except OSError as exc:  # this command's own lock stays in its place
                log.warning("could not put back the lock %s as it was found: %s", path, exc)
                draft.unlink(missing_ok=True)
            self._drop(path)
            back.append(path)
        return back

    def release(self) -> None:
        """Remove the locks held (the file first, then its flock: a lock whose flock is let
        go is another command's to take over). One whose file cannot be removed (the journal's
        file system turned read-only mid-command) is let go all the same and said, naming it:
        never an error that replaces what the command itself has to say. It is then a stopped
        command's lock, judged as any (taken over when nothing of its change is pending)."""
        stuck: list[str] = []
        reason = ""
        for path in list(self.held):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                stuck.append(str(path))
                reason = reason or str(exc.strerror or exc)
            self._drop(path)
        if stuck:
            note = (
                f"could not remove the lock {', '.join(stuck)} ({reason}): the next drift "
                f"command takes it as a stopped command's (change {self.change_id}); delete it "
                "once the journal's file system is writable again"
            )
            try:
                self._say(note)
            except (OSError, OutputLost):  # the output is gone too: the log has it
                log.warning("%s", note)


def _close(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):  # closed already
            os.close(fd)
