"""The profile file format as pydantic models: validation at the edge and the JSON Schema.

One file may be partial (it can `extends` another), so every key is optional here; what a
merged profile must hold is checked when it is built (see `loader`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from drift.fields import FIELDS, unchanged
from drift.findings import Severity
from drift.rules import RULES
from drift.units import parse_duration

VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SAME_AS = re.compile(r"^([a-z0-9][a-z0-9-]*)\.([A-Za-z_][A-Za-z0-9_]*)$")
SCHEMA_URL = "https://drift.dev/schema/profile.json"
T = TypeVar("T")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def check_regex(pattern: str) -> str:
    """Compile with RE2 (linear time, so a profile cannot hang a check). RE2 would also log
    each error to stderr through absl; the message is ours to give, once."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except re2.error as exc:
        why = exc.args[0] if exc.args else exc
        text = why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)
        raise ValueError(
            f"invalid regular expression {pattern!r}: {text} "
            "(RE2 syntax: no look-around or back-references)"
        ) from exc
    return pattern


def _scalar_to_text(value: Any) -> Any:
    """Env values are strings; accept unquoted YAML booleans and integers as their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"write the number {value!r} in quotes: a YAML float loses its digits")
    return value


def _rule_shorthand(value: Any) -> Any:
    value = _scalar_to_text(value)
    if isinstance(value, str):
        return {"value": value}
    return value


Text = Annotated[str, BeforeValidator(_scalar_to_text)]


def check_var_name(name: str) -> str:
    if not VAR_NAME.fullmatch(name):
        raise ValueError(f"not an environment variable name: {name!r}")
    return name


VarName = Annotated[str, AfterValidator(check_var_name)]
"""An environment variable name, as a mapping key."""


class VarRuleSpec(_Strict):
    """Expectations for one environment variable."""

    value: Text | None = Field(None, description="Exact plain value.")
    secret: str | None = Field(
        None, description="Must be a reference to this Secret Manager secret."
    )
    version: Text | None = Field(
        None, description="Secret version: latest (default), a number or an alias."
    )
    required: bool | None = Field(None, description="Must be present (any value).")
    optional: bool | None = Field(
        None, description="May be absent; if present, must satisfy the rest."
    )
    forbidden: bool | None = Field(None, description="Must not be set.")
    pattern: str | None = Field(None, description="RE2 regular expression the value must match.")
    not_: list[Text] | None = Field(None, alias="not", description="Values that are not allowed.")
    one_of: list[Text] | None = Field(None, description="The value must be one of these.")
    min_length: int | None = Field(None, ge=0, description="Minimum length of the value.")
    same_as: str | None = Field(
        None, description="SERVICE.VAR whose value this one must equal (compared, never shown)."
    )
    severity: Severity | None = Field(None, description="error (default), warning or info.")

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(
            r"(projects/[^/]+/secrets/)?[A-Za-z0-9_-]{1,255}", value
        ):
            raise ValueError(f"not a secret name: {value!r}")
        return value

    @field_validator("same_as")
    @classmethod
    def _same_as(cls, value: str | None) -> str | None:
        if value is not None and not SAME_AS.fullmatch(value):
            raise ValueError(f"same_as must be SERVICE.VAR, got {value!r}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> VarRuleSpec:
        if self.forbidden:
            others = [
                k
                for k in (
                    "value",
                    "secret",
                    "version",
                    "required",
                    "optional",
                    "pattern",
                    "not_",
                    "one_of",
                    "min_length",
                    "same_as",
                )
                if getattr(self, k) not in (None, False)
            ]
            if others:
                names = ", ".join("not" if k == "not_" else k for k in others)
                raise ValueError(f"a forbidden variable cannot also have {names}")
        if self.value is not None and self.secret is not None:
            raise ValueError("a variable is either a plain value or a secret, not both")
        if self.version is not None and self.secret is None:
            raise ValueError("version needs secret")
        if self.required and self.optional:
            raise ValueError("a variable cannot be both required and optional")
        return self


VarRule = Annotated[
    VarRuleSpec,
    BeforeValidator(_rule_shorthand, json_schema_input_type=str | bool | int | VarRuleSpec),
]


def quantity(parse: Callable[[Any], T]) -> Callable[[Any], T]:
    """`parse` for YAML scalars only: a list or a mapping is a validation error, not a crash
    inside the parser."""

    def checked(value: Any) -> T:
        if not isinstance(value, str | int | float):
            kind = {"list": "a list", "dict": "a mapping"}.get(type(value).__name__, repr(value))
            raise ValueError(f"expected text or a number, not {kind}")
        return parse(value)

    return checked


parse_duration_value = quantity(parse_duration)


def _settings_model() -> type[BaseModel]:
    """`settings:` as the settings catalogue describes it: one optional key per row, parsed
    by the row's own parser."""
    fields: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        annotation: Any = spec.annotation | None
        if spec.parse is not unchanged:
            annotation = Annotated[annotation, BeforeValidator(_optional(spec.parse))]
        extra: dict[str, Any] | None = None
        if spec.examples:
            extra = {"examples": list(spec.examples)}
        field = Field(None, description=spec.help, json_schema_extra=extra, ge=spec.minimum)
        fields[name] = (annotation, field)
    return create_model(
        "SettingsSpec",
        __base__=_Strict,
        __doc__="Service settings compared with the serving revision (ingress: with the service).",
        **fields,
    )


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else parse(value)


