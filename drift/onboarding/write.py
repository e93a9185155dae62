"""Writing the profile `init` drafted: never over one that exists unless forced, never over one
that extends another; validated by reading it back before it is moved into place, whole or not
at all; into a profiles directory it creates when that is missing (said), never into a
missing tree of them (a typo); the JSON Schema its `$schema` line names written beside it,
and one already there kept unless it is this drift's (said) or `--force` replaces it."""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path
from typing import Any

from drift.errors import ProfileError, UsageError
from drift.files import file_in_the_way, not_regular, write_whole
from drift.profiles.model import Profile
from drift.textsafe import visible
from drift.writable import READ_ONLY, unwritable
from drift.yamlfile import display_path

SCHEMA_FILE = "profile.schema.json"
SCHEMA_ID = "urn:drift:profile"  # the `$id` of what `drift profiles schema` prints
_SCHEMA_READ = 4 << 20  # drift's is ~80 KB: a larger file is none of drift's, not read whole
_IN_THE_WAY = "not a file but "


def refuse_overwrite(path: Path, force: bool, source: str = "") -> None:
    """Refuse to write the profile `path` into a directory that cannot hold it
    (`refuse_directory`: `source`, where it was set), over one that exists unless `force`,
    and over one that extends another."""
    refuse_directory(path, source)
    shown = named(path)
    if path.is_symlink() and not Path(os.path.realpath(path)).parent.is_dir():
        raise UsageError(  # said now, not as "No such file or directory" after the reads
            f"cannot write {shown}: it is a link to {visible(os.readlink(path))}, whose "
            "directory does not exist; nothing was written",
            hint="remove the link, or create the directory it leads into",
        )
    if path.exists() and (kind := not_regular(path.stat())) is not None:
        raise UsageError(  # --force or not: it is somebody's, and no file to write over
            f"{shown} is {kind}, not a profile; nothing was written",
            hint="move it away, or choose another environment name",
        )
    if path.exists() and not force:
        raise UsageError(
            f"{display_path(path)} already exists; nothing was written",
            hint="pass --force to overwrite it, or choose another environment name",
        )
    if path.exists() and (extends := _extends(path)) is not None:
        # init writes all that runs, standalone: over a profile that extends another it
        # would silently drop the inheritance and every rule the file states itself (its
        # `null`s, its ignores, what it relaxes), which no output would show; --force is for
        # replacing a profile, not for turning a child into a copy of what runs
        shown, (target, line) = display_path(path), extends
        raise UsageError(
            f"{shown} extends {target} (line {line}): --force would replace it with a "
            "standalone profile of what runs, losing that inheritance and the rules "
            f"{shown} states itself; nothing was written",
            hint=f"write what runs under another name (drift init {path.stem}-live "
            f"--from-live …) and move what differs into {shown}, or remove {shown} first",
        )


def named(path: Path) -> str:
    """`path` as it is named, relative to the working directory below it (`display_path`
    names the file a link leads to)."""
    return str(Path(display_path(path.parent)) / path.name)


def written_as(path: Path, replaced: bool, created: Path | None) -> str:
    """`wrote PROFILE` as init's summary begins: through a link, over one (--force), into
    the profiles directory it created (said first: a typo in --profiles shows there)."""
    to = display_path(Path(os.path.realpath(path)))
    said = [f"through the link to {to}"] if path.is_symlink() else []
    said += ["over the profile there: --force"] * replaced
    made = f"created {display_path(created)}/ (it did not exist)\n" if created else ""
    return f"{made}wrote {named(path)}" + (f" ({'; '.join(said)})" if said else "")


