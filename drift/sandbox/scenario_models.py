"""The scenario file's models: projects (with folders and organisations above them), services
with their revision history and traffic, worker pools and jobs (`scenario_jobs`), secrets with
versions and IAM, options, faults."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from drift.sandbox.pb import ServicePb
from drift.sandbox.scenario_fields import (
    RESOURCE_NAME,
    EnvValue,
    RevisionSpec,
    SecretRef,
    Span,
    TemplateSpec,
    Text,
    TrafficSpec,
    _api_fields,
)
from drift.sandbox.scenario_jobs import JobSpec, OwnerSpec, PoolSpec
from drift.sandbox.scenario_options import (
    METHODS,
    ErrorInfoSpec,
    FaultSpec,
    Options,
    Strict,
    check_code,
    check_method,
)

SECRET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
PARENT = re.compile(r"^(folders|organizations)/\d+$")
CRM_METHODS = frozenset({"GetProject", "GetFolder", "GetIamPolicy"})

__all__ = [
    "METHODS",
    "EnvValue",
    "ErrorInfoSpec",
    "FaultSpec",
    "JobSpec",
    "Options",
    "PoolSpec",
    "RevisionSpec",
    "SecretRef",
    "TemplateSpec",
    "TrafficSpec",
    "check_code",
    "check_method",
]


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
    selects_subprotocol: bool = Field(
        True,
        description="The app names the subprotocol it takes in its 101 (the first `jwt.` one "
        "offered, else the first offered); false: it accepts without naming one, which RFC "
        "6455 allows and browsers refuse.",
    )
    echo: str | None = Field(
        None,
        description="The app closes every socket with 1011 and a reason that quotes this "
        "variable's value (an app that echoes its configuration in an error).",
    )
    closes_after_answer: bool = Field(
        False,
        description="A request/response endpoint: the app answers a ping with a pong, then "
        "closes with 1000 (RFC 6455 §7.4.1: the purpose of the connection fulfilled).",
    )

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


class ServiceSpec(OwnerSpec):
    """A Cloud Run service. Besides the keys below, any writable Service field may be given
    in v2 JSON form (`scaling`, `invokerIamDisabled`, `defaultUriDisabled`,
    `binaryAuthorization`, `customAudiences`, …)."""

    _API: ClassVar[Any] = _api_fields(ServicePb, _SERVICE_OWN, _SERVICE_OUTPUT)

    description: str | None = None
    ingress: Literal["all", "internal", "internal-and-cloud-load-balancing", "none"] = "all"
    template: TemplateSpec = Field(default_factory=TemplateSpec)
    history: list[RevisionSpec] = Field(
        default_factory=list, description="Older revisions, oldest first."
    )
    traffic: list[TrafficSpec] | None = None
    deploying: DeployingSpec | None = None
    unhealthy: str | None = Field(
        None,
        description="The revisions serving traffic stopped being ready after they served: their "
        "Ready condition FAILED with RevisionReason HEALTH_CHECK_CONTAINER_ERROR and this "
        "message, and the service's terminal condition FAILED with it; the service stays "
        "settled, latest created = latest ready (condition.proto RevisionReason, "
        "Service.terminal_condition).",
    )
    backend: BackendSpec | None = None


def _version_shorthand(value: Any) -> Any:
    return {"value": value} if isinstance(value, str) else value


PAYLOAD_MAX = 64 * 1024
"""secretmanager v1 resources.proto, SecretPayload.data: "The secret data. Must be no larger
than 64KiB." (Secret Manager keeps no larger version, so the sandbox serves none)."""


class SecretVersionSpec(Strict):
    value: str | None = None
    state: Literal["ENABLED", "DISABLED", "DESTROYED"] = "ENABLED"
    scheduled_destroy_in: Span | None = Field(
        None, description="Destroyed with a delay: DISABLED until then (delayed destruction)."
    )
    created: Span | None = Field(
        None,
        description="How long ago it was added (SecretVersion.create_time); default: a day "
        "after the version before it, the last one a day ago.",
    )

    @field_validator("value")
    @classmethod
    def _payload(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) > PAYLOAD_MAX:
            raise ValueError(
                f"a secret payload is at most 64 KiB ({PAYLOAD_MAX:,} bytes); this one is "
                f"{len(value.encode()):,} (SecretPayload.data)"
            )
        return value


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
    worker_pools: dict[str, PoolSpec] = Field(default_factory=dict)
    jobs: dict[str, JobSpec] = Field(default_factory=dict)
    secrets: dict[str, SecretSpec] = Field(default_factory=dict)

    @field_validator("services", "worker_pools", "jobs", "secrets")
    @classmethod
    def _names(cls, resources: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        secrets = info.field_name == "secrets"
        pattern = SECRET_NAME if secrets else RESOURCE_NAME
        for name in resources:
            if not pattern.fullmatch(name):
                what = "secret name" if secrets else "Cloud Run resource name"
                raise ValueError(f"not a {what}: {name!r}")
        return resources


class Scenario(Strict):
    """A whole sandbox world: projects with services, worker pools, jobs and secrets, the
    folders and organisations above them, faults, options."""

    options: Options = Field(default_factory=Options)
    organizations: dict[str, NodeSpec] = Field(default_factory=dict)
    folders: dict[str, NodeSpec] = Field(default_factory=dict)
    projects: dict[str, ProjectSpec] = Field(default_factory=dict)
    faults: list[FaultSpec] = Field(default_factory=list)
