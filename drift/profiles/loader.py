"""Load `ENV.yaml` from a profiles directory: resolve `extends`, merge `defaults` into every
service, keep the file and line of every expectation, and report all problems at once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from os.path import isdir, isfile  # False, not an error, where it cannot be told (EACCES)
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drift import redact
from drift.errors import Problem, ProfileError, UsageError
from drift.files import not_a_file
from drift.findings import Location
from drift.profiles.build import build_profile
from drift.profiles.merged import Merged, deletes_nothing, merge
from drift.profiles.model import (
    Profile,
)
from drift.profiles.paths import (
    ENV_NAME,
    first_profile,
    misnamed,
    names_said,
    no_directory,
    not_read,
    profile_path,
    why_not_read,
)
from drift.profiles.spec import ProfileSpec
from drift.profiles.written import as_written
from drift.yamldoc import Located, Path_, YamlProblems
from drift.yamlfile import (
    display_path,
    load_located,
    read_regular,
    validation_problems,
)


def profile_names(directory: Path) -> list[str]:
    """Every profile in the directory: the environments and the bases they extend (a
    directory named `*.yaml` is none; a file that cannot be read is one, broken)."""
    return sorted(
        p.stem for p in directory.glob("*.yaml") if ENV_NAME.fullmatch(p.stem) and not isdir(p)
    )


def available(directory: Path) -> list[str]:
    """The environments: the profiles that, with what they extend, name a project and a
    region (a base that other profiles extend is not one)."""
    loader = _Loader(directory)
    return [name for name in profile_names(directory) if loader.is_environment(name)]


def load_profile(
    directory: Path,
    environment: str,
    *,
    project: str | None = None,
    region: str | None = None,
    elsewhere: str = "options",
    source: str = "",
) -> Profile:
    """The merged profile for one environment, or ProfileError with every problem found.
    `project`/`region` (--project/--region, DRIFT_PROJECT/DRIFT_REGION) replace the profile's,
    and supply them where the profile names none; `elsewhere`: how the command takes them,
    as a missing one is said (`build_profile`); `source`: the setting that named `directory`,
    said when it is not there."""
    path = profile_path(directory, environment)
    if not isdir(directory):
        raise no_directory(directory, environment, source=source)
    if (what := not_a_file(path)) is not None:  # a directory, a FIFO, a symlink loop
        named = Path(display_path(directory)) / path.name  # the link itself, not its target
        raise UsageError(
            f"no profile for environment {environment!r}: {named} is {what}, not a profile file"
        )
    if not isfile(path):
        names = names_said(available(directory), environment)
        raise UsageError(
            f"no profile for environment {environment!r}: {display_path(path)} does not exist "
            f"(available: {names})",
            hint=not_read(directory, environment)
            or (None if profile_names(directory) else first_profile(environment)),
        )
    loader = _Loader(directory)
    merged = loader.resolve(environment)
    if loader.problems:
        raise ProfileError(_sorted(loader.problems))
    given = {key: value for key, value in (("project", project), ("region", region)) if value}
    missing = [key for key in ("project", "region") if not (given.get(key) or merged.data.get(key))]
    users = loader.extended_by(environment) if missing else []
    if users:
        raise UsageError(
            f"{environment} is not an environment: it has no {' or '.join(missing)} "
            f"(it is extended by {', '.join(users)})"
        )
    profile = build_profile(
        environment,
        merged,
        complete=True,
        supplied=given.keys(),
        elsewhere=elsewhere,
    )
    if merged.problems:  # one of a profile it extends only shows merged into this one
        own = merged.main.file if merged.main else ""
        raise ProfileError(
            [p if p.file == own else _merged_into(p, environment) for p in merged.problems]
        )
    assert profile is not None
    if directory.resolve() != Path("profiles").resolve():
        profile = replace(profile, read_from=display_path(directory))
    if given:
        profile = replace(
            profile, project=project or profile.project, region=region or profile.region
        )
    redact.register_public(*profile.public_names())  # names drift prints: helper-618 F5
    return profile


def validate_directory(
    directory: Path, notes: list[Problem] | None = None, source: str = ""
) -> tuple[list[str], list[Problem]]:
    """Check every profile in a directory: the environments found and all problems; what is
    said but no error is added to `notes`; `source` as `load_profile` takes it."""
    if not isdir(directory):
        raise no_directory(directory, lint=True, source=source)
    try:
        os.scandir(directory).close()  # glob says nothing of a directory it cannot list
    except OSError as exc:
        raise UsageError(
            f"cannot list the profiles directory {display_path(directory)}: {exc.strerror or exc}",
            hint="give drift's user read and search permission on it (chmod u+rx)",
        ) from exc
    names = profile_names(directory)
    loader = _Loader(directory)
    merged = {name: loader.resolve(name) for name in names}
    # a base named with its suffix (`extends: base.yaml`, an error of its own) is still a base;
    # so is one a file that could not be read extends (its problems are said: the base is
    # not blamed for them with "project is not set")
    extended = {
        _suffixless(m.extends) for m in loader.files.values() if m is not None and m.extends
    }
    extended |= {_suffixless(target) for target in loader.broken.values() if target}
    unsure = _UNKNOWN in loader.broken.values()  # one of them may extend any profile
    problems: list[Problem] = list(loader.problems)
    inherited: list[Problem] = []
    for name, doc in merged.items():
        if doc.failed:
            continue
        placed = doc.data.get("project") and doc.data.get("region")
        is_base = not placed and (name in extended or unsure)
        build_profile(name, doc, complete=not is_base)
        own = doc.main.file if doc.main is not None else None
        problems += [p for p in doc.problems if p.file == own]
        inherited += [p for p in doc.problems if p.file != own]
    # a problem in a base that only shows once merged into a profile extending it says which
    # (the base alone may be fine); one the base has on its own is said once
    problems += [
        _merged_into(p, _owners(p, merged)) for p in dict.fromkeys(inherited) if p not in problems
    ]
    if notes is not None:
        notes += _sorted([n for doc in merged.values() for n in doc.notes])
        notes += [  # said, not an error: the directory may be a repository's root
            Problem(
                display_path(p),
                1,
                f"not read as a profile: {why_not_read(p)}",
            )
            for p in misnamed(directory)
        ]
    return names, _sorted(problems)


def _merged_into(problem: Problem, owners: str) -> Problem:
    return replace(problem, message=f"{problem.message} (as merged into {owners})")


def _suffixless(name: str) -> str:
    return name.removesuffix(".yaml").removesuffix(".yml")


def _owners(problem: Problem, merged: dict[str, Merged]) -> str:
    """The profiles whose merged form has `problem`."""
    return ", ".join(name for name, doc in merged.items() if problem in doc.problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Each problem once, by file and line."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.message))


@dataclass
class _FileDoc:
    doc: Located
    extends: str | None
    spec: ProfileSpec | None = None
    """The file's own model, when it validated (None: it has problems of its own)."""
    valid: bool = True
    """False when the file has problems of its own: what it extends is still read, so that
    every problem of the chain is reported at once."""


