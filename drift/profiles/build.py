"""Build a Profile from merged profile data: each service's rules (defaults merged in, the
sidecars', the mounts'), settings, probe and ignores, each with the file and line that set it;
every problem recorded, not raised."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from drift.errors import Problem
from drift.fields import FIELDS, SettingValue, stated_conflicts
from drift.fields.cpu_floor import UNNAMED, instance_rules
from drift.fields.cpu_memory import OTHERS, memory_conflicts, other_limits, sidecar_conflicts
from drift.fields.health_rules import probe_rules
from drift.fields.moot import stated_moot
from drift.findings import Location, Severity
from drift.kinds import INGRESS_ONLY_ENV, Kind
from drift.profiles.env_count import env_count_problem
from drift.profiles.ignore_rules import ignore_rule
from drift.profiles.merged import Merged
from drift.profiles.model import (
    CheckTags,
    ContainerRules,
    MountRule,
    Probe,
    Profile,
    ServiceProfile,
    Setting,
    UnexpectedEnv,
    VarRule,
)
from drift.profiles.probe_spec import ProbeSpec
from drift.profiles.rules_spec import MountRuleSpec, VarRuleSpec
from drift.profiles.same_as import resolve_same_as
from drift.profiles.settings_spec import PatternSpec, SettingsSpec
from drift.profiles.spec import (
    ContainerSpec,
    DefaultsSpec,
    ProfileSpec,
    ServiceSpec,
    WorkloadSpec,
)
from drift.refs import SecretRef, file_mode
from drift.textsafe import alike_escaped, visible
from drift.yamldoc import Path_


def build_profile(
    environment: str,
    merged: Merged,
    *,
    complete: bool,
    supplied: Collection[str] = (),
    elsewhere: str = "options",
) -> Profile | None:
    """Turn merged data into a Profile; record problems on `merged`. `supplied`: the keys
    (project, region) given instead; `elsewhere`: how the command takes them, `options` and
    variables, `variables` alone, or "" (`compare`: the profiles' own)."""
    data = merged.data
    main_file = merged.main.file if merged.main else f"{environment}.yaml"
    if complete:
        for key in ("project", "region"):
            if not data.get(key) and key not in supplied:
                given = {"options": f"give --{key} or ", "variables": "set "}.get(elsewhere)
                message = f"{key} is not set (here or in a profile it extends); set it here"
                message += f", or {given}DRIFT_{key.upper()}" if given else ""
                if (at := merged.removed((key,))) is not None:  # `region: null` deleted it
                    said = f"{message} (`{key}:` is null here: a null deletes)"
                    merged.problems.append(Problem(at.file, at.line, said))
                else:
                    merged.problems.append(Problem(main_file, 1, message))
    spec = merged.spec if merged.spec is not None else ProfileSpec.model_validate(data)
    services: dict[str, ServiceProfile] = {}
    for kind in Kind:
        for name, item in (getattr(spec, kind.section) or {}).items():
            if item is not None:
                workload = _workload(kind, name, item, spec, merged)
                services[workload.key] = workload
    services = resolve_same_as(services, merged)
    if complete and not services:
        merged.problems.append(_nothing_named(environment, merged))
    entries = (ignore_rule(i, item, services, merged) for i, item in enumerate(spec.ignore or []))
    ignores = tuple(entry for entry in entries if entry is not None)
    if merged.problems:
        return None
    files = tuple(dict.fromkeys(loc.file for loc in merged.origin.values()))
    at = merged.origin.get(("project",))
    in_region = merged.origin.get(("region",))
    return Profile(
        environment=environment,
        project=spec.project or "",
        region=spec.region or "",
        location=Location(main_file, 1),
        services=services,
        ignores=ignores,
        files=files,
        chain=merged.chain,
        project_from=f"{at.file}:{at.line}" if at is not None else "",
        region_from=f"{in_region.file}:{in_region.line}" if in_region is not None else "",
        notes=tuple(map(str, merged.notes)),
    )


def _nothing_named(environment: str, merged: Merged) -> Problem:
    """An environment that names no workload: a check would read nothing and call it clean
    (SPEC §Exit codes: 0 is "everything was read and nothing drifted"), so it is a profile
    error, at the `null` that removed what the profiles it extends name, if one did."""
    message = f"{environment} names no service, job or worker pool: a check would read nothing"
    for kind in Kind:
        section = merged.data.get(kind.section)
        nulls = [(kind.section,)] if section is None else [(kind.section, n) for n in section]
        for path in nulls:
            if (at := merged.removed(path)) is not None:
                what = f"`{'.'.join(path)}: null` removes the last one named before it"
                return Problem(at.file, at.line, f"{message} ({what}); name at least one")
    at = merged.at(("services",))
    return Problem(at.file, at.line, f"{message}; name at least one")


def _workload(
    kind: Kind, name: str, svc: WorkloadSpec, spec: ProfileSpec, merged: Merged
) -> ServiceProfile:
    """One service, job or worker pool with the defaults merged in (settings only where its
    kind has them; probe and tags only for a service)."""
    defaults = spec.defaults
    base = (kind.section, name)
    env_specs: dict[str, tuple[VarRuleSpec, Path_]] = {}
    removed: dict[str, Location] = {}  # the rules a `null` removes, where that null is
    for source, prefix in ((defaults, ("defaults",)), (svc, base)):
        for key, rule in ((source.env if source else None) or {}).items():
            if rule is None:
                env_specs.pop(key, None)
                removed[key] = merged.at((*prefix, "env", key))
            else:
                env_specs[key] = (rule, (*prefix, "env", key))
                removed.pop(key, None)
    env = {k: _var_rule(k, v, p, merged) for k, (v, p) in env_specs.items()}
    # `env` describes the ingress container unless `container:` names another (SPEC): only
    # then is its PORT Cloud Run's. What `container:` or `containers:` name may be a sidecar
    # reading its own PORT; where it turns out to be the ingress container, the check says
    # the rule is not judged there (`drift.diff.env.reserved_vars`), and the plan leaves it.
    ingress = svc.container is None
    paths = {k: p for k, (_, p) in env_specs.items()}
    _check_names(kind, kind.sets_env(ingress=ingress), paths, merged)
    unexpected = svc.unexpected_env or (defaults.unexpected_env if defaults else None)
    for c, side in (svc.containers or {}).items():
        rules = (side.env if side else None) or {}
        paths = {k: (*base, "containers", c, "env", k) for k, v in rules.items() if v is not None}
        _check_names(kind, kind.sets_env(ingress=False), paths, merged)
        for key in [k for k in _set_fields(side and side.settings) if not FIELDS[k].applies(kind)]:
            said = f"{name}: {key} is not a setting of a {kind.noun}'s container ({c})"
            merged.problem((*base, "containers", c, "settings", key), said)
    sidecars = {
        c: _container(c, spec, (*base, "containers", c), merged, unexpected or "ignore")
        for c, spec in (svc.containers or {}).items()
        if spec is not None
    }
    settings: dict[str, Setting] = {}
    for holder, prefix in ((defaults, ("defaults",)), (svc, base)):
        block = getattr(holder, "settings", None) if holder else None
        for key in _set_fields(block):
            value = getattr(block, key)
            if value is None:
                settings.pop(key, None)
            elif (why := FIELDS[key].refusal(kind, value)) and holder is svc:
                said = f"{name}: {key} {value} is not possible for a {kind.noun}: {why}"
                merged.problem((*prefix, "settings", key), said)
            elif FIELDS[key].applies(kind) and not why:  # a default the kind refuses: not here
                settings[key] = _setting(key, value, merged.at((*prefix, "settings", key)))
    service = svc if isinstance(svc, ServiceSpec) else None
    stated = {k: _stated(s) for k, s in settings.items()}
    # with the other containers' limits it states: the instance's (helper-647 F5, O2)
    held = {c: {k: _stated(s) for k, s in r.settings.items()} for c, r in sidecars.items()}
    whole = {**stated, **other_limits(held.items())}
    noted = sidecar_conflicts(name, whole)  # a sidecar's own pair (h657 LOW-2, h669 F4)
    instance = instance_rules(name, kind, whole)  # unnamed containers may meet: noted
    refused, told = probe_rules(name, kind, svc.container, stated, held)
    for key, message in [*stated_conflicts(name, kind, whole), *refused]:
        at = _located(key, settings, sidecars)
        if (key, message) in instance:
            merged.notes.append(Problem(at.file, at.line, message + UNNAMED))
        else:
            merged.problems.append(Problem(at.file, at.line, message))
    moot = stated_moot(name, stated)
    for key, message in [*moot, *memory_conflicts(name, kind, whole), *noted, *told]:
        at = _located(key, settings, sidecars)  # said, not refused: moot, or a sidecar may help
        merged.notes.append(Problem(at.file, at.line, message))
    described = f"container {svc.container}" if svc.container else "the ingress container"
    counted = [(described, env), *((f"container {c}", r.env) for c, r in sidecars.items())]
    for container, its_env in counted:
        if over := env_count_problem(kind, name, container, its_env):
            merged.problems.append(over)
    if svc.container is not None and svc.container in sidecars:
        merged.problem(
            (*base, "containers", svc.container),
            f"{name}: {svc.container} is the container `env` describes; give its rules "
            "under env, not under containers",
        )
    return ServiceProfile(
        name=name,
        location=merged.at(base),
        env=env,
        settings=settings,
        unexpected_env=unexpected or "ignore",
        probe=_service_probe(name, service, defaults, merged),
        container=svc.container,
        mounts=_mounts(svc.mounts, (*base, "mounts"), merged),
        sidecars=sidecars,
        check_tags=_tags(
            _first(
                service and service.check_tags,
                defaults and defaults.check_tags,
                spec.check_tags,
            )
        ),
        expiry_warning=_first(
            svc.expiry_warning, defaults and defaults.expiry_warning, spec.expiry_warning, 30
        ),
        kind=kind,
        removed_env=removed,
    )


def _located(
    key: str, settings: Mapping[str, Setting], sidecars: Mapping[str, ContainerRules]
) -> Location:
    """Where the profile states `key`: a setting, or a sidecar's limit (`containers.NAME.memory`,
    `cpu_memory.other_limits`)."""
    if key.startswith(OTHERS):
        sidecar, _, setting = key[len(OTHERS) :].rpartition(".")
        return sidecars[sidecar].settings[setting].location
    return settings[key].location


def _stated(setting: Setting) -> tuple[SettingValue, str]:
    """A setting as the cross-setting checks read it: its value and `file:line`."""
    return setting.value, f"{setting.location.file}:{setting.location.line}"


def _service_probe(
    name: str, svc: ServiceSpec | None, defaults: DefaultsSpec | None, merged: Merged
) -> Probe | None:
    """A service's probe, its own or the defaults' (jobs and worker pools serve nothing)."""
    if svc is None:
        return None
    probe_path: Path_ = ("services", name, "probe")
    probe_spec = svc.probe
    if "probe" not in svc.model_fields_set and defaults and defaults.probe:
        probe_spec, probe_path = defaults.probe, ("defaults", "probe")
    if probe_spec is not None and probe_spec.websocket is None:
        merged.problem(probe_path, f"{name}: probe.websocket (the path to probe) is not set")
        probe_spec = None
    return _probe(probe_spec, merged.at(probe_path)) if probe_spec else None


def _set_fields(block: SettingsSpec | None) -> list[str]:
    """Keys a settings block sets (None included: it deletes), in a stable order."""
    if block is None:
        return []
    chosen = block.model_fields_set
    return [k for k in _field_order(type(block)) if k in chosen]


@functools.cache
def _field_order(model: type[SettingsSpec]) -> tuple[str, ...]:
    return tuple(model.model_fields)


def _check_names(
    kind: Kind, reserved: frozenset[str], paths: Mapping[str, Path_], merged: Merged
) -> None:
    """A rule on a variable Cloud Run sets itself (`Kind.sets_env`): no template may hold
    it, so a check could never pass and a fix would be refused. A name holding a character
    a screen shows as nothing or as another (`H\u200b`, a no-break space) is noted: a
    reviewer reads `H: {forbidden: true}`, and the rule guards another variable (helper-527
    F7). Cloud Run takes such names, so it is no error."""
    for name, path in paths.items():
        if (seen := alike_escaped(visible(name))) != name:
            at = merged.at(path)
            said = "holds characters that show as nothing or as others (escaped here)"
            then = "the rule is that name's, not the one it reads as"
            merged.notes.append(Problem(at.file, at.line, f"the variable {seen} {said}: {then}"))
    for name in sorted(set(paths) & reserved):
        if name in INGRESS_ONLY_ENV:
            message = (
                f"{name}: Cloud Run sets it in the {kind.noun}'s ingress container, the one "
                "`env` describes unless `container:` names another (reserved by the container "
                "runtime contract); a profile cannot describe it there. A sidecar's own "
                f"{name}: give it under `containers:`, or name that container with `container:`"
            )
        else:
            message = (
                f"{name}: Cloud Run sets it in every {kind.noun}'s container (reserved by the "
                "container runtime contract); a profile cannot describe it"
            )
        merged.problem(paths[name], message)


def _var_rule(name: str, spec: VarRuleSpec, path: Path_, merged: Merged) -> VarRule:
    same_as = None
    if spec.same_as:
        service, _, var = spec.same_as.partition(".")
        same_as = (service, var)
    ref = _secret_ref(spec.secret, spec.project, spec.version) if spec.secret else None
    return VarRule.made(
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


def _probe(spec: ProbeSpec, location: Location) -> Probe:
    """The probe block as `Probe`: the path and lists made immutable, every other option by
    its name."""
    assert spec.websocket is not None
    return Probe(
        path=spec.websocket,
        location=location,
        subprotocols=tuple(spec.subprotocols),
        headers=tuple(spec.headers.items()),
        **spec.model_dump(exclude={"websocket", "subprotocols", "headers"}),
    )


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
    specs: dict[str, MountRuleSpec | None] | None, path: Path_, merged: Merged
) -> dict[str, MountRule]:
    return {
        mount: MountRule(
            mount,
            merged.at((*path, mount)),
            _secret_ref(spec.secret, spec.project, spec.version),
            optional=bool(spec.optional),
            severity=spec.severity or Severity.ERROR,
            mode=file_mode(int(spec.mode, 8)) if spec.mode is not None else None,
        )
        for mount, spec in (specs or {}).items()
        if spec is not None
    }


def _container(
    name: str, spec: ContainerSpec, path: Path_, merged: Merged, unexpected: UnexpectedEnv
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
        removed_env={
            k: merged.at((*path, "env", k)) for k, v in (spec.env or {}).items() if v is None
        },
        settings={
            k: _setting(k, v, merged.at((*path, "settings", k)))
            for k in _set_fields(spec.settings)
            if (v := getattr(spec.settings, k)) is not None
        },
    )
