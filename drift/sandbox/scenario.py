"""The sandbox scenario file: pydantic models, loading with `file:line` errors, and a builder
for large generated scenarios (benchmarks)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import grpc
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from drift.errors import InputError, Problem
from drift.profiles.spec import VarName, quantity
from drift.units import parse_cpu, parse_duration, parse_memory
from drift.yamlfile import Located, YamlProblems, load_located, validation_problems

SERVICE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$")
SECRET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
SECRET_REF = re.compile(r"^(projects/[^/]+/secrets/)?[A-Za-z0-9_-]{1,255}$")
TAG = re.compile(r"^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$")
STATUS_CODES = frozenset(code.name for code in grpc.StatusCode)

# The RPCs the sandbox serves, by short name; faults name them (or `*`).
METHODS = frozenset(
    {
        "GetService",
        "ListServices",
        "UpdateService",
        "GetRevision",
        "ListRevisions",
        "GetOperation",
        "WaitOperation",
        "ListSecrets",
        "GetSecret",
        "CreateSecret",
        "AddSecretVersion",
        "ListSecretVersions",
        "GetSecretVersion",
        "AccessSecretVersion",
        "EnableSecretVersion",
        "DisableSecretVersion",
        "DestroySecretVersion",
        "GetIamPolicy",
        "SetIamPolicy",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _text(value: Any) -> Any:
    """Environment values are strings; accept unquoted YAML booleans and numbers as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_text)]


def _check(parse: Any) -> Any:
    checked = quantity(parse)

    def validate(value: Any) -> Any:
        if value is None:
            return None
        checked(value)
        return str(value)

    return BeforeValidator(validate)


Duration = Annotated[str, _check(parse_duration)]
Cpu = Annotated[str, _check(parse_cpu)]
Memory = Annotated[str, _check(parse_memory)]


class SecretRef(_Strict):
    """An environment variable read from Secret Manager."""

    secret: str
    version: Text = "latest"

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        if not SECRET_REF.fullmatch(value):
            raise ValueError(f"not a secret name: {value!r}")
        return value


def _env_shorthand(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, Mapping) and set(value) == {"value"}:
        return _text(value["value"])
    return value


EnvValue = Annotated[str | SecretRef | None, BeforeValidator(_env_shorthand)]


class TemplateSpec(_Strict):
    """What a revision runs with; every key is optional (sandbox defaults fill the rest)."""

    image: str | None = None
    container_name: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    env: dict[VarName, EnvValue] | None = None
    cpu: Cpu | None = None
    memory: Memory | None = None
    cpu_throttling: bool | None = None
    startup_cpu_boost: bool | None = None
    min_instances: int | None = Field(None, ge=0)
    max_instances: int | None = Field(None, ge=0)
    concurrency: int | None = Field(None, ge=1)
    timeout: Duration | None = None
    service_account: str | None = None
    session_affinity: bool | None = None
    execution_environment: Literal["gen1", "gen2"] | None = None
    vpc_connector: str | None = None
    vpc_egress: Literal["all-traffic", "private-ranges-only"] | None = None
    labels: dict[str, Text] | None = None
    annotations: dict[str, Text] | None = None


class RevisionSpec(TemplateSpec):
    """An older revision: the service template with these changes (`env: {X: null}` drops X)."""

    name: str | None = None
    ready: bool = True
    message: str | None = Field(None, description="Why the revision is not ready.")


class TrafficSpec(_Strict):
    """One traffic target: `latest: true` or `revision:` (a name, or its number: 3 = -00003-)."""

    latest: bool = False
    revision: int | str | None = None
    percent: int = Field(0, ge=0, le=100)
    tag: str | None = None

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is not None and not TAG.fullmatch(value):
            raise ValueError(f"not a traffic tag: {value!r}")
        return value


class E2ESpec(_Strict):
    """Connections carrying `header: value` are E2E runs and need more configuration."""

    header: str = "X-Test-Type"
    value: str = "e2e"
    require: list[str] = Field(default_factory=list)
    bypass_auth: dict[str, Text] = Field(
        default_factory=dict,
        description="When every VAR here has this value, E2E connections skip the JWT check.",
    )


class AuthSpec(_Strict):
    jwt_secret_env: str


