"""A `settings:` block of a profile, as the settings catalogue (`drift.fields`) describes it:
one model per kind of workload, and the pattern a value may be given as instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    create_model,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from drift.fields import CONTAINER_SETTINGS, FIELDS, unchanged
from drift.fields import Field as SettingField
from drift.fields.base import INT32_MAX
from drift.kinds import Kind
from drift.profiles.parts import Strict
from drift.profiles.rules_spec import check_regex
from drift.yamlfile import wrong_type


class PatternSpec(Strict):
    """A value given as a pattern instead of exactly (`image: {pattern: "…:v2\\."}`)."""

    pattern: str = Field(description="RE2 regular expression the value must match.")

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_regex(value)


def _settings_model(
    name: str, kinds: frozenset[Kind], doc: str, only: tuple[str, ...] = ()
) -> type[BaseModel]:
    """A `settings:` block as the settings catalogue describes it: one optional key per row
    a workload of `kinds` has, parsed by the row's own parser. A key of another kind (a
    service's `ingress` under a job), or not in `only` when it names some (a sidecar's), is
    refused by name, and left out of the JSON Schema."""
    fields: dict[str, Any] = {}
    for key, spec in FIELDS.items():
        if not spec.kinds & kinds or (only and key not in only):
            why = _not_here(spec, kinds) if not only else _not_a_container(spec, only)
            refuse = BeforeValidator(why)
            skip: Any = SkipJsonSchema
            fields[key] = (skip[Annotated[Any, refuse]], Field(None, exclude=True))
            continue
        annotation: Any = spec.annotation | None
        if spec.parse is not unchanged:
            annotation = Annotated[annotation, BeforeValidator(_optional(spec.parse))]
            if (text := _text_only(spec.annotation)) is not None:
                annotation = Annotated[annotation, BeforeValidator(text)]  # before the parser
        if spec.numbers_at or spec.maximum is not None:
            annotation = Annotated[annotation, AfterValidator(_fits(spec))]
        if spec.patterns:
            annotation = annotation | PatternSpec
        extra: dict[str, Any] | None = None
        if spec.examples:
            extra = {"examples": list(spec.examples)}
        field = Field(None, description=spec.help, json_schema_extra=extra, ge=spec.minimum)
        fields[key] = (annotation, field)
    return create_model(name, __base__=Strict, __doc__=doc, **fields)


def _not_here(spec: SettingField, kinds: frozenset[Kind]) -> Callable[[Any], Any]:
    """A validator refusing a setting the workload's kind does not have, naming those it has."""
    (kind,) = kinds
    owners = " and ".join(f"{k.noun}s" for k in Kind if k in spec.kinds)
    mine = ", ".join(k for k, f in FIELDS.items() if kind in f.kinds)

    def refuse(value: Any) -> Any:
        raise ValueError(
            f"{spec.name} is a setting of {owners}, not of a {kind.noun} (the settings of a "
            f"{kind.noun}: {mine})"
        )

    return refuse


def _not_a_container(spec: SettingField, only: tuple[str, ...]) -> Callable[[Any], Any]:
    """A validator refusing, in a sidecar's settings, one the revision holds for all its
    containers (concurrency, scaling, the account): stated under the workload's settings."""

    whole = "service" if spec.level == "service" else "revision"

    def refuse(value: Any) -> Any:
        raise ValueError(
            f"{spec.name} is a setting of the whole {whole}, not of one container: state it "
            f"under the workload's settings (a container's own settings: {', '.join(only)})"
        )

    return refuse


def _fits(spec: SettingField) -> Callable[[Any], Any]:
    """A validator refusing a number larger than the row's proto field holds (an int32
    count): proto-plus would refuse it only when a patch is built. The descriptor (the Cloud
    Run client, hundreds of modules) is read only for a number past int32's range, which
    every integer field holds, or past the row's documented maximum: one within both fits."""

    def fits(value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return value
        if value > INT32_MAX or (spec.maximum is not None and value > spec.maximum):
            largest = spec.largest()
            if largest is not None and value > largest and spec.why_max:
                raise ValueError(f"{value} is above the {largest} Cloud Run takes ({spec.why_max})")
            if largest is not None and value > largest:
                raise ValueError(
                    f"{value} is more than Cloud Run's field for {spec.name} holds "
                    f"(at most {largest})"
                )
        return value

    return fits


def _text_only(annotation: Any) -> Callable[[Any], Any] | None:
    """A validator refusing a bare number or boolean (or a list item that is one) for a
    setting whose type takes text alone (`str`, or `str | list[str]`), as its JSON Schema,
    built from that type, does: the row's parser would take its text (`gpu_type: 3`). None
    for a setting whose type takes a number too."""
    kinds = get_args(annotation) or (annotation,)
    if not all(k is str or (get_origin(k) is list and get_args(k) == (str,)) for k in kinds):
        return None
    listed = len(kinds) > 1
    expected = "text or a list of text" if listed else "text"

    def text(value: Any) -> Any:
        items = value if listed and isinstance(value, list) else []
        for item, wanted in [(value, expected), *((i, "text") for i in items)]:
            if isinstance(item, bool | int | float):
                raise ValueError(wrong_type(wanted, None, item))
        return value

    return text


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else parse(value)


if TYPE_CHECKING:
    SettingsSpec = BaseModel
    JobSettingsSpec = BaseModel
    WorkerPoolSettingsSpec = BaseModel
    DefaultSettingsSpec = BaseModel
    ContainerSettingsSpec = BaseModel
else:
    SettingsSpec = _settings_model(
        "SettingsSpec",
        frozenset({Kind.SERVICE}),
        "Service settings compared with the serving revision (ingress: with the service).",
    )
    JobSettingsSpec = _settings_model(
        "JobSettingsSpec",
        frozenset({Kind.JOB}),
        "Job settings compared with the job's execution and task templates.",
    )
    WorkerPoolSettingsSpec = _settings_model(
        "WorkerPoolSettingsSpec",
        frozenset({Kind.WORKER_POOL}),
        "Worker pool settings compared with the revisions that run its instances.",
    )
    DefaultSettingsSpec = _settings_model(
        "DefaultSettingsSpec",
        frozenset(Kind),
        "Settings for every workload that has them (a job takes no ingress, a service no "
        "task_count).",
    )
    ContainerSettingsSpec = _settings_model(
        "ContainerSettingsSpec",
        frozenset(Kind),
        "A sidecar's own settings, compared with that container in each revision checked.",
        only=CONTAINER_SETTINGS,
    )