def refuse_directory(path: Path, source: str = "") -> None:
    """Refuse, before anything is read, a profiles directory `init` could not write `path`
    into: a file on its way, folders above it that are missing, or a directory this user
    cannot write (said before a minute of reads, not after). The directory itself is
    created when missing (a first `drift init` in a repository: `profiles/`), and said; a
    missing parent is refused instead of created, as `mkdir` without `-p` does: a typo in
    any part of `--profiles infar/profiles` would otherwise make a tree no `drift check`
    looks in, found later, if ever. `source`: where the directory was set (`--profiles`)."""
    directory, shown = path.parent, display_path(path)
    if (away := file_in_the_way(directory)) is not None:
        raise UsageError(
            f"cannot write {shown}: {display_path(away)} is not a directory; nothing was written"
        )
    missing = next((d for d in (*reversed(directory.parents), directory) if not d.exists()), None)
    if missing is not None and missing != directory:
        set_by = f" ({source})" if source else ""
        raise UsageError(
            f"cannot write {shown}: {display_path(missing)}/ does not exist; init creates the "
            f"profiles directory {display_path(directory)}{set_by} itself, not the folders "
            "above it; nothing was written",
            hint=f"check the path for a typo; if it is meant, create them first: "
            f"mkdir -p {shlex.quote(display_path(directory.parent))}",
        )
    into = directory.parent if missing else directory  # where the next file is made
    if why := unwritable(into):
        # said now, not once every workload was read (a minute when a deploy is waited for)
        raise UsageError(
            f"cannot write {shown}: {display_path(into)}/ {why}; nothing was written",
            hint="write the profile elsewhere: --profiles DIR"
            if why == READ_ONLY
            else "make it writable, or write the profile elsewhere: --profiles DIR",
        )


def described(path: Path) -> tuple[str, ...]:
    """The keys of the workloads the profile at `path` describes itself (`job/NAME` for a
    job), read before `--force` writes over it; () when there is none or it cannot be read."""
    from drift.kinds import Kind, workload_key
    from drift.yamldoc import YamlProblems
    from drift.yamlfile import load_located

    try:
        data = load_located(path).data if path.exists() else None
    except (YamlProblems, OSError):
        return ()
    if not isinstance(data, dict):
        return ()
    keys = []
    for kind in Kind:
        section = data.get(kind.section)
        if isinstance(section, dict):
            keys += [workload_key(kind, str(name)) for name in section]
    return tuple(keys)


def _extends(path: Path) -> tuple[str, int] | None:
    """What the profile at `path` extends and the line that says so (None: none, or the
    file cannot be read as a profile: then it is replaced as any other)."""
    from drift.yamldoc import YamlProblems
    from drift.yamlfile import load_located

    try:
        doc = load_located(path)
    except (YamlProblems, OSError):
        return None
    target = doc.data.get("extends") if isinstance(doc.data, dict) else None
    return (target, doc.line(("extends",))) if isinstance(target, str) else None


def write_profile(
    directory: Path, environment: str, text: str, *, force: bool
) -> tuple[Profile, Path | None]:
    """Validate the text as a profile, then move it into place; return the loaded profile
    and the directory created for it (None: it was there). A directory created for a
    profile that was not written (refused, a full disk, Ctrl-C) is removed again: nothing
    was written."""
    created = None if directory.exists() else directory
    try:
        return _write_profile(directory, environment, text, force), created
    except BaseException:
        if created is not None:
            _remove_empty(created)
        raise


def _write_profile(directory: Path, environment: str, text: str, force: bool) -> Profile:
    from drift.profiles.loader import load_profile

    target = directory / f"{environment}.yaml"
    shown = display_path(target)
    try:
        directory.mkdir(exist_ok=True)  # never its parents: refuse_directory
        with tempfile.TemporaryDirectory(dir=directory, prefix=".drift-init-") as tmp:
            staged = Path(tmp) / f"{environment}.yaml"
            staged.write_text(text, encoding="utf-8")
            try:
                loaded = load_profile(Path(tmp), environment)
            except ProfileError as exc:  # a live value no profile holds (helper-532): said
                # as init's draft, whose file was never written, not as a file to open
                said = "; ".join(f"line {p.line}: {p.message}" for p in exc.problems[:5])
                raise UsageError(
                    f"init's draft of {shown} is no profile drift reads back, so nothing was "
                    f"written: {said}",
                    hint="write the others (--service for each) and describe that one by hand",
                ) from None
            refuse_overwrite(target, force)
        # as every file drift writes: a link (a profile kept in another repository) stays a
        # link, the file it names keeps its mode, and the text lands whole or not at all
        try:
            write_whole(target, text)
        except UsageError as exc:  # its one error: `cannot write PATH: why`
            raise UsageError(f"{exc.message}; nothing was written", hint=exc.hint) from exc
    except OSError as exc:
        raise UsageError(
            f"cannot write {shown}: {exc.strerror or exc}; nothing was written"
        ) from exc
    return loaded


def _remove_empty(directory: Path) -> None:
    import contextlib

    with contextlib.suppress(OSError):  # not empty (someone wrote there meanwhile): kept
        directory.rmdir()


