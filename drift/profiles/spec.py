"""The profile file format as pydantic models: validation at the edge and the JSON Schema.

One file may be partial (it can `extends` another), so every key is optional here; what a
merged profile must hold is checked when it is built (see `loader`)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from drift.gcp_ids import PROJECT, REGION, checked_project, checked_region
from drift.profiles.names import WORKLOAD_NAME as WORKLOAD_NAME
from drift.profiles.names import check_tag
from drift.profiles.rules_spec import (
    SCHEMA_URL,
    DefaultSettingsSpec,
    JobSettingsSpec,
    MountPath,
    MountRuleSpec,
    SettingsSpec,
    Strict,
    Text,
    VarName,
    VarRule,
    WorkerPoolSettingsSpec,
    check_regex,
    parse_duration_value,
)
from drift.rules import RULES
from drift.runnervars import refusal, runner_credential
from drift.units import MAX_EXPIRY_DAYS, parse_days

# --- the probe block: one validation, for `profiles validate` and every command that probes --

VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`${NAME}`: read from the runner's environment when the probe is built."""
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""RFC 9110 token: a header name, a subprotocol (RFC 6455 §4.1)."""
HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
"""What a header can carry (RFC 9110 field-value; websockets refuses anything else, its
`datastructures.is_valid_header_value`)."""
RESERVED_HEADERS = frozenset(
    {
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
    }
)
MAX_TIMEOUT = 300.0
"""The longest connect timeout: Cloud Run's default request timeout (5 minutes)."""
MAX_HOLD = 3600.0
"""The longest hold: Cloud Run ends any request, a WebSocket included, at its request timeout,
"can be extended up to 60 minutes (3600 seconds)" (request-timeout docs)."""


def check_references(template: str) -> str:
    """Every `${` starts a well-formed `${NAME}`, none of the runner's own credentials
    (`drift.runnervars`)."""
    for match in VAR_REF.finditer(template):
        if runner_credential(match.group(1)):
            raise ValueError(refusal(match.group(1)))
    return check_syntax(template)


def check_syntax(template: str) -> str:
    """Every `${` starts a well-formed `${NAME}`."""
    leftover = VAR_REF.sub("", template)
    if "${" in leftover:
        start = leftover.index("${")
        fragment = leftover[start : leftover.find("}", start) + 1 or start + 20]
        raise ValueError(
            f"malformed variable reference {fragment!r} "
            "(write ${NAME} with letters, digits and underscores)"
        )
    return template


def check_header_name(name: str) -> str:
    if not TOKEN.fullmatch(name):
        raise ValueError(f"probe header name {name!r} is not a valid token")
    if name.lower() in RESERVED_HEADERS:
        hint = " (use `subprotocols`)" if name.lower() == "sec-websocket-protocol" else ""
        raise ValueError(f"probe header {name} is set by the WebSocket handshake itself{hint}")
    return name


def header_value_ok(value: str) -> bool:
    return HEADER_VALUE.fullmatch(value) is not None


def _header_value(value: str) -> str:
    check_references(value)
    if not header_value_ok(VAR_REF.sub("", value)):
        raise ValueError(
            "a header cannot carry this value (a line break or other control character, or "
            "a character above U+00FF)"
        )
    return value


def _subprotocol(value: str) -> str:
    check_references(value)
    if not TOKEN.fullmatch(VAR_REF.sub("x", value)):
        raise ValueError(
            f"subprotocol {value!r} is not a valid token "
            "(no spaces, commas, quotes or control characters)"
        )
    return value


def check_path(path: str) -> str:
    """A path on the service URL, as the probe sends it (checked again once expanded)."""
    if not path.startswith("/"):
        raise ValueError(f"websocket must be a path starting with '/', got {path!r}")
    if path.startswith("//"):
        # `//host/…` is a URL of another host (RFC 3986 network-path reference)
        raise ValueError("websocket must be a path on the service URL, not start with '//'")
    if any(c.isspace() or not c.isprintable() for c in path):
        raise ValueError("websocket path holds a space or a control character (percent-encode it)")
    return path


def _duration_within(low: float, high: float, *, open_low: bool = False) -> Any:
    def check(value: float) -> float:
        if not math.isfinite(value) or value > high or value < low or (open_low and value == low):
            above = "more than" if open_low else "at least"
            raise ValueError(f"must be {above} {low:g}s and at most {high:g}s, got {value:g}")
        return value

    return AfterValidator(check)


