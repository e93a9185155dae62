"""The sandbox scenario file: loading with `file:line` errors and the checks that span keys
(models in `scenario_models`, large generated scenarios in `generate`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drift.errors import InputError, Problem
from drift.sandbox.scenario_fields import OlderSpec, SplitSpec
from drift.sandbox.scenario_jobs import JobSpec, PoolSpec
from drift.sandbox.scenario_models import Scenario, SecretSpec, ServiceSpec, TrafficSpec
from drift.yamldoc import Located, YamlProblems
from drift.yamlfile import load_located, validation_problems

__all__ = [
    "Scenario",
    "default_scenario_path",
    "load_scenario",
    "scenario_from_data",
    "shipped_scenario",
    "validate_scenario",
]
MAX_REVISION_NAME = 63


VERSION_ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")


def default_scenario_path() -> Path:
    """The scenario shipped with drift: the demo app of `profiles/` with deliberate drift."""
    return Path(__file__).with_name("scenarios") / "default.yaml"


def shipped_scenario(path: Path) -> Path:
    """A `--scenario` value: the file it names, or else, for a bare name (`real-shapes`,
    `real-shapes.yaml`), the scenario of that name shipped with drift (an installed drift has
    no checkout to give a path into). A file of that name in the working directory wins."""
    if path.exists() or len(path.parts) != 1:
        return path
    shipped = default_scenario_path().with_name(path.name.removesuffix(".yaml") + ".yaml")
    return shipped if shipped.is_file() else path


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario file; problems raise `InputError` with `file:line`."""
    try:
        doc = load_located(Path(path))
    except YamlProblems as exc:
        raise InputError(exc.problems, kind="scenario") from None
    return validate_scenario(doc)


def scenario_from_data(data: Mapping[str, Any], *, file: str = "<scenario>") -> Scenario:
    """Validate a scenario given as plain data (problems are located at line 1)."""
    return validate_scenario(Located(file, dict(data), {}))


def validate_scenario(doc: Located) -> Scenario:
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "a scenario is a mapping")], kind="scenario")
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc, Scenario), kind="scenario") from None
    problems = list(cross_reference_problems(scenario, doc))
    if problems:
        raise InputError(problems, kind="scenario")
    return scenario


def cross_reference_problems(scenario: Scenario, doc: Located) -> Iterable[Problem]:
    """What one key cannot say alone: parents, traffic targets, aliases, duplicate numbers
    and names."""
    nodes = {f"folders/{n}" for n in scenario.folders} | {
        f"organizations/{n}" for n in scenario.organizations
    }
    for kind, group in (("folders", scenario.folders), ("projects", scenario.projects)):
        for key, node in group.items():
            if node.parent is not None and node.parent not in nodes:
                yield doc.problem((kind, key, "parent"), f"no {node.parent} in this scenario")
    numbers: dict[int, str] = {}
    for pid, project in scenario.projects.items():
        at = ("projects", pid)
        if project.number in numbers:
            yield doc.problem(
                (*at, "number"), f"project number also used by {numbers[project.number]}"
            )
        numbers[project.number] = pid
        for sname, secret in project.secrets.items():
            yield from _secret_problems(doc, (*at, "secrets", sname), secret)
        for name, service in project.services.items():
            yield from _owner_problems(doc, (*at, "services", name), name, service)
        for name, pool in project.worker_pools.items():
            yield from _owner_problems(doc, (*at, "worker_pools", name), name, pool)
        for name, job in project.jobs.items():
            yield from _execution_problems(doc, (*at, "jobs", name), name, job)


