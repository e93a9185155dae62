"""Configuration: command-line options, then `DRIFT_*` variables, then `[tool.drift]` in the
project's pyproject.toml (here or in a parent), then defaults; and where its journal lives."""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, fields
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

from drift.config_owner import trusted
from drift.errors import UsageError
from drift.files import not_a_file
from drift.findings import FailOn
from drift.setting_values import DEFAULT_PLACE, a_place, names_a_directory, no_file_in_the_way
from drift.setting_words import DAY, DURATIONS, EXAMPLES, at_most, said, whole, wrong_type
from drift.textsafe import undecodable_line, visible

if TYPE_CHECKING:
    from pydantic import BaseModel

    from drift.live.session import Access

JOURNAL = Path(".drift") / "journal"
PATHS = ("profiles_dir", "journal_dir")
"""Settings that are paths: relative ones in a parent's pyproject.toml are relative to it."""


def project_config(start: Path | None = None) -> Path | None:
    """The project's pyproject.toml: the nearest one, here or in a parent directory, that
    holds `[tool.drift]` (or cannot be read, so that its error is reported); None if none."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if not os.path.lexists(candidate):  # a broken link or a link loop is said (helper-740)
            continue
        with suppress(UsageError):  # one that cannot be read is taken: its error is said
            if read_project_table(candidate) is None:
                continue
        return trusted(candidate)  # never another user's that anyone could have put there
    return None


def read_project_table(path: Path) -> dict[str, Any] | None:
    """`[tool.drift]` of the pyproject.toml at `path` (None if it has none); a file that cannot
    be read, is not UTF-8 TOML, or whose `tool` or `tool.drift` is not a table is a
    UsageError naming it."""
    if not path.is_file():
        why = f"not a regular file ({not_a_file(path)})"  # a directory, a broken link, a loop
        raise UsageError(f"cannot read configuration: {path}: {why}")
    try:
        data = _parsed(path)
    except OSError as exc:
        raise UsageError(f"cannot read configuration: {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        line = undecodable_line(exc)
        raise UsageError(f"invalid configuration: {path}: line {line}: not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid configuration: {path}: not valid TOML: {exc}") from exc
    for header in ("tool", "drift"):
        if header not in data:
            return None
        data = data[header]
        if not isinstance(data, dict):
            name = "tool" if header == "tool" else "tool.drift"
            raise UsageError(f"invalid configuration: {path}: [{name}] must be a table")
    return copy.deepcopy(data)  # parsed once (`_parsed`): no caller changes another's


_PARSED: dict[str, tuple[bytes, dict[str, Any]]] = {}


def _parsed(path: Path) -> dict[str, Any]:
    """The TOML at `path`, parsed once while its bytes stay the same: a command asks for
    `[tool.drift]` five times, and parsing a long pyproject.toml each time was a twelfth of a
    `drift check` (py-spy, 2026-12-07)."""
    data = path.read_bytes()
    known = _PARSED.get(str(path))
    if known is None or known[0] != data:
        known = _PARSED[str(path)] = (data, tomllib.loads(data.decode("utf-8")))
    return known[1]


def where(found: Path | None, key: object) -> str:
    """How a message names `key` of `[tool.drift]` in `found`: `FILE:LINE: [tool.drift] KEY`,
    as a profile's problem is `file:line`; `FILE: [tool.drift] KEY` where its line is not
    found (tomllib gives none: `drift.tomlkeys` scans for it)."""
    from drift.tomlkeys import key_lines

    name, line = str(key), None
    if found is None:  # no file: no key of one (a caller's empty table)
        return f"[tool.drift] {visible(name)}"
    try:
        line = key_lines(found.read_text(encoding="utf-8"), ("tool", "drift")).get(name)
    except (OSError, UnicodeDecodeError):
        pass
    return f"{found}{'' if line is None else f':{line}'}: [tool.drift] {visible(name)}"


@dataclass(frozen=True)
class Settings:
    """What every command runs with. A plain dataclass: a command reads it in a child process
    and this process receives it pickled (`drift.cli.overlap`) without importing a validator;
    `load_settings` validates what it is made of (types, `BOUNDS`, finite numbers)."""

    profiles_dir: Path = Path("profiles")
    """Directory of ENV.yaml profiles."""
    project: str | None = None
    """Override the profile's GCP project."""
    region: str | None = None
    """Override the profile's region."""
    fail_on: FailOn = FailOn.ERROR
    concurrency: int = 64
    """Concurrent API calls (per check) and probes."""
    impersonate_service_account: str | None = None
    journal_dir: Path | None = None
    """Where fix and rollback keep the journal [default: .drift/journal beside the project's
    configuration]."""
    run_rpm: int = 900
    """Cloud Run Admin API calls per minute (read quota: 1000/min)."""
    secrets_rpm: int = 540
    """Secret Manager calls per minute (read quota: 600/min/project)."""
    call_timeout: float = 30.0
    """Deadline of one API call, seconds (at most a day)."""
    history: bool = True
    """Read the revision history of drifted services (`since`)."""
    wait: float = 60.0
    """How long a deploy in progress is waited for, seconds."""
    retry_budget: float = 60.0
    """Total time retries may take, seconds (at most a day): of one call, and of all the calls
    of a read method that keeps refusing (`drift.live.outages`)."""
    quota_wait: float = 300.0  # seconds reads may wait for spent per-minute quotas (0: none)
    write_wait: float = 600.0
    """How long a fix waits for each write of its to settle, seconds: its operation and the
    workload's reconciling, in all (`drift.fix.update.Deadline`)."""

    def access(self) -> Access:
        """What the live layer needs: call limits and whose credentials."""
        from drift.live.calls import Limits
        from drift.live.session import Access

        settable = {f.name for f in fields(self)}  # the limits a setting reaches, by name
        limits = {f.name: getattr(self, f.name) for f in fields(Limits) if f.name in settable}
        return Access(Limits(**limits), self.impersonate_service_account)

    def journal(self) -> Path:
        """The journal directory (SPEC invariant 5): `--journal` / `DRIFT_JOURNAL_DIR` /
        `[tool.drift] journal_dir` when given; else `.drift/journal` in the directory of the
        pyproject.toml holding `[tool.drift]`; else beside the profiles directory. Every
        command finds the same one from any subdirectory of the project."""
        if self.journal_dir is not None:
            return self.journal_dir
        config = project_config()
        if config is not None:
            return config.parent / JOURNAL
        return self.profiles_dir.resolve().parent / JOURNAL


