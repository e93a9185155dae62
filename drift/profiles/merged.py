"""Merged profile data: a profile and what it extends as one document, with the file and
line each path was set at, and the problems found building it; and how a profile merges over
the one it extends (`merge`)."""

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


_WORKLOADS = ("services", "jobs", "worker_pools")
_RULES = ("env", "mounts")


def _replaced_whole(path: Path_) -> bool:
    """A variable's or a mount's rule is replaced as a whole (wherever it is: a service, a
    sidecar, the defaults); lists are replaced too. Told by its place in the profile, never by
    a key's name: `services.api.env.LOG_LEVEL` is a rule, `services.env.settings` the settings
    of a service named `env`, `services.api.containers.env.env` a sidecar's variables."""
    match path:
        case ("defaults", "env", _):
            return True
        case (kind, _, rules, _) if kind in _WORKLOADS and rules in _RULES:
            return True
        case (kind, _, "containers", _, rules, _) if kind in _WORKLOADS and rules in _RULES:
            return True
    return False


def _drop_origin(origin: dict[Path_, Location], path: Path_, old: Any) -> None:
    """Forget where `old` (the value replaced at `path`) and everything in it came from."""
    origin.pop(path, None)
    for here in _inside(path, old):
        origin.pop(here, None)


def _set_origin(origin: dict[Path_, Location], path: Path_, new: Any, doc: Located) -> None:
    """Remember that `new` (set at `path` by `doc`) and everything in it came from `doc`."""
    lines, file = doc.lines, doc.file
    for here in (path, *_inside(path, new)):
        line = lines.get(here)
        if line is not None:
            origin[here] = Location(file, line)


def _inside(path: Path_, value: Any) -> list[Path_]:
    """The path of every key and item in `value` (at `path`), at any depth."""
    found: list[Path_] = []
    stack = [(path, value)] if isinstance(value, dict | list) else []
    while stack:
        here, value = stack.pop()
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            sub = (*here, key)
            found.append(sub)
            if isinstance(item, dict | list):
                stack.append((sub, item))
    return found


def merge(
    target: dict[str, Any],
    origin: dict[Path_, Location],
    child: dict[str, Any],
    path: Path_,
    doc: Located,
    missed: list[tuple[Path_, tuple[str, ...]]] | None = None,
) -> None:
    """Merge `child` into `target`, in time proportional to `child` and what it replaces.
    Nothing that `target` shares with the profile it extends, or that `child` holds, is ever
    changed: a mapping of `target` is copied before something is merged into it. `missed`:
    each `null` of `child` that met nothing of the profile it extends, with the names that
    were there (`deletes_nothing` says whether a default is what it deletes)."""
    for key, value in child.items():
        here = (*path, key)
        current = target.get(key)
        if value is None:  # a tombstone: deletes what it overrides, later defaults included
            if missed is not None and key not in target:
                missed.append((here, tuple(str(k) for k in target)))
            target[key] = None
            _drop_origin(origin, here, current)
            origin[here] = Location(doc.file, doc.line(here))
            continue
        if isinstance(value, dict) and isinstance(current, dict) and not _replaced_whole(here):
            origin[here] = Location(doc.file, doc.line(here))
            target[key] = current = dict(current)
            merge(current, origin, value, here, doc, missed)
            continue
        _drop_origin(origin, here, current)
        target[key] = value
        _set_origin(origin, here, value, doc)


def deletes_nothing(
    data: dict[str, Any], path: Path_, names: tuple[str, ...], above: tuple[str, ...]
) -> str:
    """Why the `null` at `path`, which met nothing of the profiles it extends (`above`: who
    they are; `names`: what they hold beside it), is a mistake: it deletes nothing, most
    likely a name mistyped (helper-810 F3: `STRIPE_KY: null` left STRIPE_KEY enforced, and
    `profiles validate` said valid); "" when it deletes what the merged `data`'s `defaults`
    put there (SPEC: "null deletes", README: "also what `defaults` put there")."""
    import difflib

    from drift.textsafe import visible

    if len(path) > 2 and path[0] in _WORKLOADS and _held(data, ("defaults", *path[2:])):
        return ""  # `env: {X: null}` of a workload, X a default: deleted for it
    key = str(path[-1])
    if path[-2:-1] == ("mounts",) and _mount(key) in map(_mount, names):
        return ""  # `/etc/tls: null` deletes `/etc/tls/`: one mount (`check_mount_path`)
    close = difflib.get_close_matches(key, [n for n in names if n != key], n=1)
    meant = f"; did you mean {visible(close[0])}?" if close else ""
    dotted = visible(".".join(map(str, path)))
    who = f"{above[0]} names" if len(above) == 1 else f"{', '.join(above)} name"
    return (
        f"{dotted}: null deletes nothing: {who} no {visible(key)} there{meant} (a "
        "null deletes what a profile it extends sets, or a default; leave it out, or name "
        "what it deletes)"
    )


def _held(data: Any, path: Path_) -> bool:
    """Whether `data` holds something (not null) at `path`."""
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None:
            return False
        data = data[key]
    return True


def _mount(path: str) -> str:
    """A mount path as the profile model keys it (`rules_spec.check_mount_path`)."""
    return path.rstrip("/") or "/"