def _secret_problems(
    doc: Located, at: tuple[str | int, ...], secret: SecretSpec
) -> Iterable[Problem]:
    for alias, version in secret.aliases.items():
        if not VERSION_ALIAS.fullmatch(alias) or alias in ("latest", "NEW"):
            # Secret.version_aliases (secretmanager v1 resources.proto): "at most 63
            # characters … letters, numerals, the hyphen (`-`) and underscore ('_') … must
            # start with a letter and cannot be the string 'latest' or 'NEW'"
            yield doc.problem(
                (*at, "aliases", alias),
                f"alias '{alias}' is not a version alias: a letter, then up to 62 letters, "
                "digits, '-' or '_'; not 'latest' or 'NEW'",
            )
        if not 1 <= version <= len(secret.versions):
            yield doc.problem(
                (*at, "aliases", alias),
                f"alias '{alias}' points at version {version}, which does not exist",
            )
    for i, item in enumerate(secret.versions):
        if item.value is None and item.state != "DESTROYED":
            yield doc.problem((*at, "versions", i), "value is required unless DESTROYED")
        if item.scheduled_destroy_in is not None and item.state != "DISABLED":
            # delayed destruction disables the version until it is destroyed:
            # https://cloud.google.com/secret-manager/docs/delay-destruction-of-secret-versions
            yield doc.problem(
                (*at, "versions", i), "a version scheduled for destruction is DISABLED"
            )


def _revision_name_problems(
    doc: Located, where: tuple[str | int, ...], service: str, name: str | None
) -> Iterable[Problem]:
    if name is None:
        return
    if not name.startswith(f"{service}-"):
        yield doc.problem(where, f"a revision name starts with '{service}-'")
    if len(name) > MAX_REVISION_NAME:
        yield doc.problem(where, f"a revision name has at most {MAX_REVISION_NAME} characters")


def _owner_problems(
    doc: Located, at: tuple[str | int, ...], name: str, service: ServiceSpec | PoolSpec
) -> Iterable[Problem]:
    """A service's or a worker pool's revision names and traffic (instance splits)."""
    history: Sequence[OlderSpec] = service.history
    count = len(history) + 1
    names = {r.name for r in history if r.name}
    for i, rev in enumerate(history):
        yield from _revision_name_problems(doc, (*at, "history", i, "name"), name, rev.name)
    fixed = (service.template.api or {}).get("revision")
    yield from _revision_name_problems(doc, (*at, "template", "revision"), name, fixed)
    if fixed:
        names.add(fixed)
    field = "traffic" if isinstance(service, ServiceSpec) else "instance_splits"
    split = getattr(service, field)
    if split is not None:
        yield from _traffic_problems(doc, (*at, field), split, count, names)
    if not isinstance(service, ServiceSpec):
        return
    if service.deploying is not None and service.deploying.traffic is not None:
        where = (*at, "deploying", "traffic")
        yield from _traffic_problems(doc, where, service.deploying.traffic, count + 1, names)


def _execution_problems(
    doc: Located, at: tuple[str | int, ...], name: str, job: JobSpec
) -> Iterable[Problem]:
    """Execution names: `JOB-…`, a DNS label of at most 63 characters, each once."""
    seen: set[str] = set()
    for i, run in enumerate(job.executions):
        where = (*at, "executions", i, "name")
        if run.name is None:
            continue
        if not run.name.startswith(f"{name}-") or len(run.name) > MAX_REVISION_NAME:
            yield doc.problem(where, f"an execution name is '{name}-…', at most 63 characters")
        if run.name in seen:
            yield doc.problem(where, f"execution '{run.name}' is named twice")
        seen.add(run.name)


def _traffic_problems(
    doc: Located,
    at: tuple[str | int, ...],
    traffic: Sequence[SplitSpec],
    count: int,
    names: set[str],
) -> Iterable[Problem]:
    total = 0
    tags: set[str] = set()
    for i, target in enumerate(traffic):
        where = (*at, i)
        total += target.percent
        if target.latest == (target.revision is not None):
            yield doc.problem(where, "a traffic target has either 'latest: true' or 'revision'")
        if isinstance(target.revision, int) and not 1 <= target.revision <= count:
            yield doc.problem(
                (*where, "revision"), f"revision {target.revision} does not exist (1..{count})"
            )
        if isinstance(target.revision, str) and target.revision not in names:
            yield doc.problem((*where, "revision"), f"no revision named '{target.revision}'")
        if isinstance(target, TrafficSpec) and target.tag is not None:
            if target.tag in tags:
                yield doc.problem((*where, "tag"), f"tag '{target.tag}' is used twice")
            tags.add(target.tag)
    if total != 100:
        what = "traffic" if at[-1] == "traffic" else "instance split"
        yield doc.problem(at, f"{what} percents add up to {total}, not 100")