class BackendSpec(_Strict):
    """The reference WebSocket backend's checks for one service."""

    path: str = "/ws"
    require: list[str] = Field(default_factory=list)
    e2e: E2ESpec | None = None
    auth: AuthSpec | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"path must start with '/', got {value!r}")
        return value


class ServiceSpec(_Strict):
    region: str | None = None
    description: str | None = None
    labels: dict[str, Text] = Field(default_factory=dict)
    annotations: dict[str, Text] = Field(default_factory=dict)
    ingress: Literal["all", "internal", "internal-and-cloud-load-balancing", "none"] = "all"
    client: str | None = None
    client_version: str | None = None
    creator: str | None = None
    last_modifier: str | None = None
    template: TemplateSpec = Field(default_factory=TemplateSpec)
    history: list[RevisionSpec] = Field(
        default_factory=list, description="Older revisions, oldest first."
    )
    failed: str | None = Field(None, description="The latest revision is not ready: why.")
    traffic: list[TrafficSpec] | None = None
    backend: BackendSpec | None = None


def _version_shorthand(value: Any) -> Any:
    return {"value": value} if isinstance(value, str) else value


class SecretVersionSpec(_Strict):
    value: str | None = None
    state: Literal["ENABLED", "DISABLED", "DESTROYED"] = "ENABLED"


SecretVersionItem = Annotated[SecretVersionSpec, BeforeValidator(_version_shorthand)]


class SecretSpec(_Strict):
    versions: list[SecretVersionItem] = Field(default_factory=list)
    aliases: dict[str, int] = Field(default_factory=dict)
    labels: dict[str, Text] = Field(default_factory=dict)
    iam: dict[str, list[str]] = Field(default_factory=dict, description="role -> members")


class ProjectSpec(_Strict):
    number: int = Field(ge=1)
    region: str = "us-central1"
    iam: dict[str, list[str]] = Field(default_factory=dict, description="role -> members")
    services: dict[str, ServiceSpec] = Field(default_factory=dict)
    secrets: dict[str, SecretSpec] = Field(default_factory=dict)

    @field_validator("services")
    @classmethod
    def _service_names(cls, services: dict[str, Any]) -> dict[str, Any]:
        for name in services:
            if not SERVICE_NAME.fullmatch(name):
                raise ValueError(f"not a Cloud Run service name: {name!r}")
        return services

    @field_validator("secrets")
    @classmethod
    def _secret_names(cls, secrets: dict[str, Any]) -> dict[str, Any]:
        for name in secrets:
            if not SECRET_NAME.fullmatch(name):
                raise ValueError(f"not a secret name: {name!r}")
        return secrets


class FaultSpec(_Strict):
    """Make calls to `method` (short name or `*`) fail with `code` and/or wait `latency_ms`."""

    method: str = "*"
    code: str | None = "UNAVAILABLE"
    rate: float = Field(1.0, ge=0.0, le=1.0)
    first_n: int | None = Field(None, ge=1)
    latency_ms: float = Field(0, ge=0)
    match: str | None = None
    retry_delay_ms: int | None = Field(None, ge=0)
    message: str | None = None
    after: bool = Field(
        False, description="Carry the call out, then delay or fail its answer (lost answer)."
    )

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        return check_method(value)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return check_code(value)


class Options(_Strict):
    seed: int = 0
    latency_ms: float = Field(0, ge=0, description="Added to every call.")
    operation_delay_ms: float = Field(0, ge=0, description="How long an update stays running.")


class Scenario(_Strict):
    """A whole sandbox world: projects with services and secrets, faults, options."""

    options: Options = Field(default_factory=Options)
    projects: dict[str, ProjectSpec] = Field(default_factory=dict)
    faults: list[FaultSpec] = Field(default_factory=list)