if TYPE_CHECKING:
    SettingsSpec = BaseModel
else:
    SettingsSpec = _settings_model()


class ProbeSpec(_Strict):
    """A WebSocket handshake probe against the service URL."""

    websocket: str | None = Field(
        None, description="Path on the service URL (https -> wss); required once merged."
    )
    subprotocols: list[str] = Field(default_factory=list)
    headers: dict[str, Text] = Field(default_factory=dict)
    auth: Literal["none", "google-id-token"] = "none"
    hold: Annotated[float, BeforeValidator(parse_duration_value)] = Field(
        2.0, description="How long the socket must stay open (e.g. 2s)."
    )
    timeout: Annotated[float, BeforeValidator(parse_duration_value)] = Field(
        10.0, description="Connect timeout (e.g. 10s)."
    )
    send: str | None = None
    expect: str | None = Field(None, description="RE2 regex the first message must match.")

    @field_validator("websocket")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"websocket must be a path starting with '/', got {value!r}")
        return value

    @field_validator("expect")
    @classmethod
    def _expect(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)


UnexpectedEnv = Literal["ignore", "warn", "error"]


class ServiceSpec(_Strict):
    settings: SettingsSpec | None = None
    env: dict[VarName, VarRule | None] | None = None
    unexpected_env: UnexpectedEnv | None = None
    probe: ProbeSpec | None = None
    container: str | None = Field(
        None, description="Container whose env is checked (default: the one serving traffic)."
    )


class DefaultsSpec(_Strict):
    settings: SettingsSpec | None = None
    env: dict[VarName, VarRule | None] | None = None
    unexpected_env: UnexpectedEnv | None = None
    probe: ProbeSpec | None = None


class IgnoreSpec(_Strict):
    """Silence matching findings; they stay in the JSON report, marked ignored."""

    service: str | None = None
    env: str | None = None
    setting: str | None = None
    secret: str | None = None
    rule: str | None = None
    reason: str = Field(min_length=1)
    until: dt.date | None = Field(None, description="Expires after this date (YYYY-MM-DD).")

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


class ProfileSpec(_Strict):
    """One profile file (`ENV.yaml`)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        title="drift profile",
        json_schema_extra={"$id": SCHEMA_URL},
    )

    extends: str | None = Field(None, description="Another profile in this directory.")
    project: str | None = Field(None, description="GCP project id.")
    region: str | None = None
    defaults: DefaultsSpec | None = None
    services: dict[str, ServiceSpec | None] | None = None
    ignore: list[IgnoreSpec] | None = None

    @field_validator("services")
    @classmethod
    def _service_names(cls, services: dict[str, Any] | None) -> dict[str, Any] | None:
        for name in services or {}:
            if not re.fullmatch(r"[a-z]([a-z0-9-]{0,47}[a-z0-9])?", name):
                raise ValueError(f"not a Cloud Run service name: {name!r}")
        return services


def json_schema() -> dict[str, Any]:
    schema = ProfileSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
