"""Writing a file a person or a pipeline will read: all of it or none of it. A report or a plan
cut short by a full disk, a kill or Ctrl-C is never left looking complete, and what the path
held before stays until the new text is whole. Reading one that must be a regular file: a
named pipe (which blocks until something writes it) or a device (`/dev/zero` never ends) is
refused before a byte is read."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path

from drift.errors import UsageError
from drift.partials import clear_stale, create
from drift.textsafe import visible


def file_in_the_way(directory: Path) -> Path | None:
    """The first path on the way to `directory` that is there and is not a directory (a link
    followed; a broken link or a link loop is in the way too): `kind_of` says what it is."""
    for folder in (*reversed(directory.parents), directory):
        if os.path.lexists(folder) and not folder.is_dir():
            return folder
    return None


def kind_of(path: Path) -> str:
    """What `path`, in the way of a directory, is: `a file`, or what `not_a_file` says."""
    return not_a_file(path) or "a file"


def not_a_file(path: Path) -> str | None:
    """What `path` is when it names something that is not a regular file (followed through
    links): `a directory`, `a named pipe`, `a symbolic link loop`, `a broken link (to …)`;
    None when it is a regular file, or when nothing has that name."""
    try:
        return not_regular(os.stat(path))
    except OSError as exc:
        try:
            os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as unseen:  # a directory on the way that cannot be searched (EACCES)
            return f"unreadable ({unseen.strerror or unseen})"
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        if exc.errno == errno.ENOENT:
            return f"a broken link (to {os.readlink(path)!r})"
        return f"unreadable ({exc.strerror or exc})"


def write_whole(path: Path, text: str, *, what: str = "", replace_links: bool = False) -> None:
    """Write `text` (UTF-8, whatever the locale) to `path`: to a temporary file beside its
    target (a link's target: the link stays), flushed to disk, then renamed over it. A path
    naming one of this process's descriptors (`/dev/stdout`, `/dev/fd/N`: `descriptor`) is
    written through that descriptor, whatever it leads to; any other path that is not a
    regular file (a named pipe, `/dev/null`) is written as it is, and so is a file of this
    user's that can be written but not renamed over (`_unreplaceable`). `replace_links` (a
    report, a SARIF log, a plan: `replaces_links`): a path that is a symbolic link is
    replaced by the file, the file it names left alone. `what` names the file in the error
    ("the plan"); the one error is a UsageError naming the path."""
    shown = f"{what} {visible(str(path))}".strip()
    data = text.encode("utf-8")
    try:
        if (fd := descriptor(path)) is not None:
            _write_through(fd, data)
            return
        if replace_links and (away := linked_out(path)):
            raise UsageError(f"cannot write {shown}: {away}")
        if replace_links and replaces_links(path):
            replace_whole(path, data)
            return
        info = followed(path)
        if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            with path.open("wb") as out:  # `/dev/stdout`: the pipe or terminal it is now
                out.write(data)
            return
        target = Path(os.path.realpath(path))
        # a file that exists keeps its permissions (a plan with credentials is made private
        # before it is written): the new text is never readable by more than the old was
        mode = stat.S_IMODE(info.st_mode) if info is not None else None
        try:
            replace_whole(target, data, mode)
        except OSError as exc:
            if mode is None or not _unreplaceable(target, exc):
                raise
            _write_in_place(target, data, exc)
    except OSError as exc:
        raise _not_written(shown, exc) from exc


def _not_written(shown: str, exc: OSError) -> UsageError:
    """`write_whole`'s one error. Where the temporary file beside the target could not be
    created (`staged`: a directory that takes no new file, as /proc's do), that file and its
    error are named: the target's own name with that error was wrong about which file failed
    (`cannot write /proc/self/comm: No such file or directory`, of a file that is there)."""
    why = exc.strerror or str(exc)
    beside = exc.filename if isinstance(exc.filename, str) else ""
    ours = os.path.basename(beside).startswith(".") and beside.endswith(".partial")
    # a rename that failed names both files (`filename2`: the target): the temporary file was
    # made, and it is the target that was refused (EPERM over another's file in a sticky
    # directory; helper-613 M7)
    ours = ours and exc.filename2 is None
    if not ours or not os.path.isdir(os.path.dirname(beside)):  # a directory gone: the target's
        return UsageError(f"cannot write {shown}: {why}")
    return UsageError(
        f"cannot write {shown}: the temporary file beside it, {visible(beside)}, cannot be "
        f"created: {why}",
        hint="drift writes a file whole: into a new file in the same directory, then renamed "
        "over it; name a file in a directory where files can be created",
    )


def replaces_links(path: Path) -> bool:
    """Whether writing a report to `path` replaces a link there rather than writing what it
    names: a link committed in a pull request (`drift.sarif -> ../../.gitconfig`, the
    action's default `sarif-file`) would otherwise have a CI run replace a file outside the
    workspace with its report (revattacker 4). A link to one of this process's descriptors
    (`/dev/stdout`) is the stream the shell handed drift, written through."""
    return path.is_symlink() and descriptor(path) is None


def linked_out(path: Path) -> str:
    """Why a report at `path` is not written: a directory on its way is a link that stands in
    the workspace and leads out of it (a pull request that commits `reports -> /home/runner`
    under a workflow whose `sarif-file` is `reports/drift.sarif`, or
    `${{ github.workspace }}/reports/drift.sarif`, would have the run replace the runner's own
    file: revown34 F6, revown36 F1); "" otherwise. Only such a link takes a path out: `../x`,
    `/tmp/r.json` or `/dev/stdout` go where the person who typed them meant (a link outside the
    workspace, macOS's /tmp -> /private/tmp, is not the pull request's), and a link that stays
    inside is usable. The path is followed as the kernel resolves it — each link before the
    `..` after it (`reports/../../drift.sarif` through `reports -> /home/runner/x/y` lands in
    /home/runner/x: revown35 F3, revown36 F2). The workspace is GitHub's checkout
    (GITHUB_WORKSPACE) when drift runs inside it — a monorepo job in `services/api` may keep
    `reports -> ../../reports` — else the working directory."""
    real = os.path.realpath(os.getcwd())
    roots = _workspaces(real)
    folder, written, met = (os.sep if path.is_absolute() else real), "", ("", "")
    for part in Path(os.path.dirname(path)).parts:
        written = os.path.join(written, part)
        if part in (os.sep, "."):
            continue
        if part == "..":
            folder = os.path.dirname(folder)  # of the directory reached: links already followed
            continue
        here, folder = folder, os.path.join(folder, part)
        if not os.path.islink(folder):
            continue
        to = os.path.realpath(folder)
        if (bound := _bound(here, roots)) and not _within(to, bound[0]):
            return _through(written, to, path, real, bound[1])
        met, folder = met if met[0] else (written, to), to
    lands = os.path.normpath(os.path.join(real, os.path.dirname(path)))  # as it reads
    if met[0] and (bound := _bound(lands, roots)) and not _within(folder, bound[0]):
        return _through(*met, path, real, bound[1])  # `here -> .` then `..`: out all the same
    return ""


def _through(link: str, to: str, path: Path, real: str, named: str) -> str:
    where = os.path.realpath(os.path.dirname(os.path.join(real, path)))
    return (
        f"{visible(link)} is a link to {visible(to)}, and through it {visible(str(path))} is "
        f"in {visible(where)}, outside {named}: drift does not write a report through it (a "
        "link committed in a pull request would have the run replace a file there); give the "
        "path without the link, or the directory it leads to if that is meant"
    )


def _workspaces(real: str) -> list[tuple[str, str]]:
    """The directories a link must not lead out of (resolved), outermost first, each with how a
    message names it: GitHub's workspace (GITHUB_WORKSPACE) whenever it is set — drift may run
    outside it (`working-directory: ${{ runner.temp }}`) and still write into it (revown37 F1)
    — and the working directory, unless it is inside that workspace (a monorepo job's
    `reports -> ../../reports` stays in the checkout)."""
    roots = []
    if workspace := os.environ.get("GITHUB_WORKSPACE", ""):
        roots.append((os.path.realpath(workspace), f"the workspace {visible(workspace)}"))
    if not roots or not _within(real, roots[0][0]):
        roots.append((real, f"the working directory {visible(real)}"))
    return roots


def _bound(place: str, roots: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The outermost of `roots` that holds `place` (a link standing there must not lead out
    of it), or None: a link outside them all is not the workspace's."""
    return next((root for root in roots if _within(place, root[0])), None)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def descriptor(path: Path) -> int | None:
    """The descriptor of this process `path` names (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`,
    `/proc/self/fd/N`, through any links to them), else None. Such a path is the stream the
    shell handed drift, not a file to replace: `--output /dev/stdout >> ci.log` opened the log
    for appending (POSIX `>>`: "as if the open() function was called with the O_APPEND flag"),
    and a temporary file renamed over `realpath('/dev/stdout')` would replace the whole log
    with the report (revown20 F1). Judged by name, one link at a time: the log named by its
    own path is a file like any other."""
    folders = {os.path.realpath(d) for d in ("/dev/fd", "/proc/self/fd") if os.path.isdir(d)}
    name = os.path.abspath(path)
    for _ in range(40):  # as many links as the kernel follows (ELOOP past them)
        parent, last = os.path.split(name)
        if last.isdigit() and os.path.realpath(parent) in folders:
            return int(last)
        try:
            name = os.path.normpath(os.path.join(parent, os.readlink(name)))
        except OSError:  # not a link (or nothing there): a path of its own
            return None
    return None


def _write_through(fd: int, data: bytes) -> None:
    """`data` written through descriptor `fd` as the shell opened it (appending if it was
    opened to append; never truncated, never replaced), after what drift's own streams hold
    (a message already printed stays before the report)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def followed(path: Path) -> os.stat_result | None:
    """What `path` is, followed through its links as opening it would (None: nothing there).
    Not `realpath`: `/dev/stdout` into a pipe resolves to `/proc/PID/fd/pipe:[N]`, a name
    that does not exist, while the link itself opens the pipe (revown18)."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _unreplaceable(target: Path, refused: OSError) -> bool:
    """Whether a file that exists may be writable and yet not replaceable by a rename: a file
    bind-mounted into a container (`docker run -v $PWD/report.json:/out/report.json`: a mount
    point cannot be renamed over, EBUSY; EXDEV where the rename crosses it), or a writable file
    in a directory this user cannot write (no temporary file beside it: EACCES). Not EPERM: in
    a sticky directory (`/tmp`) renaming over another user's file is refused with it (rename(2):
    "the directory containing oldpath has the sticky bit … set and the process's effective user
    ID is neither the user ID of the file to be replaced nor that of the directory"), and that
    file is theirs, never drift's to write into (`_write_in_place` checks the owner too)."""
    if refused.errno in (errno.EBUSY, errno.EXDEV):
        return True
    return refused.errno == errno.EACCES and not os.access(target.parent, os.W_OK)


def _write_in_place(target: Path, data: bytes, refused: OSError) -> None:
    """The file rewritten where it is (its inode, mode and mount kept), when it cannot be
    replaced whole (`_unreplaceable`) and is this user's (else `refused`, the rename's error:
    drift never writes into a file another user owns, who chose its mode and readers): not
    atomic, so a full disk or a kill midway leaves it cut short; better than a report that is
    never written. The owner is read from the file opened, not from its name."""
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "wb") as out:
        opened, user = os.fstat(fd), getattr(os, "geteuid", lambda: 0)()  # Windows: no owner
        if opened.st_uid != user or not stat.S_ISREG(opened.st_mode):
            raise refused
        os.ftruncate(fd, 0)
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def replace_whole(target: Path, data: bytes, mode: int | None = None) -> None:
    """Put `data` at `target` all at once: written to a temporary file beside it, flushed to
    disk, renamed over it (the temporary file removed whatever happens). `mode`: the new
    file's permissions (created private, then set), else what the umask gives. OSError as
    it comes."""
    partial = staged(target, data, mode)
    try:
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def staged(target: Path, data: bytes, mode: int | None = None, tag: str = "") -> Path:
    """`data` in a new temporary file beside `target` (`.NAME.PID.partial`, `.NAME.PID.TAG.
    partial` with a `tag`), flushed to disk: what `os.replace` then puts at `target` all at
    once, taking no room (`replace_whole`). `mode` as there. A file that cannot be written
    whole is removed; OSError as it comes."""
    partial = target.with_name(f".{target.name}.{os.getpid()}{f'.{tag}' if tag else ''}.partial")
    if not tag:  # a report's, a plan's (a journal's are tagged, in a folder git ignores)
        clear_stale(target)
    try:
        with os.fdopen(create(partial, 0o600 if mode is not None else 0o666), "wb") as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


class NotRegular(OSError):
    """`not a regular file (a named pipe)`: its strerror and its text."""

    def __init__(self, kind: str) -> None:
        super().__init__(0, f"not a regular file ({kind})")

    def __str__(self) -> str:
        return str(self.strerror)


def regular_bytes(path: Path, limit: int = -1, *, handed: bool = False) -> bytes:
    """The bytes of the regular file `path` (followed through links; at most `limit`); else
    NotRegular before a byte is read, and on the open descriptor (replaced meanwhile).
    `handed`: a pipe the shell handed drift too (`<(command)`), read as `read_bounded` does."""
    info = os.stat(path)
    if (kind := not_regular(info)) is not None and not (handed and stat.S_ISFIFO(info.st_mode)):
        raise NotRegular(kind)
    with os.fdopen(open_nonblocking(path), "rb") as handle:
        if (kind := not_regular(info := os.fstat(fd := handle.fileno()))) is not None:
            if not (handed and stat.S_ISFIFO(info.st_mode) and _handed(info, fd)):
                raise NotRegular(kind)
            os.set_blocking(fd, True)  # its writer is the shell's: wait for what it writes
        return handle.read(limit)


def read_bounded(path: Path, limit: int, *, devices: bool = True) -> bytes:
    """At most `limit` bytes of `path` (`/dev/zero` has no size): a file, a device, or a pipe
    drift was handed open (`--manifest <(terraform show -json plan)` names /dev/fd/63, a
    pipe whose writer the shell started). A named pipe in the file system is refused
    (NotRegular), as the profile reader refuses it: opening it waits until something writes
    it, for ever when nothing does. Opened without waiting (open_nonblocking), then checked
    on the descriptor; waiting on a pipe that was handed is then normal. `devices=False`: a
    character device (`/dev/zero`, `/dev/null`) is refused at once too, never read to `limit`."""
    fd = open_nonblocking(path)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISFIFO(info.st_mode) and not _handed(info, fd):
            raise NotRegular("a named pipe: drift waits for no writer; give a file or `<(command)`")
        if not devices and stat.S_ISCHR(info.st_mode):
            raise NotRegular(_file_kind(info.st_mode))
        os.set_blocking(fd, True)  # a pipe, a terminal: wait for what is written
        return handle.read(limit)


def _handed(info: os.stat_result, own: int) -> bool:
    """Whether the pipe `info` is also one of this process's descriptors other than `own`:
    one the shell handed drift (process substitution, a redirection, standard input)."""
    try:
        names = os.listdir("/dev/fd")  # Linux, macOS; a system without it has no FIFOs to hand
    except OSError:
        return False
    for name in names:
        if name.isdigit() and int(name) != own:
            try:
                other = os.fstat(int(name))
            except OSError:  # the descriptor listdir used, closed since
                continue
            if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
                return True
    return False


def not_regular(info: os.stat_result) -> str | None:
    """What a file is when it is not a regular one (`a named pipe`: reading it would block
    until something writes; `a character device`: `/dev/zero` never ends), else None."""
    return None if stat.S_ISREG(info.st_mode) else _file_kind(info.st_mode)


def open_nonblocking(path: Path) -> int:
    """A descriptor for reading `path` that never waits for a writer (a FIFO put there since
    it was checked) nor becomes the controlling terminal."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    return os.open(path, flags | getattr(os, "O_CLOEXEC", 0))


def _file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((kind for test, kind in kinds if test(mode)), "not a file")