HeaderName = Annotated[str, AfterValidator(check_header_name)]
HeaderValue = Annotated[Text, AfterValidator(_header_value)]
Subprotocol = Annotated[str, AfterValidator(_subprotocol)]


class ProbeSpec(Strict):
    """A WebSocket handshake probe against the service URL."""

    websocket: str | None = Field(
        None, description="Path on the service URL (https -> wss); required once merged."
    )
    subprotocols: list[Subprotocol] = Field(default_factory=list)
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    auth: Literal["none", "google-id-token"] = "none"
    hold: Annotated[
        float, BeforeValidator(parse_duration_value), _duration_within(0.0, MAX_HOLD)
    ] = Field(2.0, description="How long the socket must stay open (e.g. 2s; at most 1h).")
    timeout: Annotated[
        float,
        BeforeValidator(parse_duration_value),
        _duration_within(0.0, MAX_TIMEOUT, open_low=True),
    ] = Field(10.0, description="Connect timeout (e.g. 10s; at most 5m).")
    send: str | None = None
    expect: str | None = Field(None, description="RE2 regex the first message must match.")
    tag: Tag | None = Field(
        None, description="Probe the revision this traffic tag points to (its own URL)."
    )

    @field_validator("websocket")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        return None if value is None else check_references(check_path(value))

    @field_validator("send")
    @classmethod
    def _send(cls, value: str | None) -> str | None:
        return None if value is None else check_references(value)

    @field_validator("expect")
    @classmethod
    def _expect(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)


UnexpectedEnv = Literal["ignore", "warn", "error"]


Tag = Annotated[str, AfterValidator(check_tag)]
CheckTags = Literal["all", "none"] | list[Tag]
"""Which tagged revisions (reachable at their own URL) are checked besides those with traffic."""


ExpiryDays = Annotated[int, BeforeValidator(parse_days), Field(ge=0, le=MAX_EXPIRY_DAYS)]


class ContainerSpec(Strict):
    """Rules for one more container of the revision (a sidecar), by its name."""

    env: dict[VarName, VarRule | None] | None = None
    mounts: dict[MountPath, MountRuleSpec | None] | None = None
    unexpected_env: UnexpectedEnv | None = None


class WorkloadSpec(Strict):
    """What services, jobs and worker pools are described with alike."""

    env: dict[VarName, VarRule | None] | None = None
    mounts: dict[MountPath, MountRuleSpec | None] | None = Field(
        None, description="Secrets mounted as files in the container `env` describes, by path."
    )
    containers: dict[str, ContainerSpec | None] | None = Field(
        None, description="Rules for the other containers (sidecars), by container name."
    )
    unexpected_env: UnexpectedEnv | None = None
    container: str | None = Field(
        None,
        description="Container whose env is checked (default: the one with a port, else the "
        "first).",
    )
    expiry_warning: ExpiryDays | None = None


class ServiceSpec(WorkloadSpec):
    settings: SettingsSpec | None = None
    probe: ProbeSpec | None = None
    check_tags: CheckTags | None = None


class JobSpec(WorkloadSpec):
    """A Cloud Run job: checked against its template (what its next execution runs)."""

    settings: JobSettingsSpec | None = None


class WorkerPoolSpec(WorkloadSpec):
    """A Cloud Run worker pool: checked against the revisions its instances run."""

    settings: WorkerPoolSettingsSpec | None = None


PATTERNS = (f"^(?:{PROJECT.pattern})$", f"^{REGION.pattern}$")
"""The JSON Schema's patterns of `project` and `region` (`drift.gcp_ids`)."""


class DefaultsSpec(Strict):
    """Merged into every service, job and worker pool (settings into those that have them;
    probe and check_tags into services)."""

    settings: DefaultSettingsSpec | None = None
    env: dict[VarName, VarRule | None] | None = None
    unexpected_env: UnexpectedEnv | None = None
    probe: ProbeSpec | None = None
    check_tags: CheckTags | None = None
    expiry_warning: ExpiryDays | None = None


_NAMED_ONLY = ", ".join(r.id for r in RULES.values() if r.ignored_by_name_only)


