"""The journal's files on disk (`drift.fix.journal`): its directory listed (an unreadable one
named, never read as empty), the checksum file beside each entry and what it says of the entry
read back, and the file that stands where the journal's directory should be."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from drift.errors import JournalError, JournalUnreadable, JournalUnwritable
from drift.files import file_in_the_way, kind_of, regular_bytes, replace_whole, staged
from drift.textsafe import visible
from drift.writable import READ_ONLY

log = logging.getLogger(__name__)
EDITED = "it was edited"  # a checksum that does not match (read back by drift.fix.rollback_view)
CHECKSUM = ".sha256"
GITIGNORE = "# drift's journal: service configurations, never commit\n*\n"
UNJOURNALED = (
    "drift sends no write its journal has not recorded first (SPEC invariant 5): make room "
    "there, or choose another journal with --journal DIR (or DRIFT_JOURNAL_DIR)"
)
"""What to do when the journal cannot take what a change must record before its first write
(a full disk): `drift fix` again once it can, or elsewhere."""
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


_READ_ONLY = (
    "remount that file system read-write, or choose a journal on another file system with "
    "--journal DIR (or DRIFT_JOURNAL_DIR; a copy of this one to roll back a change it records)"
)
"""The way on from a journal on a file system mounted read-only: no permission makes it
writable, and a `drift rollback` needs the journal that records its change (task 833)."""


def unjournaled(exc: BaseException | None) -> str:
    """`UNJOURNALED`, its remedy the one the failure calls for: room on a full disk (or over
    a quota, or a file size limit), another file system where it is mounted read-only, write
    access where the directory is not ours, or anything else (helper-711 F4: a read-only
    journal was told to "make room there")."""
    cause = exc if isinstance(exc, OSError) else getattr(exc, "__cause__", None)
    if isinstance(cause, OSError) and cause.errno in _NO_ROOM:
        return UNJOURNALED
    if isinstance(cause, OSError) and cause.errno == errno.EROFS:
        return UNJOURNALED[: UNJOURNALED.index("make room")] + _READ_ONLY
    return UNJOURNALED.replace("make room there", "make it writable")


def unwritten(what: str, exc: OSError) -> JournalUnwritable:
    """The one error for a journal file (`what`: "write PATH", "create the lock PATH") that
    cannot be written before any write to the cloud: exit 4, nothing was changed, and the way
    on, whichever file it was (the entry's own: `drift.fix.context`). On a file system mounted
    read-only, the directory it is in is named in `drift.writable`'s words, as an output's is
    (the OS said only "Read-only file system", and drift "make it writable": task 833), and
    any other refusal names it too ("Permission denied in DIR": task 841)."""
    why = exc.strerror or str(exc)
    if isinstance(exc.filename, str | bytes | os.PathLike):
        where = Path(os.fsdecode(exc.filename)).parent  # the directory refused (task 841)
        why = f"{where} {READ_ONLY}" if exc.errno == errno.EROFS else f"{why} in {where}"
    return JournalUnwritable(f"cannot {what}: {why}: nothing was changed; {unjournaled(exc)}")


def listed(
    directory: Path, suffix: str, what: str, named: Callable[[str], bool] | None = None
) -> list[Path]:
    """The files of `directory` named `*suffix` (and taken by `named`), sorted ([] when there
    is no directory). Listed with `os.listdir`, whose PermissionError pathlib's `glob`
    swallows (an unreadable journal would look empty): JournalUnreadable naming the
    directory."""
    try:
        names = os.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise unreadable(directory, what, exc) from exc
    # sorted as names, a path made of those taken alone (paths of one directory sort as
    # their names do: a Path's own making and comparing is most of a listing of thousands)
    names = [n for n in names if n.endswith(suffix) and (named is None or named(n))]
    return [directory / n for n in sorted(names, key=os.path.normcase)]


def unreadable(directory: Path, what: str, exc: OSError) -> JournalUnreadable:
    """`cannot read the journal DIR: Permission denied (owned by uid 10001 …)`."""
    owner = ""
    try:
        uid = directory.stat().st_uid
        owner = f" (owned by uid {uid}; drift runs as uid {os.getuid()})"
    except (OSError, AttributeError):  # not even its owner can be read; Windows has no uid
        pass
    return JournalUnreadable(
        f"cannot read {what} {directory}: {exc.strerror or exc}{owner}: what it records is "
        "unknown; run drift as a user who can read it, or point at another journal with "
        "--journal DIR (or DRIFT_JOURNAL_DIR)"
    )


def _untrusted(info: os.stat_result, *, private: int, where: Path) -> str:
    """Why a journal file or directory is not this user's own as drift keeps it (ssh's
    StrictModes: owned by the user or root, and `private` bits clear), or an empty string.
    Group-writable is harmless when the group is the user's private group (`_own_group`), and
    the modes are not judged at all where the filesystem keeps none (`keeps_modes`): there
    the owner is all there is to judge."""
    me = os.geteuid()
    if info.st_uid not in (me, 0):
        return f"is owned by uid {info.st_uid}, not by uid {me} who runs drift"
    mode = stat.S_IMODE(info.st_mode)
    bad = mode & private
    if bad == 0o020 and _own_group(info.st_gid, info.st_uid):
        bad = 0
    if not bad or not keeps_modes(where):
        return ""
    who = " and ".join(w for w, bits in (("group", 0o070), ("others", 0o007)) if bad & bits)
    how = " and ".join(v for v, bits in (("read", 0o044), ("written", 0o022)) if bad & bits)
    return f"can be {how} by {who} (mode {mode:o})"


def _own_group(gid: int, uid: int) -> bool:
    """Whether group `gid` is `uid`'s private group: no other user has it as primary group or
    is a member of it. Debian and Ubuntu give each user such a group and umask 002
    (login.defs USERGROUPS_ENAB), so a directory made by hand is 0775; the OpenSSH they ship
    accepts exactly this ("Allow harmless group-writability", Colin Watson,
    debian/patches/user-group-modes.patch: `secure_permissions` in misc.c, where a
    group-writable file passes when its group's only member is the file's owner)."""
    try:
        import grp
        import pwd

        group = grp.getgrgid(gid)
        owner = pwd.getpwuid(uid).pw_name
        primary = [u.pw_uid for u in pwd.getpwall() if u.pw_gid == gid]
    except (ImportError, KeyError, OSError):
        return False
    if any(u != uid for u in primary) or any(m != owner for m in group.gr_mem):
        return False
    return bool(primary or group.gr_mem)  # a group of no one (a setgid binary's) is not theirs


_MODES_KEPT: dict[str, bool] = {}
NO_MODES = (
    "the journal {where} is on a filesystem that keeps no Unix modes (WSL's /mnt/c, vfat, "
    "SMB: every file reads {mode:o} whatever drift asks): drift judges its journal by its "
    "owner only there, and whoever the mount lets write it decides what `drift rollback` "
    "deploys; on a shared machine keep it on a Linux filesystem (--journal DIR)"
)


def keeps_modes(where: Path) -> bool:
    """Whether the filesystem of `where` (a journal directory, or the directory of an entry)
    keeps Unix modes: a new file drift creates there 0600 must read back 0600. Where it does
    not (WSL's /mnt/c without `metadata`, vfat/exFAT, SMB with file_mode=0777) nothing drift
    can do makes its own journal private, and refusing it would leave a change drift made
    that no rollback can undo (SPEC invariant 5). Only a file drift creates is probed: no
    one else's file is chmodded into trust. A probe that cannot be made (a read-only journal)
    counts as modes kept: judged as before. Said once per directory (a warning on drift's log)."""
    key = os.path.abspath(where)
    if key in _MODES_KEPT:
        return _MODES_KEPT[key]
    mode = _probe_mode(key)
    if mode is None:
        return True
    _sweep_probes(key)
    kept = not mode & 0o077
    _MODES_KEPT[key] = kept
    if not kept:
        log.warning(NO_MODES.format(where=visible(key), mode=mode))
    return kept


PROBE = ".drift-mode-probe-"


def _probe_mode(directory: str) -> int | None:
    """The mode a file drift creates 0600 in `directory` reads back, None when none can be
    made. The name is random (a run killed before its unlink leaves its probe behind, and
    drift is pid 1 in every container: a name by pid would be taken on every later run,
    revown35 F2), and the mode is read from the descriptor drift opened, before it is
    closed: by name, another user who can write the directory (the very case judged here)
    could swap in a 0666 file of theirs in between and have it judged modeless (revown35
    F1; CWE-367)."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(3):  # a name taken (never by chance: 64 random bits) is another one tried
        probe = os.path.join(directory, PROBE + secrets.token_hex(8))
        try:
            fd = os.open(probe, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            continue
        except OSError:
            return None
        try:
            return stat.S_IMODE(os.fstat(fd).st_mode)
        except OSError:
            return 0o600
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(probe)
    return None


def _sweep_probes(directory: str) -> None:
    """Remove the probes runs killed midway left in `directory`: drift's name, this user's
    regular files (the name alone: never a link's target, never another user's file)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            with contextlib.suppress(OSError):
                info = os.lstat(path)
                if name.startswith(PROBE) and stat.S_ISREG(info.st_mode):
                    if info.st_uid == os.geteuid() and not info.st_size:
                        os.unlink(path)


def trusted_directory(directory: Path) -> None:
    """Refuse a journal directory someone else could write: whoever can put a file in it (or
    rename one over an entry) decides what `drift rollback` deploys, and the checksum beside
    an entry is no signature. The boundary is the user, as for ssh (not a key of drift's: a
    journal must outlive a fresh HOME or container). A directory not there is not refused."""
    if not hasattr(os, "geteuid"):  # Windows: no uid, no mode bits to judge
        return
    try:
        info = directory.stat()
    except OSError:
        return
    if why := _untrusted(info, private=0o022, where=directory):
        fix = f"chmod 700 {directory}" if "mode" in why else f"chown {os.geteuid()} {directory}"
        raise JournalError(
            f"the journal {directory} {why}: anyone who can write it decides what `drift "
            f"rollback` deploys, so drift neither reads nor writes it; if it is yours, `{fix}`, "
            "or choose another journal with --journal DIR (or DRIFT_JOURNAL_DIR)"
        )


def untrusted_entry(path: Path) -> str:
    """Why the entry file `path` is not one drift wrote as this user (its owner another user;
    readable or writable by others: drift writes 0600, a file checked out from git or
    unpacked from an artifact is 0644), or an empty string. Such an entry is refused whatever
    its checksum says: a branch that force-adds `.drift/journal/2099…--service--web.json`
    with a matching `.sha256` must not be what `drift rollback --yes` deploys."""
    if not hasattr(os, "geteuid"):
        return ""
    try:
        info = os.stat(path)
    except OSError:
        return ""  # read next: what cannot be read is named there
    if not stat.S_ISREG(info.st_mode):
        return ""  # nor is its mode the matter: the read names what it is (a directory)
    if not (why := _untrusted(info, private=0o077, where=path.parent)):
        return ""
    fix = f"chmod 600 {path}" if "mode" in why else f"chown {os.geteuid()} {path}"
    return (
        f"journal file {path} {why}, and drift writes its entries 0600 as the user it runs as: "
        "it is not an entry drift left as it wrote it (a file checked out from git, unpacked "
        f"from an artifact, or another user's); if it is drift's own record, `{fix}`"
    )


ENTRY_BYTES = 64 * 2**20
"""The most an entry is read of: drift's hold a few workloads' configurations (a template is
at most a few MiB); a larger file is not one it wrote, and reading it whole could exhaust
memory before it is found out (revjournal93)."""
SUM_BYTES = 64 * 2**10
"""The most a checksum file is read of (drift's hold one digest a line)."""


def entry_bytes(path: Path) -> bytes:
    """The bytes of the journal entry `path` (a regular file: a named pipe would block, it is
    refused); ValueError past `ENTRY_BYTES`."""
    raw = regular_bytes(path, ENTRY_BYTES + 1)
    if len(raw) > ENTRY_BYTES:
        raise ValueError(f"larger than {ENTRY_BYTES // 2**20} MiB: not an entry drift wrote")
    return raw


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sum_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKSUM)


def create(directory: Path) -> None:
    """Create the directory (and `.drift/.gitignore`); one clear error if it cannot be.
    The `.gitignore` (`*`) goes into `.drift/`, drift's own, or into a journal directory
    drift creates now: never into a directory someone else made (`--journal .` in a
    repository's root would have git ignore every new file there)."""
    created = not directory.is_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = file_in_the_way(directory) or directory  # itself, if gone since (a race)
        raise JournalError(
            f"cannot create the journal {directory}: {blocker} is {kind_of(blocker)}, not a "
            "directory; move it away, or choose another journal with --journal or "
            "DRIFT_JOURNAL_DIR"
        ) from exc
    except OSError as exc:
        from drift.settings import journal_source

        where = f"create the journal {directory} (set by {journal_source(directory)})"
        raise unwritten(where, exc) from exc
    if not created:
        trusted_directory(directory)
    root = directory.parent if directory.parent.name == ".drift" else None
    if root is None and not created:
        return
    ignore = (root or directory) / ".gitignore"
    try:
        if (text := _ignore_text(ignore)) is not None:
            replace_whole(ignore, text.encode())  # whole or not at all, as entries are
    except OSError as exc:
        raise unwritten(f"write {ignore}", exc) from exc


def _ignore_text(ignore: Path) -> str | None:
    """What `.gitignore` must hold now, None when it already ignores everything (a line `*`;
    a user's own lines beside it are theirs). One that does not (left empty or cut short by
    a full disk or a kill before it was written whole, by an older drift) is written again:
    one that only began drift's text becomes drift's; a user's own lines are kept, with
    drift's after them (the last pattern that matches wins: `*`). A link is someone's
    arrangement, and so is what cannot be read: left as it is."""
    if ignore.is_symlink():
        return None
    try:
        before = regular_bytes(ignore).decode(errors="replace")
    except FileNotFoundError:
        return GITIGNORE
    except OSError:  # not a regular file, or not this user's to read: as it was before
        return None
    if "*" in (line.strip() for line in before.splitlines()):
        return None
    if GITIGNORE.startswith(before):
        return GITIGNORE
    return before + ("" if before.endswith("\n") else "\n") + GITIGNORE


def write_pair(target: Path, data: bytes, both: bytes, new: bytes) -> None:
    """Replace the entry `target` with `data`, and its checksum. Its three files — the checksum
    accepting both versions (`both`), the entry, the checksum of the new one alone (`new`) —
    are each written whole and flushed before any is renamed into place: a full disk leaves
    the entry and its checksum as they were, no temporary file behind (OSError). The renames,
    in that order, take no room; a crash between any two leaves an entry that matches its
    checksum. Once the entry is in place it is recorded: the last rename failing leaves a
    checksum that accepts it too, so memory and output never disagree with the file."""
    checksum = sum_path(target)
    partials: list[Path] = []
    try:
        for tag, (path, content) in enumerate(((checksum, both), (target, data), (checksum, new))):
            partials.append(_staged(path, content, str(tag)))
        os.replace(partials[0], checksum)
        os.replace(partials[1], target)
        with contextlib.suppress(OSError):
            os.replace(partials[2], checksum)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)


