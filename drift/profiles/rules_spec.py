"""The profile format of one value: a variable's rule, a mounted secret's, a setting's (from the
settings catalogue), and the text types and checks they share (RE2 patterns, names)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from drift.findings import Severity
from drift.profiles.parts import Whole
from drift.refs import VERSION_ALIAS, VERSION_NUMBER, is_version, misnamed, misplaced_project
from drift.units import DURATION_TEXT, parse_duration
from drift.yamldoc import quote_float
from drift.yamlfile import wrong_type

if TYPE_CHECKING:
    from pydantic.config import JsonDict

VAR_NAME_MAX = 32768
"""run v2 `EnvVar.name` (k8s_min.proto): "Required. Name of the environment variable. Must not
exceed 32768 characters." Cloud Run's page on environment variables (configuring/services/
overview-environment-variables) lists the names it refuses: the empty string, a name holding
`=`, and a name with the `X_GOOGLE_` prefix. Anything else is a name Cloud Run runs with
(`my-var`, `a.b`), so a profile may name it."""
SAME_AS = re.compile(r"^([a-z0-9][a-z0-9-]*)\.(.+)$")
"""`SERVICE.VAR`: a workload's name has no `.`, so the variable is everything after the first."""
SCHEMA_URL = "urn:drift:profile"
"""The schema's `$id`: a name, not an address (nothing is served anywhere; editors read the
schema from `profile.schema.json` beside the profiles, which `init` writes)."""
SECRET_NAME = re.compile(
    r"(projects/[A-Za-z0-9][A-Za-z0-9:.-]{0,62}/secrets/)?[A-Za-z0-9_-]{1,255}"
)
REGIONAL = re.compile(r"projects/[^/]+/locations/[^/]+/secrets/[^/]+")
PROJECT = re.compile(r"[a-z][a-z0-9.:-]{0,62}[a-z0-9]|[0-9]{1,19}")
SECRET_SCHEMA: JsonDict = {"pattern": f"^(?:{SECRET_NAME.pattern})$"}
PROJECT_SCHEMA: JsonDict = {"pattern": f"^(?:{PROJECT.pattern})$"}
"""The JSON Schema's patterns of a secret's name and project (what the checks below take)."""
T = TypeVar("T")


SeverityName = Annotated[Severity, Field(strict=False)]
"""A severity as YAML gives it, its text (strict validation of Python data would take only the
enum's member; the JSON Schema's `enum` is its values)."""


def check_regex(pattern: str) -> str:
    """Compile with RE2 (linear time, so a profile cannot hang a check)."""
    error = _regex_error(pattern)
    if error is not None:
        raise ValueError(
            f"invalid regular expression {pattern!r}: {error} "
            "(RE2 syntax: no look-around or back-references)"
        )
    return pattern


@functools.lru_cache(maxsize=4096)
def _regex_error(pattern: str) -> str | None:
    """RE2's complaint about a pattern, if any (asked once per pattern: profiles repeat
    theirs across services). RE2 would also log each error to stderr through absl; the
    message is ours to give, once."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except re2.error as exc:
        why = exc.args[0] if exc.args else exc
        return why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)
    return None


def _scalar_to_text(value: Any) -> Any:
    """Env values are strings; accept unquoted YAML booleans and integers as their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(quote_float(value))
    return value


def _rule_shorthand(value: Any) -> Any:
    value = _scalar_to_text(value)
    if isinstance(value, str):
        return {"value": value}
    if not isinstance(value, dict | BaseModel):  # a list: said in a profile's words
        raise ValueError(
            wrong_type("a value (text, an integer or a boolean) or rules", None, value)
        )
    return value


Text = Annotated[str, BeforeValidator(_scalar_to_text, json_schema_input_type=str | bool | int)]


