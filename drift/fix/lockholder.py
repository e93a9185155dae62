"""Who holds a lock file (`drift.fix.lock`), whether that process is still there, and
whether a workload is held before anything of it is read."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drift.errors import Aborted
from drift.fix.journal import listed
from drift.fix.lockname import names
from drift.profiles.model import Profile
from drift.textsafe import visible


@dataclass(frozen=True)
class Holder:
    path: Path
    change_id: str
    pid: int
    host: str
    started: str
    command: str
    service: str = ""

    @property
    def stale(self) -> bool:
        """The process that took the lock is gone (only knowable on this host)."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def describe(self) -> str:
        return (
            f"change {self.change_id} ({self.command}, pid {self.pid} on {self.host}, "
            f"since {self.started})"
        )


def read(path: Path) -> Holder | None:
    """The lock's holder, its text fields shown safe (`visible`): every message naming a
    holder prints them, and a lock file is anyone's to write (a line break in it must not
    start a line of its choosing, such as a GitHub workflow command)."""
    try:
        data = json.loads(path.read_text())
        return Holder(
            path,
            visible(str(data["change_id"])),
            int(data["pid"]),
            visible(str(data["host"])),
            visible(str(data["started"])),
            visible(str(data.get("command", "fix"))),
            visible(str(data.get("service", ""))),
        )
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
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
    (`projects/{project}`): a number's lock for this region and name counts too. A stale
    lock is left to `Locks.acquire` (taken over, or refused with the way out)."""
    directory = journal / "locks"
    mine = names(f"projects/{project}/locations/{region}/{collection}/{name}")
    tails = {n.partition("--")[2] for n in mine}  # an older drift's name counts too
    paths = listed(directory, ".lock", "the journal's locks")
    for path in paths:
        head, _, rest = path.name.partition("--")
        if path.name not in mine and not (rest in tails and head.isdigit()):
            continue
        holder = read(path)
        if holder is not None and not holder.stale:
            return (
                f"{holder.service or name} is being changed by {holder.describe()}: wait for "
                f"it to finish (or, if that process is gone on {holder.host}, delete {path})"
            )
    return ""
