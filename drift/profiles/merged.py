"""Merged profile data: a profile and what it extends as one document, with the file and
line each path was set at, and the problems found building it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drift.errors import Problem
from drift.findings import Location
from drift.profiles.spec import ProfileSpec
from drift.yamldoc import Located, Path_


@dataclass
class Merged:
    """Merged plain data plus the Location each path was set at."""

    environment: str
    data: dict[str, Any]
    origin: dict[Path_, Location]
    main: Located | None
    failed: bool = False
    problems: list[Problem] = field(default_factory=list)
    spec: ProfileSpec | None = None
    """`data` validated, when it already was (a profile that extends none is its file)."""
    notes: list[Problem] = field(default_factory=list)
    """What merging left out, said but not an error (an inherited entry for what a `null`
    removed)."""
    chain: tuple[str, ...] = ()
    """The files merged, the profile extended by none first, the environment's own last."""

    def at(self, path: Path_) -> Location:
        parts = path
        while parts:
            if parts in self.origin:
                return self.origin[parts]
            parts = parts[:-1]
        file = self.main.file if self.main else self.environment
        return Location(file, 1)

    def problem(self, path: Path_, message: str) -> None:
        loc = self.at(path)
        self.problems.append(Problem(loc.file, loc.line, message))

    def removed(self, path: Path_) -> Location | None:
        """Where a `null` (SPEC: "null deletes") removed what `path` held, or any mapping
        holding it: the line of that `null` (None: nothing on the way is one)."""
        data: Any = self.data
        for depth, key in enumerate(path, 1):
            if not isinstance(data, dict) or key not in data:
                return None
            data = data[key]
            if data is None:
                return self.origin.get(path[:depth])
        return None