def check_method(value: str) -> str:
    import difflib

    if value != "*" and value not in METHODS:
        close = difflib.get_close_matches(value, sorted(METHODS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"unknown method {value!r}{hint}")
    return value


def check_code(value: str | None) -> str | None:
    if value is not None and value not in STATUS_CODES:
        raise ValueError(f"unknown gRPC status code {value!r}; e.g. UNAVAILABLE, NOT_FOUND")
    return value


def default_scenario_path() -> Path:
    """The scenario shipped with drift: the demo app of `profiles/` with deliberate drift."""
    return Path(__file__).with_name("scenarios") / "default.yaml"


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
    """What one key cannot say alone: traffic targets, aliases, duplicate numbers and names."""
    numbers: dict[int, str] = {}
    for pid, project in scenario.projects.items():
        at = ("projects", pid)
        if project.number in numbers:
            yield doc.problem(
                (*at, "number"), f"project number also used by {numbers[project.number]}"
            )
        numbers[project.number] = pid
        for sname, secret in project.secrets.items():
            for alias, version in secret.aliases.items():
                if not 1 <= version <= len(secret.versions):
                    yield doc.problem(
                        (*at, "secrets", sname, "aliases", alias),
                        f"alias '{alias}' points at version {version}, which does not exist",
                    )
            for i, item in enumerate(secret.versions):
                if item.value is None and item.state != "DESTROYED":
                    yield doc.problem(
                        (*at, "secrets", sname, "versions", i), "value is required unless DESTROYED"
                    )
        for name, service in project.services.items():
            yield from _service_problems(doc, (*at, "services", name), name, service)


def _service_problems(
    doc: Located, at: tuple[str | int, ...], name: str, service: ServiceSpec
) -> Iterable[Problem]:
    count = len(service.history) + 1
    names = {r.name for r in service.history if r.name}
    for i, rev in enumerate(service.history):
        if rev.name is not None and not rev.name.startswith(f"{name}-"):
            yield doc.problem((*at, "history", i, "name"), f"a revision name starts with '{name}-'")
    if service.traffic is None:
        return
    total = 0
    tags: set[str] = set()
    for i, target in enumerate(service.traffic):
        where = (*at, "traffic", i)
        total += target.percent
        if target.latest == (target.revision is not None):
            yield doc.problem(where, "a traffic target has either 'latest: true' or 'revision'")
        if isinstance(target.revision, int) and not 1 <= target.revision <= count:
            yield doc.problem(
                (*where, "revision"), f"revision {target.revision} does not exist (1..{count})"
            )
        if isinstance(target.revision, str) and target.revision not in names:
            yield doc.problem((*where, "revision"), f"no revision named '{target.revision}'")
        if target.tag is not None:
            if target.tag in tags:
                yield doc.problem((*where, "tag"), f"tag '{target.tag}' is used twice")
            tags.add(target.tag)
    if total != 100:
        yield doc.problem((*at, "traffic"), f"traffic percents add up to {total}, not 100")


def generate(
    *,
    services: int = 200,
    vars: int = 30,
    secret_refs: int = 10,
    secrets: int = 100,
    project: str = "bench-project",
    number: int = 100000000001,
    region: str = "us-central1",
    history: int = 1,
    seed: int = 0,
) -> Scenario:
    """A large synthetic scenario: `services` services with `vars` variables each, of which
    `secret_refs` reference one of `secrets` secrets (all accessible, all enabled)."""
    if secret_refs > vars:
        raise ValueError("secret_refs cannot exceed vars")
    if secret_refs and not secrets:
        raise ValueError("secret_refs needs at least one secret")
    accessors = [
        f"serviceAccount:svc-{i:04d}@{project}.iam.gserviceaccount.com" for i in range(services)
    ]
    secret_specs = {
        f"secret-{j:04d}": SecretSpec(
            versions=[SecretVersionSpec(value=f"fake-value-{j:04d}-" + "x" * 32)],
            iam={"roles/secretmanager.secretAccessor": accessors},
        )
        for j in range(secrets)
    }
    service_specs: dict[str, ServiceSpec] = {}
    for i in range(services):
        env: dict[str, str | SecretRef | None] = {}
        for k in range(vars):
            if k < secret_refs:
                env[f"SECRET_VAR_{k:02d}"] = SecretRef(secret=f"secret-{(i + k) % secrets:04d}")
            else:
                env[f"PLAIN_VAR_{k:02d}"] = f"value-{i}-{k}"
        template = TemplateSpec(
            env=env, service_account=accessors[i][len("serviceAccount:") :], concurrency=80
        )
        older = [RevisionSpec(env={"PLAIN_VAR_OLD": "1"}) for _ in range(history)]
        service_specs[f"svc-{i:04d}"] = ServiceSpec(template=template, history=older)
    spec = ProjectSpec(number=number, region=region, services=service_specs, secrets=secret_specs)
    return Scenario(options=Options(seed=seed), projects={project: spec})
