"""Where an environment's profile is (`profiles/ENV.yaml`), and what to do next where there is
none: a path given as the environment's name, no profiles directory, a file in its place, an
empty one."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from pathlib import Path

from drift.errors import UsageError
from drift.yamlfile import display_path

ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
NAMED_MOST = 20
"""How many profiles a message lists (a directory of hundreds is said by how many more)."""


def names_said(names: Sequence[str], wanted: str) -> str:
    """The profiles `names` as a message lists them ("none" for none): the first `NAMED_MOST`,
    then how many more, and the one `wanted` was likely meant to be (`stagign`: staging)."""
    said = ", ".join(names[:NAMED_MOST]) or "none"
    if len(names) > NAMED_MOST:
        said += f" and {len(names) - NAMED_MOST} more"
    close = difflib.get_close_matches(wanted, names, n=1)
    return f"{said}; did you mean {close[0]}?" if close else said


def profile_path(directory: Path, environment: str) -> Path:
    """A profile's path; a profile's path or file name given instead of its environment
    (`profiles/staging.yaml`, `staging.yaml`) is answered with the name to give."""
    if not ENV_NAME.fullmatch(environment) or environment.endswith(".yaml"):
        given = Path(environment)
        stem = given.name.removesuffix(".yaml")
        # what a name is, said: `../x`, `my env`, `prod/eu` get no other hint
        hint = (
            "an environment is named by a letter or digit, then letters, digits, '.', '_' or "
            "'-' (its profile is ENV.yaml in the profiles directory: --profiles DIR for another)"
        )
        if given.suffix == ".yaml" and ENV_NAME.fullmatch(stem):
            hint = f"an environment is named by its profile's file name without .yaml: {stem}"
            if given.parent != Path(".") and given.parent.resolve() != directory.resolve():
                hint += f" (with --profiles {display_path(given.parent)}, the directory it is in)"
        raise UsageError(f"not an environment name: {environment!r}", hint=hint)
    return directory / f"{environment}.yaml"


def no_directory(
    directory: Path, environment: str = "ENV", *, lint: bool = False, source: str = ""
) -> UsageError:
    """No profiles directory (a first run in a repository, a monorepo's root): what to do
    next. `lint`: for `drift profiles validate`, which also takes the directory as DIR, and
    runs as a pre-commit hook from the repository's root (pre-commit.com, "Creating new
    hooks"), where a `[tool.drift]` of a subdirectory is not found (it is searched upward).
    `source`: the setting that named the directory, said (helper-602 F5: a stray
    DRIFT_PROFILES_DIR, a pyproject.toml further up); "" for the default."""
    shown = display_path(directory) + (f" (set by {source})" if source else "")
    named = "--profiles DIR, DRIFT_PROFILES_DIR, or profiles_dir in [tool.drift] of pyproject.toml"
    if lint:
        named = (
            f"drift profiles validate DIR (in a pre-commit hook: args: [DIR]), {named} "
            "(found from the working directory upward)"
        )
    try:
        there = directory.exists()
    except OSError as exc:  # a name too long, a loop of links (helper-606): said, with its why
        return UsageError(
            f"cannot look at the profiles directory {shown}: {exc.strerror or exc}",
            hint=f"name the directory your profiles are in: {named}",
        )
    if there:  # a file named where the directory should be: no `drift init` hint
        return UsageError(
            f"the profiles directory {shown} is not a directory",
            hint=f"name the directory your profiles are in: {named}",
        )
    if found := _above(directory, environment):  # not a first run: run from elsewhere
        return UsageError(f"profiles directory not found: {shown}", hint=found)
    return UsageError(
        f"profiles directory not found: {shown}",
        hint=f"{first_profile(environment)}; or name the directory your profiles are in: {named}",
    )


def _above(directory: Path, environment: str) -> str:
    """Where the profiles are when the run stands below them (helper-602 F4: from
    `src/app`, or inside `profiles/` itself, the hint said to `drift init` again, which wrote
    a second profile tree): the working directory when it is a profiles directory (its name
    the one looked for) holding ENV.yaml, or a directory of that name in a parent holding
    it, up to the repository's root (a `.git` there: another project's profiles above it are
    none of this one's, helper-606 F4). "" when there is none."""
    if directory.is_absolute() or len(directory.parts) != 1:
        return ""
    here = Path.cwd()

    def holds(folder: Path) -> bool:
        if environment == "ENV":  # `profiles validate`: any profile
            return folder.is_dir() and any(folder.glob("*.yaml"))
        return (folder / f"{environment}.yaml").is_file()

    if here.name == directory.name and holds(here):
        return "the working directory is the profiles directory: run drift from its parent"
    for parent in (here, *here.parents):
        if parent != here and holds(folder := parent / directory):
            shown = os.path.relpath(folder)
            return (
                f"the profiles are in {shown}: run drift from {parent}, or pass --profiles "
                f"{shown} (or set profiles_dir in [tool.drift] of a pyproject.toml here)"
            )
        if (parent / ".git").exists():  # the repository's root: no further
            break
    return ""


def first_profile(environment: str) -> str:
    """The next step where there is no profile at all (no directory, an empty one)."""
    return (
        f"write a first profile from what runs: drift init {environment} --from-live "
        "--project PROJECT --region REGION"
    )


def misnamed(directory: Path) -> list[Path]:
    """The files of the directory that look like profiles but are not read as one: `ENV.yml`
    or `ENV.YAML` (a profile is `ENV.yaml`), and `*.yaml` not named as an environment can be
    (`my env.yaml`). Hidden files are not looked at (`.pre-commit-config.yaml` where the
    profiles are the repository's root)."""
    found = []
    for path in sorted(directory.glob("*")):
        if path.name.startswith(".") or path.suffix.lower() not in (".yaml", ".yml"):
            continue
        named = path.suffix == ".yaml" and bool(ENV_NAME.fullmatch(path.stem))
        if os.path.isdir(path):  # False for what cannot be looked at (a link it cannot search)
            if named:  # a directory with a profile's name (helper-602 F8)
                found.append(path)
        elif not named:
            found.append(path)
    return found


def why_not_read(path: Path) -> str:
    """Why a `misnamed` file is not read, and what to do."""
    if os.path.isdir(path):
        return "it is a directory, not a profile file"
    return f"a profile is named ENV.yaml; {as_named(path)}"


def as_named(path: Path) -> str:
    """What to do with a `misnamed` file: the name it is read under."""
    if ENV_NAME.fullmatch(path.stem):
        return f"rename it to {path.stem}.yaml"
    return (
        "name it ENV.yaml, ENV being the environment's name (letters, digits, '_', '.' and "
        "'-', starting with a letter or digit)"
    )


def not_read(directory: Path, environment: str) -> str | None:
    """Where a misnamed file would be `environment`'s profile: what it is and what to do."""
    for path in misnamed(directory):
        if path.stem == environment:
            return f"{display_path(path)} is not read: {why_not_read(path)}"
    return None
