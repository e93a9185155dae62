"""The scenario's shared field types: text, quantities and time spans, v2 JSON fields moved
into `api`, environment values, the templates of services, worker pools and jobs (flat keys
over the official types), older revisions and traffic (instance split) targets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from google.protobuf import json_format
from google.protobuf.message import Message
from pydantic import BeforeValidator, Field, field_validator, model_validator

from drift.profiles.rules_spec import VarName, quantity
from drift.sandbox import quantity as q
from drift.sandbox.pb import PoolTemplatePb, TaskTemplatePb, TemplatePb
from drift.sandbox.scenario_options import Strict
from drift.units import parse_duration, parse_span

# a service, worker pool or job name in a scenario (one that exists): a DNS label of at most
# 63 characters. The v2 API creates services with fewer than 50 (CreateServiceRequest
# .service_id), the v1 API created them with up to 63 ("Maximum length is 63 characters";
# compute v1 NetworkEndpointGroupCloudRun.service: "1-63 characters long, and comply with
# RFC1035"): where the docs leave it open, the sandbox holds both.
RESOURCE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
SECRET_REF = re.compile(r"^(projects/[^/]+/secrets/)?[A-Za-z0-9_-]{1,255}$")
TAG = re.compile(r"^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$")
# RevisionTemplate.service_account: "Email address of the IAM service account associated
# with the revision" (run v2 revision_template.proto): not IAM's resource name
# (`projects/-/serviceAccounts/EMAIL`) nor an IAM member (`serviceAccount:EMAIL`).
SERVICE_ACCOUNT = re.compile(r"^[^@/:\s]+@[^@/:\s]+\.[^@/:\s]+$")


def account_problem(account: str) -> str | None:
    """Why `account` is no RevisionTemplate.service_account, or None: the field is the "Email
    address of the IAM service account associated with the revision of the service"
    (google/cloud/run/v2/revision_template.proto), not IAM's `projects/-/serviceAccounts/…`
    resource name nor a `serviceAccount:` member. Whether Cloud Run refuses upper case is not
    documented: left alone."""
    if not account or SERVICE_ACCOUNT.fullmatch(account):
        return None
    return f"service_account '{account}' is not a service account email address."


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
Cpu = Annotated[str, _check(lambda v: q.parse(str(v)))]
"""Any quantity Kubernetes reads (the sandbox's own reading, `drift.sandbox.quantity`): a
scenario seeds what Cloud Run could hold, drift's reading of it is what is under test."""
Memory = Annotated[str, _check(lambda v: q.parse(str(v)))]
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
_OWN = {"labels", "annotations", "timeout", "service_account", "session_affinity"}
_OWN |= {"execution_environment", "max_retries"}


class BaseTemplateSpec(Strict):
    """The flat keys every template has: its main container (the ingress container of a
    service; only a service's has a `port`) and the common settings. Any other field of the
    template message may be written as the v2 API's JSON has it and is built with the
    official types; where both are given, the flat keys win."""

    _API: ClassVar[Any] = None

    image: str | None = None
    container_name: str | None = None
    env: dict[VarName, EnvValue] | None = None
    cpu: Cpu | None = None
    memory: Memory | None = None
    cpu_throttling: bool | None = None
    startup_cpu_boost: bool | None = None
    service_account: str | None = None
    vpc_connector: str | None = None
    vpc_egress: Literal["all-traffic", "private-ranges-only"] | None = None
    labels: dict[str, Text] | None = None
    annotations: dict[str, Text] | None = None
    api: dict[str, Any] | None = Field(None, description="Template fields, v2 JSON.")

    @model_validator(mode="before")
    @classmethod
    def _api(cls, data: Any) -> Any:
        return cls._API(data)

    @field_validator("service_account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        problem = account_problem(value or "")
        if problem:
            raise ValueError(problem)
        return value


class TemplateSpec(BaseTemplateSpec):
    """What a service revision runs with: a RevisionTemplate (`containers`, `volumes`,
    `vpcAccess`, `revision`, … in v2 JSON)."""

    _API: ClassVar[Any] = _api_fields(TemplatePb, _OWN, frozenset())

    port: int | None = Field(None, ge=1, le=65535)
    min_instances: int | None = Field(None, ge=0)
    max_instances: int | None = Field(None, ge=0)
    concurrency: int | None = Field(None, ge=1)
    timeout: Duration | None = None
    session_affinity: bool | None = None
    execution_environment: Literal["gen1", "gen2"] | None = None


class PoolTemplateSpec(BaseTemplateSpec):
    """What a worker pool revision runs with: a WorkerPoolRevisionTemplate (no scaling,
    timeout or concurrency: worker_pool_revision_template.proto)."""

    _API: ClassVar[Any] = _api_fields(PoolTemplatePb, _OWN, frozenset())


class JobTemplateSpec(BaseTemplateSpec):
    """What a job's executions run: the ExecutionTemplate's `task_count`, `parallelism`,
    `labels` and `annotations`, and its TaskTemplate (`containers`, `volumes`, `maxRetries`,
    … in v2 JSON; `timeout` is per attempt of a task)."""

    _API: ClassVar[Any] = _api_fields(TaskTemplatePb, _OWN, frozenset())

    task_count: int | None = Field(None, ge=1)
    parallelism: int | None = Field(None, ge=0)
    max_retries: int | None = Field(None, ge=0, le=10)
    timeout: Duration | None = None
    execution_environment: Literal["gen1", "gen2"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _api(cls, data: Any) -> Any:
        """Also the ExecutionTemplate's v2 JSON: `taskCount`, `parallelism`, `labels`,
        `annotations` and the TaskTemplate under `template`."""
        if isinstance(data, Mapping):
            data = dict(data)
            inner = data.pop("template", None)
            if isinstance(inner, Mapping):
                data = {**inner, **data}
            if "taskCount" in data:
                data["task_count"] = data.pop("taskCount")
        return cls._API(data)


class OlderSpec(Strict):
    """An older revision's own keys: its name, whether it became ready, who created it,
    when, and with which client."""

    name: str | None = None
    ready: bool = True
    message: str | None = Field(None, description="Why the revision is not ready.")
    creator: str | None = None
    created: Span | None = Field(None, description="How long ago it was created (e.g. 3d).")
    client: str | None = None
    client_version: Text | None = None
    deleted: Span | None = Field(
        None,
        description="How long ago it was deleted (e.g. 1d; refused for one DeleteRevision "
        "refuses): listed only as `options.deleted_revisions` says.",
    )


class RevisionSpec(TemplateSpec, OlderSpec):
    """An older revision: the service template with these changes (`env: {X: null}` drops X),
    who created it, when, and with which client."""


class PoolRevisionSpec(PoolTemplateSpec, OlderSpec):
    """An older worker pool revision: the pool's template with these changes."""


class SplitSpec(Strict):
    """One instance split (or traffic) target: `latest: true` or `revision:` (a name, or its
    place in the history from 1: 3 = the third, `-00003-` unless a name before it took a
    higher number)."""

    latest: bool = False
    revision: int | str | None = None
    percent: int = Field(0, ge=0, le=100)


class TrafficSpec(SplitSpec):
    """One traffic target: a split target with an optional tag."""

    tag: str | None = None

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is not None and not TAG.fullmatch(value):
            raise ValueError(f"not a traffic tag: {value!r}")
        return value
