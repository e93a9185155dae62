"""Load `ENV.yaml` from a profiles directory: resolve `extends`, merge `defaults` into every
service, keep the file and line of every expectation, and report all problems at once."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drift.errors import Problem, ProfileError, UsageError
from drift.findings import Location, Severity
from drift.profiles.model import (
    CheckTags,
    ContainerRules,
    Ignore,
    MountRule,
    Probe,
    Profile,
    ServiceProfile,
    Setting,
    UnexpectedEnv,
    VarRule,
)
from drift.profiles.spec import (
    ContainerSpec,
    MountRuleSpec,
    PatternSpec,
    ProbeSpec,
    ProfileSpec,
    SettingsSpec,
    VarRuleSpec,
)
from drift.refs import SecretRef
from drift.yamlfile import (
    Located,
    Path_,
    YamlProblems,
    display_path,
    load_located,
    validation_problems,
)

ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def profile_path(directory: Path, environment: str) -> Path:
    if not ENV_NAME.fullmatch(environment) or environment.endswith(".yaml"):
        raise UsageError(f"not an environment name: {environment!r}")
    return directory / f"{environment}.yaml"


def available(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml") if ENV_NAME.fullmatch(p.stem))


def load_profile(directory: Path, environment: str) -> Profile:
    """The merged profile for one environment, or ProfileError with every problem found."""
    path = profile_path(directory, environment)
    if not directory.is_dir():
        raise UsageError(f"profiles directory not found: {display_path(directory)}")
    if not path.is_file():
        names = ", ".join(available(directory)) or "none"
        raise UsageError(
            f"no profile for environment {environment!r}: {display_path(path)} does not exist "
            f"(available: {names})"
        )
    loader = _Loader(directory)
    merged = loader.resolve(environment)
    if loader.problems:
        raise ProfileError(loader.problems)
    profile = _build(environment, merged, complete=True)
    if merged.problems:
        raise ProfileError(merged.problems)
    assert profile is not None
    return profile


def validate_directory(directory: Path) -> tuple[list[str], list[Problem]]:
    """Check every profile in a directory: the environments found and all problems."""
    if not directory.is_dir():
        raise UsageError(f"profiles directory not found: {display_path(directory)}")
    names = available(directory)
    loader = _Loader(directory)
    merged = {name: loader.resolve(name) for name in names}
    extended = {m.extends for m in loader.files.values() if m is not None and m.extends}
    problems: list[Problem] = list(loader.problems)
    for name, doc in merged.items():
        if doc.failed:
            continue
        is_base = name in extended and not (doc.data.get("project") and doc.data.get("region"))
        _build(name, doc, complete=not is_base)
        problems.extend(doc.problems)
    unique = sorted(set(problems), key=lambda p: (p.file, p.line, p.message))
    return names, unique


@dataclass
class _FileDoc:
    doc: Located
    extends: str | None


@dataclass
class _Merged:
    """Merged plain data plus the Location each path was set at."""

    environment: str
    data: dict[str, Any]
    origin: dict[Path_, Location]
    main: Located | None
    failed: bool = False
    problems: list[Problem] = field(default_factory=list)

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


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, _FileDoc | None] = {}
        self.problems: list[Problem] = []
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
        else:
            result = self._check(doc)
        self.files[name] = result
        return result

    def _check(self, doc: Located) -> _FileDoc | None:
        if doc.data is None:
            doc = Located(doc.file, {}, doc.lines)
        if not isinstance(doc.data, dict):
            self.problems.append(Problem(doc.file, 1, "a profile must be a mapping of keys"))
            return None
        try:
            spec = ProfileSpec.model_validate(doc.data)
        except ValidationError as exc:
            self.problems.extend(validation_problems(exc, doc, ProfileSpec))
            return None
        return _FileDoc(doc, spec.extends)

    def resolve(self, environment: str, chain: tuple[str, ...] = ()) -> _Merged:
        file = self.read(environment)
        if file is None:
            return _Merged(environment, {}, {}, None, failed=True)
        parent: _Merged | None = None
        if file.extends is not None:
            target = file.extends
            line = file.doc.line(("extends",))
            if target in (*chain, environment):
                cycle = " -> ".join((*chain, environment, target))
                self._once(Problem(file.doc.file, line, f"extends cycle: {cycle}"))
                return _Merged(environment, {}, {}, file.doc, failed=True)
            if not ENV_NAME.fullmatch(target) or not (self.directory / f"{target}.yaml").is_file():
                names = ", ".join(available(self.directory))
                self._once(
                    Problem(
                        file.doc.file,
                        line,
                        f"extends {target!r}: no {target}.yaml in "
                        f"{display_path(self.directory)} (available: {names})",
                    )
                )
                return _Merged(environment, {}, {}, file.doc, failed=True)
            parent = self.resolve(target, (*chain, environment))
            if parent.failed:
                return _Merged(environment, {}, {}, file.doc, failed=True)
        data: dict[str, Any] = copy.deepcopy(parent.data) if parent else {}
        origin: dict[Path_, Location] = dict(parent.origin) if parent else {}
        child = {k: v for k, v in file.doc.data.items() if k != "extends"}
        _merge(data, origin, child, (), file.doc)
        return _Merged(environment, data, origin, file.doc)

    def _once(self, problem: Problem) -> None:
        key = str(problem)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(problem)


def _replaced_whole(path: Path_) -> bool:
    """A variable's or a mount's rule is replaced as a whole (wherever it is: a service, a
    sidecar, the defaults); lists are replaced too."""
    return len(path) >= 3 and path[-2] in ("env", "mounts")


def _drop_origin(origin: dict[Path_, Location], path: Path_) -> None:
    for key in [k for k in origin if k[: len(path)] == path]:
        del origin[key]


def _set_origin(origin: dict[Path_, Location], path: Path_, doc: Located) -> None:
    for key, line in doc.lines.items():
        if key[: len(path)] == path:
            origin[key] = Location(doc.file, line)


def _merge(
    target: dict[str, Any],
    origin: dict[Path_, Location],
    child: dict[str, Any],
    path: Path_,
    doc: Located,
) -> None:
    for key, value in child.items():
        here = (*path, key)
        if value is None:  # a tombstone: deletes what it overrides, later defaults included
            target[key] = None
            _drop_origin(origin, here)
            origin[here] = Location(doc.file, doc.line(here))
            continue
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict) and not _replaced_whole(here):
            origin[here] = Location(doc.file, doc.line(here))
            _merge(current, origin, value, here, doc)
            continue
        _drop_origin(origin, here)
        target[key] = copy.deepcopy(value)
        _set_origin(origin, here, doc)


def _build(environment: str, merged: _Merged, *, complete: bool) -> Profile | None:
    """Turn merged data into a Profile; record problems on `merged`."""
    data = merged.data
    main_file = merged.main.file if merged.main else f"{environment}.yaml"
    if complete:
        for key in ("project", "region"):
            if not data.get(key):
                merged.problems.append(
                    Problem(main_file, 1, f"{key} is not set (here or in a profile it extends)")
                )
    spec = ProfileSpec.model_validate(data)
    defaults = spec.defaults
    services: dict[str, ServiceProfile] = {}
    for name, svc in (spec.services or {}).items():
        if svc is None:
            continue
        base = ("services", name)
        env_specs: dict[str, tuple[VarRuleSpec, Path_]] = {}
        for source, prefix in ((defaults, ("defaults",)), (svc, base)):
            for key, rule in ((source.env if source else None) or {}).items():
                if rule is None:
                    env_specs.pop(key, None)
                else:
                    env_specs[key] = (rule, (*prefix, "env", key))
        env = {k: _var_rule(k, v, p, merged) for k, (v, p) in env_specs.items()}
        unexpected = svc.unexpected_env or (defaults.unexpected_env if defaults else None)
        sidecars = {
            c: _container(c, spec, (*base, "containers", c), merged, unexpected or "ignore")
            for c, spec in (svc.containers or {}).items()
            if spec is not None
        }
        settings: dict[str, Setting] = {}
        for holder, prefix in ((defaults, ("defaults",)), (svc, base)):
            block = holder.settings if holder else None
            for key in _set_fields(block):
                value = getattr(block, key)
                if value is None:
                    settings.pop(key, None)
                else:
                    settings[key] = _setting(key, value, merged.at((*prefix, "settings", key)))
        probe_path: Path_ = (*base, "probe")
        probe_spec = svc.probe
        if "probe" not in svc.model_fields_set and defaults and defaults.probe:
            probe_spec, probe_path = defaults.probe, ("defaults", "probe")
        if probe_spec is not None and probe_spec.websocket is None:
            merged.problem(probe_path, f"{name}: probe.websocket (the path to probe) is not set")
            probe_spec = None
        services[name] = ServiceProfile(
            name=name,
            location=merged.at(base),
            env=env,
            settings=settings,
            unexpected_env=unexpected or "ignore",
            probe=_probe(probe_spec, merged.at(probe_path)) if probe_spec else None,
            container=svc.container,
            mounts=_mounts(svc.mounts, (*base, "mounts"), merged),
            sidecars=sidecars,
            check_tags=_tags(
                _first(svc.check_tags, defaults and defaults.check_tags, spec.check_tags)
            ),
            expiry_warning=_first(
                svc.expiry_warning, defaults and defaults.expiry_warning, spec.expiry_warning, 30
            ),
        )
        if svc.container is not None and svc.container in sidecars:
            merged.problem(
                (*base, "containers", svc.container),
                f"{name}: {svc.container} is the container `env` describes; give its rules "
                "under env, not under containers",
            )
    _check_same_as(services, merged.problems)
    ignores = tuple(
        Ignore(
            reason=item.reason,
            location=merged.at(("ignore", i)),
            service=item.service,
            target=_ignore_target(item.env, item.setting, item.secret, item.mount),
            rule=item.rule,
            until=item.until,
            container=item.container,
            tag=item.tag,
        )
        for i, item in enumerate(spec.ignore or [])
    )
    for i, item in enumerate(spec.ignore or []):
        if item.service is not None and item.service not in services:
            merged.problem(
                ("ignore", i, "service"), f"ignore names unknown service {item.service!r}"
            )
        if sum(x is not None for x in (item.env, item.setting, item.secret, item.mount)) > 1:
            merged.problem(("ignore", i), "ignore names at most one of env, setting, secret, mount")
    if merged.problems:
        return None
    files = tuple(dict.fromkeys(loc.file for loc in merged.origin.values()))
    return Profile(
        environment=environment,
        project=spec.project or "",
        region=spec.region or "",
        location=Location(main_file, 1),
        services=services,
        ignores=ignores,
        files=files,
    )


def _set_fields(block: SettingsSpec | None) -> list[str]:
    """Keys a settings block sets (None included: it deletes), in a stable order."""
    if block is None:
        return []
    return [k for k in type(block).model_fields if k in block.model_fields_set]


def _var_rule(name: str, spec: VarRuleSpec, path: Path_, merged: _Merged) -> VarRule:
    same_as = None
    if spec.same_as:
        service, _, var = spec.same_as.partition(".")
        same_as = (service, var)
    ref = _secret_ref(spec.secret, spec.project, spec.version) if spec.secret else None
    return VarRule(
        name=name,
        location=merged.at(path),
        value=spec.value,
        secret=ref.secret if ref else None,
        version=ref.version if ref else "latest",
        secret_project=ref.project if ref else "",
        optional=bool(spec.optional) or spec.required is False,
        forbidden=bool(spec.forbidden),
        pattern=spec.pattern,
        not_values=tuple(spec.not_ or ()),
        one_of=tuple(spec.one_of or ()),
        min_length=spec.min_length,
        same_as=same_as,
        severity=spec.severity or Severity.ERROR,
    )


def _check_same_as(services: dict[str, ServiceProfile], problems: list[Problem]) -> None:
    for svc in services.values():
        for rule in svc.env.values():
            if rule.same_as is None:
                continue
            other, var = rule.same_as
            here = f"{svc.name}.{rule.name}: same_as"
            if other not in services:
                known = ", ".join(sorted(services))
                message = f"{here} names unknown service {other!r} (services: {known})"
            elif var not in services[other].env:
                message = f"{here} names {other}.{var}, which the profile does not define"
            elif (other, var) == (svc.name, rule.name):
                message = f"{here} names itself"
            else:
                continue
            problems.append(Problem(rule.location.file, rule.location.line, message))


def _probe(spec: ProbeSpec, location: Location) -> Probe:
    assert spec.websocket is not None
    return Probe(
        path=spec.websocket,
        location=location,
        subprotocols=tuple(spec.subprotocols),
        headers=tuple(spec.headers.items()),
        auth=spec.auth,
        hold=spec.hold,
        timeout=spec.timeout,
        send=spec.send,
        expect=spec.expect,
        tag=spec.tag,
    )


def _ignore_target(
    env: str | None, setting: str | None, secret: str | None, mount: str | None
) -> str | None:
    for kind, name in (("env", env), ("setting", setting), ("secret", secret), ("mount", mount)):
        if name is not None:
            return f"{kind}.{name}"
    return None


def _first(*values: Any) -> Any:
    """The first value that is set (None and False are not)."""
    return next((v for v in values if v is not None and v is not False), None)


def _tags(value: Any) -> CheckTags:
    if value in (None, "all"):
        return "all"
    if value == "none":
        return "none"
    return tuple(value)


def _secret_ref(secret: str, project: str | None, version: str | None) -> SecretRef:
    ref = SecretRef.parse(secret, version or "latest")
    return replace(ref, project=project) if project else ref


def _setting(name: str, value: Any, location: Location) -> Setting:
    if isinstance(value, PatternSpec):
        return Setting(name, "", location, pattern=value.pattern)
    return Setting(name, value, location)


def _mounts(
    specs: dict[str, MountRuleSpec | None] | None, path: Path_, merged: _Merged
) -> dict[str, MountRule]:
    return {
        mount: MountRule(
            mount,
            merged.at((*path, mount)),
            _secret_ref(spec.secret, spec.project, spec.version),
            optional=bool(spec.optional),
            severity=spec.severity or Severity.ERROR,
        )
        for mount, spec in (specs or {}).items()
        if spec is not None
    }


def _container(
    name: str, spec: ContainerSpec, path: Path_, merged: _Merged, unexpected: UnexpectedEnv
) -> ContainerRules:
    return ContainerRules(
        name,
        merged.at(path),
        env={
            k: _var_rule(k, v, (*path, "env", k), merged)
            for k, v in (spec.env or {}).items()
            if v is not None
        },
        mounts=_mounts(spec.mounts, (*path, "mounts"), merged),
        unexpected_env=spec.unexpected_env or unexpected,
    )