def check_version(value: str) -> str:
    """`latest`, a version number or an alias, exactly (`refs.is_version`)."""
    if is_version(value):
        return value
    raise ValueError(
        f"not a secret version: {value!r} (latest, a version number such as 3, or an alias: "
        "a letter, then up to 62 letters, digits, - or _; not Latest or New)"
    )


VERSION_SCHEMA = f"^(?:latest|{VERSION_NUMBER.pattern}|{VERSION_ALIAS.pattern})$"
Version = Annotated[
    Text,
    AfterValidator(check_version),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": VERSION_SCHEMA},
            ]
        }
    ),
]


def check_var_name(name: str) -> str:
    """A name Cloud Run takes for a variable (see `VAR_NAME_MAX`)."""
    bad = not name or "=" in name or "\x00" in name or name.startswith("X_GOOGLE_")
    if bad or len(name) > VAR_NAME_MAX:
        raise ValueError(
            f"not an environment variable name: {name[:80]!r} (Cloud Run takes any name that is "
            f"not empty, holds no '=' nor NUL, does not start with X_GOOGLE_ and is at most "
            f"{VAR_NAME_MAX} characters)"
        )
    return name


VarName = Annotated[str, AfterValidator(check_var_name)]
"""An environment variable name, as a mapping key."""
VALUE_MAX = 32768
"""run v2 `EnvVar.value` (k8s_min.proto): "the maximum length is 32768 bytes"."""


def check_var_value(value: str) -> str:
    """A value Cloud Run can run a container with, said without the value (it may be a
    credential): at most `VALUE_MAX` bytes, and no NUL character — a process's environment is
    NUL-terminated strings (POSIX `execve`), so no container can be given one, and bash ends
    an argument at it: `drift plan --format gcloud` would set the text before it, and the
    variables after it in the same list not at all (helper-530 F2)."""
    if "\x00" in value:
        raise ValueError(
            "a variable's value cannot hold a NUL character (\\x00): a process environment "
            "ends a value at one, so no container is given what follows it"
        )
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > VALUE_MAX:
        raise ValueError(
            f"a variable's value is {size} bytes; Cloud Run takes at most {VALUE_MAX} bytes "
            "(EnvVar.value)"
        )
    return value