NAMES = tuple(f.name for f in fields(Settings))
BOUNDS: dict[str, dict[str, float]] = {
    "concurrency": {"ge": 1, "le": 256},
    "run_rpm": {"ge": 1},
    "secrets_rpm": {"ge": 1},
    "call_timeout": {"gt": 0, "le": DAY},
    "wait": {"ge": 0, "le": DAY},
    "retry_budget": {"gt": 0, "le": DAY},
    "quota_wait": {"ge": 0, "le": DAY},
    "write_wait": {"gt": 0, "le": 1200},  # the two waits of 600 s one deadline replaced
}
"""The settings' limits (pydantic's `Field` constraints: greater or equal, less or equal, …)."""
_WHOLE = tuple(f.name for f in fields(Settings) if f.type in (int, "int"))
"""The settings that are whole numbers (`concurrency`, the `*_rpm` limits)."""
ENV_PREFIX = "DRIFT_"
_OPTIONS = {"profiles_dir": "--profiles"}
"""A setting's command-line option, where it is not `--NAME` (underscores as hyphens)."""


def source_of(key: str, given: object = None) -> str:
    """Where a setting's value comes from, as messages name it (`--project`, `DRIFT_PROJECT`,
    `FILE: [tool.drift] project`; "" when nothing sets it): the last that sets it, in the
    order `load_settings` reads them (`given`: the command line's value)."""
    if given not in (None, ""):
        return _OPTIONS.get(key, "--" + key.replace("_", "-"))
    if _from_environment(os.environ).get(key):
        return _variables(os.environ).get(key, f"{ENV_PREFIX}{key.upper()}")
    found = project_config()
    if found is not None and (read_project_table(found) or {}).get(key):
        return where(found, key)
    return ""


def journal_source(directory: Path) -> str:
    """Which setting named the journal `directory`, as messages name it: the variable or the
    `[tool.drift]` table whose value it is, the default, else `--journal` (the option, which
    `Settings` keeps no trace of)."""
    found = project_config()
    places = {
        **{k: where(found, k) for k in _from_project(found)},
        **{k: _variables(os.environ).get(k, k) for k in _from_environment(os.environ)},
    }
    values = {**_from_project(found), **_from_environment(os.environ)}
    value = values.get("journal_dir")
    if isinstance(value, str) and Path(value).expanduser() == directory:
        return places["journal_dir"]
    if directory.name == JOURNAL.name and directory.parent.name == JOURNAL.parent.name:
        return f"the default, {DEFAULT_PLACE['journal_dir']}"
    return "--journal"