def _staged(target: Path, data: bytes, tag: str) -> Path:
    return staged(target, data, 0o600, tag)  # the journal is private


def probe(directory: Path) -> None:
    """Whether drift may write an entry in `directory`, found before `fix` or `rollback` asks
    its question (a "yes" that only fails on the entry: task 841): a file created there, as an
    entry's partial is, then removed. JournalUnwritable naming the directory (the OS said only
    "Permission denied"). A disk that fills later is found at the entry, as before."""
    path = directory / f".probe.{os.getpid()}.partial"
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))  # never a link
        path.unlink()
    except OSError as exc:
        named = "" if exc.filename else f" {directory}"  # else "… in DIR" (`unwritten`)
        raise unwritten(f"write an entry in the journal{named}", exc) from exc


def not_another(
    target: Path, existing: bytes | None, identity: tuple[str, str, str], name: str
) -> None:
    """Raise OSError when `target` holds another workload's (or change's) entry than the one
    of `identity` (`Entry.identity`; `name`: its workload): never written over (SPEC
    invariant 10: rollback needs every entry)."""
    if existing is None:
        return
    try:
        data = json.loads(existing)
        theirs = (data["change_id"], data.get("kind", "service"), data["full_name"])
    except (ValueError, TypeError, KeyError, RecursionError):
        theirs = None
    if theirs != identity:
        raise OSError(f"it holds another entry than {name}'s; nothing written over it")
