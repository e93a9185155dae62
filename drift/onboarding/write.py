"""Writing the profile `init` drafted: never over one that exists unless forced, never over one
that extends another; validated by reading it back before it is moved into place, whole or not
at all; the JSON Schema its `$schema` line names written beside it."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from drift.errors import ProfileError, UsageError
from drift.files import write_whole
from drift.profiles.model import Profile
from drift.yamlfile import display_path

SCHEMA_FILE = "profile.schema.json"


def refuse_overwrite(path: Path, force: bool) -> None:
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


def write_profile(directory: Path, environment: str, text: str, *, force: bool) -> Profile:
    """Validate the text as a profile, then move it into place; return the loaded profile."""
    from drift.profiles.loader import load_profile

    target = directory / f"{environment}.yaml"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".drift-init-") as tmp:
            staged = Path(tmp) / f"{environment}.yaml"
            staged.write_text(text, encoding="utf-8")
            try:
                loaded = load_profile(Path(tmp), environment)
            except ProfileError as exc:  # named as the file it was to be, not the staged copy
                shown = {str(staged), display_path(staged)}
                raise ProfileError(
                    [
                        replace(p, file=display_path(target)) if p.file in shown else p
                        for p in exc.problems
                    ]
                ) from None
            refuse_overwrite(target, force)
        # as every file drift writes: a link (a profile kept in another repository) stays a
        # link, the file it names keeps its mode, and the text lands whole or not at all
        write_whole(target, text)
    except OSError as exc:
        raise UsageError(f"cannot write {display_path(target)}: {exc.strerror or exc}") from exc
    return loaded


def write_schema(directory: Path) -> str | None:
    """Write the JSON Schema the profile's `$schema=./profile.schema.json` line names beside
    it (what `drift profiles schema` prints) unless one is there; say what was done."""
    import json

    from drift.profiles.spec import json_schema

    path = directory / SCHEMA_FILE
    if path.exists():
        return None
    try:  # whole or not at all, like the profile
        write_whole(path, json.dumps(json_schema(), indent=2) + "\n")
    except UsageError as exc:
        return (
            f"{exc}, which the $schema line names: `drift profiles schema > "
            f"{display_path(path)}` writes it"
        )
    return f"wrote {display_path(path)}, the JSON Schema editors check the profile with"