class VarRuleSpec(Whole):
    """Expectations for one environment variable (`drift profiles validate` also checks which
    go together: value or secret, not both; a forbidden variable has no other rule)."""

    value: Annotated[Text, AfterValidator(check_var_value)] | None = Field(
        None, description="Exact plain value."
    )
    secret: str | None = Field(
        None,
        description="Must be a reference to this Secret Manager secret (NAME, or "
        "projects/P/secrets/NAME for another project).",
        json_schema_extra=SECRET_SCHEMA,
    )
    project: str | None = Field(
        None,
        description="The project holding the secret, when not the service's own.",
        json_schema_extra=PROJECT_SCHEMA,
    )
    version: Version | None = Field(
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
    severity: SeverityName | None = Field(None, description="error (default), warning or info.")

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        return None if value is None else check_regex(value)

    @field_validator("one_of")
    @classmethod
    def _one_of(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:  # no value can be one of none: never clean
            raise ValueError("[] allows no value: list the values it may hold")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        return None if value is None else check_secret_name(value)

    @field_validator("same_as")
    @classmethod
    def _same_as(cls, value: str | None) -> str | None:
        match = None if value is None else SAME_AS.fullmatch(value)
        if value is not None and match is None:
            raise ValueError(f"same_as must be SERVICE.VAR, got {value!r}")
        if match is not None:
            check_var_name(match.group(2))
        return value

    @model_validator(mode="after")
    def _coherent(self) -> VarRuleSpec:
        if self.forbidden:
            others = [
                k
                for k in (
                    "value",
                    "secret",
                    "project",
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
        if self.project is not None:
            check_secret_project(self.secret, self.project)
        if self.required and self.optional:
            raise ValueError("a variable cannot be both required and optional")
        return self


def check_secret_name(value: str) -> str:
    if not SECRET_NAME.fullmatch(value):
        raise ValueError(misnamed(value, regional=REGIONAL.fullmatch(value) is not None))
    return value


def check_secret_project(secret: str | None, project: str) -> None:
    if secret is None:
        raise ValueError("project needs secret")
    if secret.startswith("projects/"):
        raise ValueError("give the project once: in project, or in the secret's full name")
    if not PROJECT.fullmatch(project):
        raise ValueError(misplaced_project(project))


class MountRuleSpec(Whole):
    """A secret a container must see mounted at this path (a file, or a directory of them)."""

    secret: str = Field(
        description="NAME, or projects/P/secrets/NAME for another project.",
        json_schema_extra=SECRET_SCHEMA,
    )
    project: str | None = Field(
        None, description="The project holding the secret.", json_schema_extra=PROJECT_SCHEMA
    )
    version: Version | None = Field(None, description="latest (default), a number or an alias.")
    optional: bool | None = Field(None, description="May be absent; if present, must match.")
    mode: str | None = Field(
        None,
        description='The file\'s permission bits, in octal and quoted ("0400"): what Cloud Run '
        "creates it with (less its umask 0222; 0444 when the service sets none).",
        pattern="^0?[0-7]{1,3}$",
    )
    severity: SeverityName | None = None

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str) -> str:
        return check_secret_name(value)

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                f'write the mode quoted, in octal ("0{value:o}" is what YAML read {value} '
                "as, if it was written 0400 unquoted); a bare number reads differently in "
                "YAML 1.1 and 1.2"
            )
        return value

    @model_validator(mode="after")
    def _coherent(self) -> MountRuleSpec:
        if self.project is not None:
            check_secret_project(self.secret, self.project)
        return self


MOUNT_PATH = re.compile(r"(?!.*//)(?!.*/\.\.?(/|$))/(?:[^:/]*/)*[^/]*")
"""An absolute path, with no `:` but in its last segment, no empty segment (`//`) and no `.` or
`..` segment: a file is named by one path, the one the revision's volume and mount spell
(VolumeMount.mount_path, "Must not contain ':'", where a file's item path may: `tls:cert.pem`
stopped `init` for the whole project, helper-586 F1; an item's path "May not contain the path
element '..'", KeyToPath, run v1 REST reference), so `/etc/creds/../tls` would never match what
runs."""
DOTTED = re.compile(r"/\.\.?(/|$)")


def check_mount_path(path: str) -> str:
    if DOTTED.search(path):
        raise ValueError(
            f"mount path {path!r} has a '.' or '..' segment: write the file's plain absolute "
            "path, as the revision mounts it (`/etc/creds/key.json`)"
        )
    if not MOUNT_PATH.fullmatch(path):
        raise ValueError(f"not an absolute mount path: {path!r}")
    return path.rstrip("/") or "/"


MountPath = Annotated[
    str,
    AfterValidator(check_mount_path),
    WithJsonSchema({"type": "string", "pattern": f"^{MOUNT_PATH.pattern}$"}),
]


VarRule = Annotated[
    VarRuleSpec,
    BeforeValidator(_rule_shorthand, json_schema_input_type=str | bool | int | VarRuleSpec),
]


def quantity(parse: Callable[[Any], T]) -> Callable[[Any], T]:
    """`parse` for YAML scalars only: a list or a mapping is a validation error, not a crash
    inside the parser."""

    def checked(value: Any) -> T:
        if not isinstance(value, str | int | float):
            raise ValueError(wrong_type("text or a number", None, value))
        return parse(value)

    return checked


parse_duration_value = quantity(parse_duration)
Duration = Annotated[
    float,
    BeforeValidator(
        parse_duration_value,
        json_schema_input_type=float | Annotated[str, Field(pattern=DURATION_TEXT)],
    ),
]
"""A duration in seconds, written as a number or as text (`2s`, `1m30s`): the schema editors
read takes both, as the loader does (revown68 F4)."""
