"""The profile file format as pydantic models: validation at the edge and the JSON Schema.

One file may be partial (it can `extends` another), so every key is optional here; what a
merged profile must hold is checked when it is built (see `loader`)."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
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
from drift.profiles.parts import Strict, Whole, whole_schema
from drift.profiles.probe_spec import ProbeSpec, Tag
from drift.profiles.rules_spec import SCHEMA_URL, MountPath, MountRuleSpec, VarName, VarRule
from drift.profiles.settings_spec import (
    ContainerSettingsSpec,
    DefaultSettingsSpec,
    JobSettingsSpec,
    SettingsSpec,
    WorkerPoolSettingsSpec,
)
from drift.rules import RULES
from drift.units import DAYS, MAX_EXPIRY_DAYS, parse_days

UnexpectedEnv = Literal["ignore", "warn", "error"]
CheckTags = Literal["all", "none"] | list[Tag]
"""Which tagged revisions (reachable at their own URL) are checked besides those with traffic."""


Days = Annotated[int, Field(ge=0, le=MAX_EXPIRY_DAYS)]
ExpiryDays = Annotated[
    Days,
    BeforeValidator(
        parse_days, json_schema_input_type=Days | Annotated[str, Field(pattern=f"^{DAYS.pattern}$")]
    ),
]


class ContainerSpec(Strict):
    """Rules for one more container of the revision (a sidecar), by its name."""

    env: dict[VarName, VarRule | None] | None = None
    mounts: dict[MountPath, MountRuleSpec | None] | None = None
    unexpected_env: UnexpectedEnv | None = None
    settings: ContainerSettingsSpec | None = Field(
        None, description="The container's own settings: image, cpu, memory."
    )


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


def _named(kind: str) -> dict[str, Any]:
    """The JSON Schema's names of `services`, `jobs` or `worker_pools` (`WORKLOAD_NAME`)."""
    return {"propertyNames": {"pattern": f"^(?:{WORKLOAD_NAME[kind].pattern})$"}}


class DefaultsSpec(Strict):
    """Merged into every service, job and worker pool (settings into those that have them;
    probe and check_tags into services)."""

    settings: DefaultSettingsSpec | None = None
    env: dict[VarName, VarRule | None] | None = None
    unexpected_env: UnexpectedEnv | None = None
    probe: ProbeSpec | None = None
    check_tags: CheckTags | None = None
    expiry_warning: ExpiryDays | None = None


def _not_a_date(value: str) -> str:
    """Why `until: VALUE` is no date: not in its form, or in it but not a day that exists
    (`2026-02-30`: the form was right, the calendar says no)."""
    said = f"until must be a date (YYYY-MM-DD), got {value!r}"
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return said
    year, month, day = (int(part) for part in value.split("-"))
    if not year:
        why = "there is no year 0"
    elif not 1 <= month <= 12:
        why = f"there is no month {month}"
    elif not day:
        why = "there is no day 0"
    else:
        why = f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"
    return f"{said}: not a day that exists ({why})"


_NAMED_ONLY = ", ".join(r.id for r in RULES.values() if r.ignored_by_name_only)
_WORKLOADS, _TARGETS = ("service", "job", "worker_pool"), ("env", "setting", "secret", "mount")


class IgnoreSpec(Whole):
    """Silence matching findings; they stay in the JSON report, marked ignored. The
    security-relevant rules (`RuleInfo.ignored_by_name_only`) are silenced only by an entry
    whose `rule` names them."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=whole_schema(
            {
                "description": "Silence matching findings; they stay in the JSON report, "
                f"marked ignored. Security-relevant rules ({_NAMED_ONLY}) are silenced only by "
                "an entry that names them in `rule`: an entry naming a variable, secret, "
                "setting or mount alone does not silence them (the finding says so).",
                # one workload, and a target or a rule (`_names_what_it_silences`)
                "oneOf": [{"required": [k]} for k in _WORKLOADS],
                "anyOf": [{"required": [k]} for k in (*_TARGETS, "rule")],
            }
        ),
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
        json_schema_extra={"enum": [*RULES, None]},
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
                raise ValueError(_not_a_date(value)) from exc
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
        workloads = [k for k in _WORKLOADS if getattr(self, k) is not None]
        if len(workloads) != 1:
            raise ValueError(
                "an ignore names one service, job or worker_pool"
                + (f" (this one names {', '.join(workloads)})" if workloads else "")
            )
        targets = [k for k in _TARGETS if getattr(self, k) is not None]
        if len(targets) > 1:
            raise ValueError(f"an ignore names one of env, setting, secret, mount, not {targets}")
        if not targets and self.rule is None:
            raise ValueError(
                "an ignore names what it silences: one of env, setting, secret, mount, or a rule"
            )
        return self


def _number_quoted(value: Any) -> Any:
    """A project number written as YAML reads a number (`project: 123456789012`): said with
    what to write, not "expected a string" alone (helper-527 F8)."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f"expected a string, not {value}: a project number is written in quotes, '{value}'"
        )
    return value


class ProfileSpec(Strict):
    """One profile file (`ENV.yaml`). `drift profiles validate` also checks what this schema
    does not state: durations' and quantities' ranges (`timeout: 0s`), that patterns compile
    as RE2, which rules go together, and the merged profile (`extends`, `defaults`)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        title="drift profile",
        json_schema_extra={"$id": SCHEMA_URL},
    )

    extends: str | None = Field(None, description="Another profile in this directory.")
    project: (
        Annotated[str, BeforeValidator(_number_quoted), AfterValidator(checked_project)] | None
    ) = Field(
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
    services: dict[str, ServiceSpec | None] | None = Field(
        None, json_schema_extra=_named("services")
    )
    jobs: dict[str, JobSpec | None] | None = Field(
        None,
        description="Cloud Run jobs, by name: the same rules as services.",
        json_schema_extra=_named("jobs"),
    )
    worker_pools: dict[str, WorkerPoolSpec | None] | None = Field(
        None,
        description="Cloud Run worker pools, by name: the same rules as services.",
        json_schema_extra=_named("worker_pools"),
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
    schema: dict[str, Any] = json.loads(schema_text())  # its own copy
    return schema


@functools.cache
def schema_text() -> str:
    """The profiles' JSON Schema as `drift profiles schema` prints it and `init` writes it: made
    once a process (pydantic generates it in 35–50 ms of CPU, 2026-12-07)."""
    schema: dict[str, Any] = _one_spelling(ProfileSpec.model_json_schema(by_alias=True))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2)


def _one_spelling(node: Any) -> Any:
    """One schema whatever pydantic writes it: 2.9 (the floor) writes a one-value Literal as
    `const` and `enum: [it]`, 2.14 `const` alone (one constraint, JSON Schema §6.1.2-3). A
    mapping whose keys have a pattern (a mount path) is written `patternProperties`, which lets
    any other key through: said as `propertyNames`, a key that does not match is refused."""
    if not isinstance(node, dict):
        return [_one_spelling(item) for item in node] if isinstance(node, list) else node
    kept = {key: _one_spelling(value) for key, value in node.items()}
    if "const" in kept and kept.get("enum") == [kept["const"]]:
        del kept["enum"]
    if len(keyed := kept.get("patternProperties", {})) == 1 and "additionalProperties" not in kept:
        ((pattern, value),) = keyed.items()
        del kept["patternProperties"]
        kept.update(propertyNames={"pattern": pattern}, additionalProperties=value)
    return kept
