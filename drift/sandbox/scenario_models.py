"""The scenario file's models: projects (with folders and organisations above them), services
with their revision history and traffic, secrets with versions and IAM, options, faults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from google.protobuf import json_format
from google.protobuf.message import Message
from pydantic import BeforeValidator, Field, field_validator, model_validator

from drift.profiles.rules_spec import VarName, quantity
from drift.sandbox.clock import parse_span
from drift.sandbox.pb import ServicePb, TemplatePb
from drift.sandbox.scenario_options import (
    METHODS,
    FaultSpec,
    Options,
    Strict,
    check_code,
    check_method,
)
from drift.units import parse_cpu, parse_duration, parse_memory

SERVICE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$")
SECRET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
SECRET_REF = re.compile(r"^(projects/[^/]+/secrets/)?[A-Za-z0-9_-]{1,255}$")
TAG = re.compile(r"^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$")
PARENT = re.compile(r"^(folders|organizations)/\d+$")
CRM_METHODS = frozenset({"GetProject", "GetFolder", "GetIamPolicy"})

__all__ = ["METHODS", "FaultSpec", "Options", "check_code", "check_method"]


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
Span = Annotated[str, _check(parse_span)]


def _api_fields(message: type[Message], own: set[str], output_only: frozenset[str]) -> Any:
    """A before-validator that moves the keys a scenario writes in the v2 API's own JSON form
    (any field of `message`, snake_case or lowerCamelCase, that the model does not declare)
    into `api`, under their proto names; other unknown keys stay and are refused."""
    by_name = {}
    for field in message.DESCRIPTOR.fields:
        if field.name in output_only:
            continue
        by_name[field.json_name] = field.name
        if field.name not in own:
            by_name[field.name] = field.name

    def move(data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = dict(data)
        api = dict(out.pop("api", None) or {})
        for key in list(out):
            if key in by_name and key not in own:
                api[by_name[key]] = out.pop(key)
        if api:
            try:
                json_format.ParseDict(api, message())
            except json_format.ParseError as exc:
                raise ValueError(f"not a valid {message.DESCRIPTOR.name}: {exc}") from None
            out["api"] = api
        return out

    return move


class SecretRef(Strict):
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
_TEMPLATE_OWN = {"labels", "annotations", "timeout", "service_account", "session_affinity"}
_TEMPLATE_API = _api_fields(TemplatePb, _TEMPLATE_OWN | {"execution_environment"}, frozenset())
CONTAINER_KEYS = frozenset(
    {
        "image",
        "container_name",
        "port",
        "env",
        "cpu",
        "memory",
        "cpu_throttling",
        "startup_cpu_boost",
    }
)


class TemplateSpec(Strict):
    """What a revision runs with. Flat keys (the ones below) describe the ingress container
    and the common settings; any other RevisionTemplate field may be written as the v2 API's
    JSON has it (`containers`, `volumes`, `vpcAccess`, `revision`, …) and is built with the
    official types. Where both are given, the flat keys win."""

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
    api: dict[str, Any] | None = Field(None, description="RevisionTemplate fields, v2 JSON.")

    @model_validator(mode="before")
    @classmethod
    def _api(cls, data: Any) -> Any:
        return _TEMPLATE_API(data)


class RevisionSpec(TemplateSpec):
    """An older revision: the service template with these changes (`env: {X: null}` drops X),
    who created it, when, and with which client."""

    name: str | None = None
    ready: bool = True
    message: str | None = Field(None, description="Why the revision is not ready.")
    creator: str | None = None
    created: Span | None = Field(None, description="How long ago it was created (e.g. 3d).")
    client: str | None = None
    client_version: Text | None = None


class TrafficSpec(Strict):
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


class E2ESpec(Strict):
    """Connections carrying `header: value` are E2E runs and need more configuration."""

    header: str = "X-Test-Type"
    value: str = "e2e"
    require: list[str] = Field(default_factory=list)
    bypass_auth: dict[str, Text] = Field(
        default_factory=dict,
        description="When every VAR here has this value, E2E connections skip the JWT check.",
    )


class AuthSpec(Strict):
    jwt_secret_env: str
    token_env: str | None = Field(
        None, description="The runner's variable for a test token (`drift sandbox` prints it)."
    )


class BackendSpec(Strict):
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


class DeployingSpec(Strict):
    """A deploy still running when the scenario starts: this template change (and traffic, if
    given) was requested; it settles after `settles_in` (null: when the test says so)."""

    template: RevisionSpec = Field(default_factory=RevisionSpec)
    traffic: list[TrafficSpec] | None = None
    settles_in: Span | None = "30s"
    outcome: Literal["ready", "failed"] = "ready"
    message: str | None = None
    creator: str | None = None
    client: str | None = None
    client_version: Text | None = None


_SERVICE_OWN = {"description", "labels", "annotations", "ingress", "client", "client_version"}
_SERVICE_OUTPUT = frozenset(
    {"name", "uid", "generation", "create_time", "update_time", "delete_time", "expire_time"}
    | {"creator", "last_modifier", "template", "traffic", "urls", "observed_generation"}
    | {"terminal_condition", "conditions", "latest_ready_revision", "latest_created_revision"}
    | {"traffic_statuses", "uri", "satisfies_pzs", "threat_detection_enabled", "reconciling"}
    | {"etag"}
)
_SERVICE_API = _api_fields(ServicePb, _SERVICE_OWN, _SERVICE_OUTPUT)


class ServiceSpec(Strict):
    """A Cloud Run service. Besides the keys below, any writable Service field may be given
    in v2 JSON form (`scaling`, `invokerIamDisabled`, `defaultUriDisabled`,
    `binaryAuthorization`, `customAudiences`, …)."""

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
    deploying: DeployingSpec | None = None
    backend: BackendSpec | None = None
    api: dict[str, Any] | None = Field(None, description="Service fields, v2 JSON.")

    @model_validator(mode="before")
    @classmethod
    def _api(cls, data: Any) -> Any:
        return _SERVICE_API(data)


def _version_shorthand(value: Any) -> Any:
    return {"value": value} if isinstance(value, str) else value


class SecretVersionSpec(Strict):
    value: str | None = None
    state: Literal["ENABLED", "DISABLED", "DESTROYED"] = "ENABLED"
    scheduled_destroy_in: Span | None = Field(
        None, description="Destroyed with a delay: DISABLED until then (delayed destruction)."
    )


SecretVersionItem = Annotated[SecretVersionSpec, BeforeValidator(_version_shorthand)]


class ConditionSpec(Strict):
    title: str = ""
    description: str = ""
    expression: str
    holds: bool | None = Field(
        None, description="Force the condition's value (for expressions the sandbox cannot read)."
    )


class BindingSpec(Strict):
    role: str
    members: list[str]
    condition: ConditionSpec | None = None


Iam = dict[str, list[str]] | list[BindingSpec]


class SecretSpec(Strict):
    versions: list[SecretVersionItem] = Field(default_factory=list)
    aliases: dict[str, int] = Field(default_factory=dict)
    labels: dict[str, Text] = Field(default_factory=dict)
    iam: Iam = Field(default_factory=dict, description="role -> members, or bindings")
    expire_in: Span | None = Field(None, description="Secret.expire_time: now + this.")
    version_destroy_ttl: Span | None = None


class NodeSpec(Strict):
    """A folder or an organisation: its IAM policy and the Resource Manager reads denied."""

    parent: str | None = None
    iam: Iam = Field(default_factory=dict)
    deny: list[str] = Field(default_factory=list, description="GetIamPolicy: PERMISSION_DENIED")

    @field_validator("parent")
    @classmethod
    def _parent(cls, value: str | None) -> str | None:
        if value is not None and not PARENT.fullmatch(value):
            raise ValueError(f"a parent is folders/N or organizations/N, not {value!r}")
        return value

    @field_validator("deny")
    @classmethod
    def _deny(cls, value: list[str]) -> list[str]:
        for method in value:
            if method not in CRM_METHODS:
                raise ValueError(f"deny names {sorted(CRM_METHODS)}, not {method!r}")
        return value


class ProjectSpec(NodeSpec):
    number: int = Field(ge=1)
    region: str = "us-central1"
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


class Scenario(Strict):
    """A whole sandbox world: projects with services and secrets, the folders and
    organisations above them, faults, options."""

    options: Options = Field(default_factory=Options)
    organizations: dict[str, NodeSpec] = Field(default_factory=dict)
    folders: dict[str, NodeSpec] = Field(default_factory=dict)
    projects: dict[str, ProjectSpec] = Field(default_factory=dict)
    faults: list[FaultSpec] = Field(default_factory=list)