MAX_EXTENDS = 32
"""Profiles one chain of `extends` may merge (a base, an environment, a variant: 3)."""
_UNKNOWN = "\x00"
"""What a file that could not be read extends, when that cannot be told."""
_EXTENDS = re.compile(r"""^\{?\s*["']?extends["']?\s*:\s*["']?([A-Za-z0-9][\w.-]*)""", re.M)


def _unknown_key(problem: Problem) -> bool:
    """A problem of a key's name (`drift.yamlfile`'s "unknown key 'timeot'"), not its value."""
    return problem.message.startswith("unknown key ")


def _extends_of(problems: YamlProblems, path: Path) -> str | None:
    """What a profile that could not be read names in `extends`: from the document as read
    (a value's problem), else from its text (its syntax), else `_UNKNOWN`; None: nothing."""
    partial = problems.partial
    if partial is not None:
        data = partial.data
        target = data.get("extends") if isinstance(data, dict) else None
        return target if isinstance(target, str) else None
    try:
        text = read_regular(path, str(path)).decode("utf-8", "replace")
    except YamlProblems:
        return _UNKNOWN
    if "extends" not in text:
        return None
    found = _EXTENDS.findall(text)
    return found[0] if len(found) == 1 else _UNKNOWN


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, _FileDoc | None] = {}
        self.problems: list[Problem] = []
        self.broken: dict[str, str | None] = {}
        """What each file that could not be read extends (`_extends_of`)."""
        self._reported: set[str] = set()

    def read(self, name: str) -> _FileDoc | None:
        if name in self.files:
            return self.files[name]
        path = self.directory / f"{name}.yaml"
        result: _FileDoc | None = None
        try:
            doc = load_located(path)
        except YamlProblems as exc:
            self.problems.extend(exc.problems)
            self.broken[name] = _extends_of(exc, path)
            if exc.partial is not None:  # read to its end: what else is wrong in it, too
                said = {problem.line for problem in exc.problems}
                self._check(exc.partial, beside=said)
        else:
            result = self._check(doc)
        self.files[name] = result
        return result

    def _check(self, doc: Located, beside: set[int] | None = None) -> _FileDoc | None:
        """The file's own model, or its problems noted. `beside`: the lines of the YAML
        problems of a file read to its end (a number to quote, a duplicate key): its other
        problems (an unknown key, a value of the wrong type) are said with them, in one run
        (helper-527 F5), none again at a line whose value is already said to be wrong."""
        if doc.data is None:
            doc = Located(doc.file, {}, doc.lines)
        if not isinstance(doc.data, dict):
            self.problems.append(Problem(doc.file, 1, "a profile must be a mapping of keys"))
            return None
        doc = as_written(doc, ProfileSpec)
        try:
            spec = ProfileSpec.model_validate(doc.data)
        except ValidationError as exc:
            found = validation_problems(exc, doc, ProfileSpec)
            # a key no setting names is its own mistake, whatever its line holds (a flow
            # mapping: `{min_instances: 010, timeot: 5s}`; helper-534)
            kept = [p for p in found if p.line not in (beside or ()) or _unknown_key(p)]
            self.problems.extend(kept)
            extends = doc.data.get("extends")
            return _FileDoc(doc, extends if isinstance(extends, str) else None, valid=False)
        return _FileDoc(doc, spec.extends, spec)

    def resolve(self, environment: str, chain: tuple[str, ...] = ()) -> Merged:
        file = self.read(environment)
        if file is None:
            return Merged(environment, {}, {}, None, failed=True)
        parent: Merged | None = None
        if file.extends is not None:
            target = file.extends
            line = file.doc.line(("extends",))
            if target in (*chain, environment):
                cycle = " -> ".join((*chain, environment, target))
                self._once(Problem(file.doc.file, line, f"extends cycle: {cycle}"))
                return Merged(environment, {}, {}, file.doc, failed=True)
            if len(chain) >= MAX_EXTENDS:  # each is a frame here: one message, not a crash
                said = f"{chain[0]} -> ... -> {environment} -> {target}"
                self._once(Problem(file.doc.file, line, f"extends: more than {MAX_EXTENDS} "
                                   f"profiles extend one another ({said})"))  # fmt: skip
                return Merged(environment, {}, {}, file.doc, failed=True)
            if not ENV_NAME.fullmatch(target) or not isfile(self.directory / f"{target}.yaml"):
                self._once(Problem(file.doc.file, line, self._no_parent(target)))
                return Merged(environment, {}, {}, file.doc, failed=True)
            parent = self.resolve(target, (*chain, environment))
            if parent.failed:
                return Merged(environment, {}, {}, file.doc, failed=True)
        if not file.valid:
            return Merged(environment, {}, {}, file.doc, failed=True)
        doc = file.doc
        child = {k: v for k, v in doc.data.items() if k != "extends"}
        if parent is None:  # the file as it is: every line its own, its model validated
            origin = {k: Location(doc.file, n) for k, n in doc.lines.items() if k[0] != "extends"}
            return Merged(environment, child, origin, doc, spec=file.spec, chain=(doc.file,))
        data: dict[str, Any] = dict(parent.data)
        origin = dict(parent.origin)
        missed: list[tuple[Path_, tuple[str, ...]]] = []
        merge(data, origin, child, (), doc, missed)
        merged = Merged(environment, data, origin, doc, chain=(*parent.chain, doc.file))
        above = tuple(Path(f).stem for f in reversed(parent.chain))  # nearest first
        for path, names in missed:
            if said := deletes_nothing(data, path, names, above):
                merged.problem(path, said)
        return merged

    def _no_parent(self, target: str) -> str:
        """Why `extends: TARGET` names no profile to read: what is there in its place (a
        directory, a link loop, a broken link), or that nothing is, with the profiles that are."""
        path = self.directory / f"{target}.yaml"
        if ENV_NAME.fullmatch(target) and (what := not_a_file(path)) is not None:
            named = Path(display_path(self.directory)) / path.name  # the link, not its target
            return f"extends {target!r}: {named} is {what}, not a profile file"
        names = names_said(profile_names(self.directory), "")
        if not target.strip():
            return f"extends {target!r}: an empty name: name the profile it extends ({names})"
        if "/" in target or "\\" in target:  # `../shared/base`: a path
            return (
                f"extends {target!r}: extends names a profile of this directory "
                f"({display_path(self.directory)}) by its environment, not a path "
                f"(available: {names})"
            )
        if _suffixless(target) != target and ENV_NAME.fullmatch(_suffixless(target)):
            names += f"; write extends: {_suffixless(target)}, without the suffix"
        elif (misread := not_read(self.directory, target)) is not None:
            names += f"; {misread}"
        else:  # `extends: bse`
            names = names_said(profile_names(self.directory), target)
        return (
            f"extends {target!r}: no {target}.yaml in {display_path(self.directory)} "
            f"(available: {names})"
        )

    def chain(self, name: str) -> list[str]:
        """`name`, the profile it extends, the one that extends, and so on (up to a missing
        file or a cycle)."""
        out = [name]
        while (file := self.read(out[-1])) is not None and file.extends not in (None, *out):
            target = str(file.extends)
            if not ENV_NAME.fullmatch(target) or not isfile(self.directory / f"{target}.yaml"):
                break
            out.append(target)
        return out

    def extended_by(self, name: str) -> list[str]:
        """The profiles built on `name`, nearest first (staging, then e2e extending staging)."""
        depth = {
            other: chain.index(name)
            for other in profile_names(self.directory)
            if name in (chain := self.chain(other))[1:]
        }
        return sorted(depth, key=lambda other: (depth[other], other))

    def is_environment(self, name: str) -> bool:
        """Complete once merged; a profile that does not load is one unless others extend it
        (its problems are reported when it is checked)."""
        merged = self.resolve(name)
        if merged.failed:
            return not self.extended_by(name)
        return bool(merged.data.get("project") and merged.data.get("region"))

    def _once(self, problem: Problem) -> None:
        key = str(problem)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(problem)