def _from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`DRIFT_<NAME>` for each setting, the name in any case (`drift_wait` as well);
    variables naming no setting are not drift's to judge. Two variables naming one setting
    (`DRIFT_FAIL_ON=error` and a stray `drift_fail_on=never` from a CI group's variables or
    a `.env` file) with different values are a usage error naming both: which one wins
    would be the order of the process environment, which nobody controls (the one that
    came last made a failing check exit 0). With the same value, either will do."""
    found: dict[str, str] = {}
    named: dict[str, str] = {}
    for key, value in environ.items():
        setting = _setting(key)
        if setting is None:
            continue
        if setting in found and found[setting] != value:
            first, second = sorted((named[setting], key))
            raise UsageError(
                f"invalid configuration: {first} and {second} both set {setting} (names "
                "differing only in case) to different values",
                hint=f"unset one of them; drift reads {ENV_PREFIX}{setting.upper()}",
            )
        found[setting], named[setting] = value, key
    return {key: _home(key, value) for key, value in found.items()}


def _home(key: str, value: Any) -> Any:
    """A path setting's `~` expanded, as a shell would: neither YAML (`env: DRIFT_JOURNAL_DIR:
    ~/drift-journal` in a workflow) nor TOML does, and `Path("~/…")` is a directory named `~`
    in the working directory — the journal would be split between working directories (SPEC
    invariant 5: one journal for every command), and messages would show it as the home's."""
    return os.path.expanduser(value) if key in PATHS and isinstance(value, str) else value


def _setting(variable: str) -> str | None:
    """The setting a `DRIFT_*` variable names, in any case (None: not one)."""
    upper = variable.upper()
    name = upper[len(ENV_PREFIX) :].lower()
    return name if upper.startswith(ENV_PREFIX) and name in NAMES else None


def _variables(environ: Mapping[str, str]) -> dict[str, str]:
    """The variable that sets each setting, as it is spelled (`drift_wait`), for messages."""
    return {s: key for key in sorted(environ) if (s := _setting(key)) is not None}


def _from_project(found: Path | None) -> dict[str, Any]:
    """`[tool.drift]` of the project's pyproject.toml (`found`, from any subdirectory); paths
    in it are relative to the file. Without `profiles_dir` the profiles are `./profiles` of
    the working directory (the SPEC's default: an app of a monorepo keeps its own beside a
    root pyproject.toml) when it exists, else the project's, beside the file. A
    key that names no setting is refused, at its name (a typo would otherwise be a silent
    default)."""
    if found is None:
        return {}
    data = dict(read_project_table(found) or {})
    unknown = [key for key in data if key not in NAMES]
    if unknown:
        import difflib  # only for this message (it costs start-up otherwise)

        key = unknown[0]
        close = difflib.get_close_matches(key, NAMES, n=1)
        hint = f" (did you mean {close[0]}?)" if close else f" (settings: {', '.join(NAMES)})"
        raise UsageError(f"invalid configuration: {where(found, key)}: not a setting{hint}")
    _typed(data, found)
    for key in PATHS:
        names_a_directory(data.get(key), where(found, key), key)
        if key in data:
            data[key] = _home(key, data[key])
    folder = found.parent
    if folder == Path.cwd().resolve():
        return data
    if not Path("profiles").exists():  # SPEC: `--profiles` defaults to ./profiles
        data.setdefault("profiles_dir", "profiles")
    for key in PATHS:
        value = data.get(key)
        if isinstance(value, str) and not Path(value).is_absolute():
            data[key] = folder / value
    if isinstance(found_dir := data.get("profiles_dir"), Path):
        data["profiles_dir"] = _from_here(found_dir)
    return data


def _from_here(path: Path) -> Path:
    """The profiles directory `[tool.drift]` names, relative to the working directory, as
    `--profiles ../../deploy/profiles` is given: every finding's `location.file` is then
    relative to it (SPEC "Findings": "`file` relative to the working directory"), whichever
    way the profiles were found. As it is when no relative path can be made."""
    try:
        return Path(os.path.relpath(path))
    except (ValueError, OSError):  # another drive; a working directory gone
        return path


def _seconds(value: Any, limit: float = DAY) -> Any:
    """A duration setting's text as seconds (`drift.units.parse_duration`, as a profile's);
    a number, or a text that is one (`1e3`, `-5`, `nan`), is left to the float check and the
    `BOUNDS`, which refuse it as they refuse the number (`limit`: the setting's own bound,
    said of a text past any Duration)."""
    from drift.units import parse_duration

    if not isinstance(value, str):
        return value
    try:
        return parse_duration(value, examples=EXAMPLES)
    except ValueError as exc:
        if str(exc).startswith("too long"):  # past what any Duration holds: past a day too
            raise ValueError(f"{at_most(limit)}, not {value.strip()}") from None
        try:
            float(value)
        except ValueError:
            raise exc from None
        return value


@cache
def _validator() -> type[BaseModel]:
    """A pydantic model of `Settings` with its `BOUNDS`: what a value may be, and the messages
    that say why one may not. Built once: a process that loads its settings again (a test's
    in-process runs) does not build the same model again."""
    from pydantic import BeforeValidator, ConfigDict, Field, create_model

    hints: dict[str, Any] = get_type_hints(Settings)
    seconds = {name: partial(_seconds, limit=BOUNDS[name]["le"]) for name in DURATIONS}
    hints |= {name: Annotated[float, BeforeValidator(seconds[name])] for name in DURATIONS}
    hints |= {name: Annotated[int, BeforeValidator(whole)] for name in _WHOLE}
    bounds: dict[str, Any] = BOUNDS
    shape: dict[str, Any] = {
        f.name: (hints[f.name], Field(f.default, **bounds.get(f.name, {})))
        for f in fields(Settings)
    }
    config = ConfigDict(extra="forbid", allow_inf_nan=False)
    model: type[BaseModel] = create_model("Settings", __config__=config, **shape)
    return model


def _typed(data: dict[str, Any], found: Path) -> None:
    """Refuse a `[tool.drift]` value of the wrong TOML type (`wait = true`, `history = 0`,
    `concurrency = "16"`), which the lax validation of `DRIFT_*` text would coerce: pydantic's
    strict mode as it judges JSON, where a string still names a path, a `fail_on` or a
    duration. Other problems (bounds) are the merged settings' to say (revfirst62 F4)."""
    from pydantic import ValidationError

    try:
        # a TOML date or time (the one type JSON lacks) as no string: of no setting's type
        _validator().model_validate_json(json.dumps(data, default=lambda v: [str(v)]), strict=True)
    except ValidationError as exc:
        wrong = [e for e in exc.errors(include_url=False) if e["type"].endswith("_type")]
        said = [f"{where(found, e['loc'][0])}: {wrong_type(e, data)}" for e in wrong]
        if said:
            raise UsageError("invalid configuration: " + "; ".join(said)) from None


def load_settings(**overrides: Any) -> Settings:
    """Settings with command-line overrides (None means "not given"). A command that reads or
    writes the journal passes `journal_dir` (None when its option is not given): the journal
    directory configured is then refused if a file stands in its way; other commands never
    look at it, and a stale setting does not stop them."""
    from pydantic import ValidationError

    given = {k: v for k, v in overrides.items() if v is not None}
    sources: dict[str, str] = {}
    try:
        found = project_config()
        project, environment = _from_project(found), _from_environment(os.environ)
        spelled = _variables(os.environ)
        for key in PATHS:
            names_a_directory(environment.get(key), spelled.get(key, ""), key)
        # where each value came from, for a message about it: the last of these wins
        sources |= {k: where(found, k) for k in project}
        sources |= {k: spelled[k] for k in environment}
        sources |= {k: _OPTIONS.get(k, "--" + k.replace("_", "-")) for k in given}
        merged = {**project, **environment, **given}
        a_place(merged, sources, Settings())  # the defaults, said of an empty value
        if "journal_dir" in overrides:  # a command that reads or writes the journal
            no_file_in_the_way(merged.get("journal_dir"), sources.get("journal_dir", ""))
        return Settings(**dict(_validator().model_validate(merged)))
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            name = ".".join(str(p) for p in err["loc"])
            source = sources.get(name.split(".")[0], name) if name else "settings"
            lines.append(f"{source}: {said(name, err)}")
        raise UsageError("invalid configuration: " + "; ".join(lines)) from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read configuration: {exc}") from exc