def write_schema(directory: Path, *, force: bool = False) -> str | None:
    """Write the JSON Schema the profile's `$schema=./profile.schema.json` line names beside
    it (what `drift profiles schema` prints); say what was done. One already there is kept
    as it is when it is this drift's (nothing said), else kept and said — not a file, a file
    that is not drift's schema, another drift version's (an older one's lacks the settings
    added since: editors flag them as errors) — with what writes this drift's. `force`
    (`init --force`, which replaces what init writes) replaces a file, never a directory."""
    import json

    from drift.profiles.spec import schema_text

    path = directory / SCHEMA_FILE
    text = schema_text() + "\n"
    there, unlike = _existing_schema(path, json.loads(text))
    if there and not unlike:
        return None
    shown = named(path)  # as the $schema line names it, not the file a link leads to
    command = f"`drift profiles schema > {shlex.quote(shown)}`"
    if unlike.startswith(_IN_THE_WAY):  # --force writes files, nothing else
        return f"kept {shown}, which is {unlike}: move it away, then {command} writes drift's"
    if unlike and not force:
        return (
            f"kept {shown}, which is {unlike}: the profile's $schema line names it, so "
            f"editors check the profile against it; {command} replaces it with this drift's "
            "(so does init's --force)"
        )
    try:  # whole or not at all, like the profile
        write_whole(path, text)
    except UsageError as exc:
        return f"{exc.message}, which the $schema line names: {command} writes it"
    if unlike:
        return f"replaced {shown} (--force), which was {unlike}, with this drift's"
    return f"wrote {shown}, the JSON Schema editors check the profile with"


def _existing_schema(path: Path, ours: dict[str, Any]) -> tuple[bool, str]:
    """Whether something is at `path`, and how it is unlike drift's schema `ours` as a
    clause ("": it is ours): `not a file but a directory`, `not drift's JSON Schema (…)`,
    `another drift version's JSON Schema (…)`, `unreadable (…)`."""
    import json

    from drift.files import NotRegular, regular_bytes

    if not path.exists():
        if path.is_symlink():  # written through, it would make a file wherever it leads
            return (
                True,
                f"{_IN_THE_WAY}a link to {visible(os.readlink(path))}, which does not exist",
            )
        return False, ""
    try:
        if (kind := not_regular(path.stat())) is not None:
            return True, f"{_IN_THE_WAY}{kind}"
        data = regular_bytes(path, _SCHEMA_READ + 1)
    except NotRegular as exc:  # replaced since it was looked at
        return True, f"{_IN_THE_WAY}{str(exc).removeprefix('not a regular file (')[:-1]}"
    except OSError as exc:  # a file this user cannot read
        return True, f"unreadable ({exc.strerror or exc})"
    try:
        theirs = json.loads(data) if len(data) <= _SCHEMA_READ else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than any schema
        theirs = None
    if not isinstance(theirs, dict) or theirs.get("$id") != SCHEMA_ID:
        what = "not JSON" if theirs is None else f'no "$id": "{SCHEMA_ID}"'
        return True, f"not drift's JSON Schema ({what})"
    if theirs == ours:
        return True, ""
    return True, f"another drift version's JSON Schema ({_unlike(theirs, ours)})"


def _unlike(theirs: dict[str, Any], ours: dict[str, Any]) -> str:
    """What tells another drift's schema from this one's: the settings one names and the
    other does not (an older drift's lacks this one's newest; a newer one's names more)."""
    try:
        mine, other = _names(ours), _names(theirs)
    except RecursionError:  # nested deeper than drift's ever was
        return "nested otherwise"
    lacks, more = sorted(mine - other), sorted(other - mine)
    said = [
        f"{label} {', '.join(names[:6])}{', …' if len(names) > 6 else ''}{after}"
        for label, names, after in (
            ("it lacks", lacks, ", which editors then flag as errors"),
            ("it names", more, ", which this drift does not read"),
        )
        if names
    ]
    return "; ".join(said) or "the same settings, described otherwise"


def _names(node: Any) -> set[str]:
    """Every property name a JSON Schema declares, at any depth."""
    found: set[str] = set()
    if isinstance(node, dict):
        properties = node.get("properties")
        found.update(properties if isinstance(properties, dict) else ())
        node = list(node.values())
    for item in node if isinstance(node, list) else ():
        found |= _names(item)
    return found