class IgnoreSpec(Strict):
    """Silence matching findings; they stay in the JSON report, marked ignored. The
    security-relevant rules (`RuleInfo.ignored_by_name_only`) are silenced only by an entry
    whose `rule` names them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": "Silence matching findings; they stay in the JSON report, marked "
            f"ignored. Security-relevant rules ({_NAMED_ONLY}) are silenced only by an entry "
            "that names them in `rule`: an entry naming a variable, secret, setting or mount "
            "alone does not silence them (the finding says so)."
        },
    )

    service: str | None = None
    job: str | None = None
    worker_pool: str | None = None
    env: str | None = None
    setting: str | None = None
    secret: str | None = None
    mount: str | None = None
    container: str | None = None
    tag: str | None = None
    rule: str | None = Field(
        None,
        description=f"A rule id; required to silence a security-relevant rule ({_NAMED_ONLY}).",
    )
    reason: str = Field(min_length=1)
    until: dt.date | None = Field(None, description="Expires after this date (YYYY-MM-DD, UTC).")

    @field_validator("until", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(f"until must be a date (YYYY-MM-DD), got {value!r}") from exc
        if value is not None and not isinstance(value, dt.date):
            raise ValueError(f"until must be a date (YYYY-MM-DD), got {value!r}")
        return value

    @field_validator("rule")
    @classmethod
    def _rule(cls, value: str | None) -> str | None:
        if value is not None and value not in RULES:
            raise ValueError(f"unknown rule {value!r}")
        return value

    @model_validator(mode="after")
    def _names_what_it_silences(self) -> IgnoreSpec:
        """One workload, and what of it: a target (env, setting, secret, mount) or a rule. An
        entry naming neither would silence every finding it meets (a whole environment)."""
        workloads = [k for k in ("service", "job", "worker_pool") if getattr(self, k) is not None]
        if len(workloads) != 1:
            raise ValueError(
                "an ignore names one service, job or worker_pool"
                + (f" (this one names {', '.join(workloads)})" if workloads else "")
            )
        targets = [k for k in ("env", "setting", "secret", "mount") if getattr(self, k) is not None]
        if len(targets) > 1:
            raise ValueError(f"an ignore names one of env, setting, secret, mount, not {targets}")
        if not targets and self.rule is None:
            raise ValueError(
                "an ignore names what it silences: one of env, setting, secret, mount, or a rule"
            )
        return self


class ProfileSpec(Strict):
    """One profile file (`ENV.yaml`)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        title="drift profile",
        json_schema_extra={"$id": SCHEMA_URL},
    )

    extends: str | None = Field(None, description="Another profile in this directory.")
    project: Annotated[str, AfterValidator(checked_project)] | None = Field(
        None, description="GCP project id (or number).", json_schema_extra={"pattern": PATTERNS[0]}
    )
    region: Annotated[str, AfterValidator(checked_region)] | None = Field(
        None,
        description="Cloud Run region, e.g. us-central1.",
        json_schema_extra={"pattern": PATTERNS[1]},
    )
    defaults: DefaultsSpec | None = None
    check_tags: CheckTags | None = Field(
        None, description="Tagged revisions to check: all (default), none, or a list of tags."
    )
    expiry_warning: ExpiryDays | None = Field(
        None, description="Warn when a referenced secret expires within this many days (30)."
    )
    services: dict[str, ServiceSpec | None] | None = None
    jobs: dict[str, JobSpec | None] | None = Field(
        None, description="Cloud Run jobs, by name: the same rules as services."
    )
    worker_pools: dict[str, WorkerPoolSpec | None] | None = Field(
        None, description="Cloud Run worker pools, by name: the same rules as services."
    )
    ignore: list[IgnoreSpec] | None = None

    @field_validator("services", "jobs", "worker_pools")
    @classmethod
    def _names(cls, workloads: dict[str, Any] | None, info: ValidationInfo) -> Any:
        pattern = WORKLOAD_NAME[str(info.field_name)]
        noun = str(info.field_name)[:-1].replace("_", " ")
        for name in workloads or {}:
            if not pattern.fullmatch(name):
                raise ValueError(f"not a Cloud Run {noun} name: {name!r}")
        return workloads


def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = _one_spelling(ProfileSpec.model_json_schema(by_alias=True))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _one_spelling(node: Any) -> Any:
    """One schema whatever pydantic writes it: 2.9 (the floor) writes a one-value Literal as
    `const` and `enum: [it]`, 2.14 `const` alone (one constraint, JSON Schema §6.1.2-3)."""
    if not isinstance(node, dict):
        return [_one_spelling(item) for item in node] if isinstance(node, list) else node
    kept = {key: _one_spelling(value) for key, value in node.items()}
    if "const" in kept and kept.get("enum") == [kept["const"]]:
        del kept["enum"]
    return kept
