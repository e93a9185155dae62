"""How catalogue rows read a setting from the protos and write it back: readers of resource
limits and enums, writers of template, container and service fields, gcloud flag makers, and
the row of a plain integer setting."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, Literal

from drift.fields.base import (
    SERVICES,
    Field,
    SettingValue,
    Source,
    TerraformPath,
    enum_name,
    no_value,
    text,
)
from drift.kinds import Kind
from drift.units import parse_duration
from drift.yamlfile import wrong_type

Writer = Callable[[Any, Any, SettingValue], None]
NUMBER_OR_TEXT: Any = str | float
"""The profile type of a quantity a row parses from text or a bare number (`cpu: 0.5`,
`timeout: 300`): the JSON Schema accepts both, as the loader does."""


def limits(source: Source) -> Mapping[str, str]:
    """The container's resource limits (the map as read: no copy)."""
    return source.container.resources.limits if source.container is not None else {}


def quantity(raw: str | None, parse: Callable[[str], int], suffix: str, default: str) -> str:
    """A resource limit in the catalogue's form (`1000m`, bytes), or `default` when unset."""
    if not raw:
        return default
    try:
        return f"{parse(raw)}{suffix}"
    except ValueError:
        return raw


def unparsed_limit(key: str, parse: Callable[[str], int]) -> Callable[[Source], str]:
    """Why the resource limit `key` cannot be read ("" when it can, or is unset): a value
    `parse` refuses (one outside what Cloud Run documents, or no quantity at all). It is that
    setting unverified for that workload (exit 3), never the whole run's internal error."""

    def unreadable(source: Source) -> str:
        raw = limits(source).get(key)
        if not raw:
            return ""
        try:
            parse(raw)
        except ValueError as exc:
            return f"resources.limits.{key}: {exc}"
        return ""

    return unreadable


def flag(name: str) -> Callable[[SettingValue], str]:
    return lambda value: f"--{name}={value}"


def no_flag(value: SettingValue) -> str:
    """`Field.gcloud` of a row gcloud has no flag for on any kind it applies to (its `flagless`
    holds them all, no `ga_since`): every printing path asks `Field.lacks_flag` first, so a
    call is a bug, refused loudly rather than a flag gcloud does not have printed (the value
    is never said: it may hold a secret)."""
    raise LookupError("gcloud has no flag for this setting (ask Field.lacks_flag first)")


def switch(name: str, off: str | None = None) -> Callable[[SettingValue], str]:
    return lambda value: f"--{name}" if value else f"--{off or 'no-' + name}"


def choice(message: Any, name: str, mapping: dict[str, str], default: str) -> str:
    """The catalogue's word for an enum field (`default` for its unspecified value). A number
    the installed client cannot name is never read here: `unnamed` makes it unreadable."""
    return mapping.get(enum_name(message, name), default)


def unnamed(
    what: str, name: str, holder: Callable[[Source], Any | None]
) -> Callable[[Source], str]:
    """Why a setting cannot be read ("" when it can): the enum field `name` (`what`, as the
    reason says) of the message `holder` gives (None: nothing to read there) holds a number the
    installed client has no name for. Proto3 enums are open: "during deserialization,
    unrecognized enum values will be preserved in the message" (protobuf.dev, proto3 "Enum
    Behavior"), so a value Google adds later arrives as its number; it is not the default,
    and `choice` would call it that."""

    def unreadable(source: Source) -> str:
        message = holder(source)
        if message is None or enum_name(message, name):
            return ""
        return (
            f"{what} holds value {int(getattr(message, name))}, which this drift's Cloud "
            "Run client does not know: upgrade drift (its google-cloud-run)"
        )

    return unreadable


def run_v2() -> Any:
    from google.cloud import run_v2 as module

    return module


def template_of(workload: Any) -> Any:
    """Where a workload's revisions (or tasks) are described: a Service's or WorkerPool's
    `template`, a Job's task template (`Job.template` is an ExecutionTemplate, whose
    `template` is the TaskTemplate)."""
    template = workload.template
    return template.template if isinstance(workload, run_v2().Job) else template


def template_field(path: str, convert: Callable[[SettingValue], Any]) -> Writer:
    """Write `convert(value)` at `PATH` of the workload's template (`template_of`)."""
    return _at(tuple(path.split(".")), convert, template_of)


def service_field(path: str, convert: Callable[[SettingValue], Any]) -> Writer:
    """Write `convert(value)` at `PATH` of the workload itself."""
    return _at(tuple(path.split(".")), convert, lambda workload: workload)


def _at(
    path: tuple[str, ...], convert: Callable[[SettingValue], Any], start: Callable[[Any], Any]
) -> Writer:
    def write(service: Any, container: Any, value: SettingValue) -> None:
        holder = start(service)
        for part in path[:-1]:
            holder = getattr(holder, part)
        setattr(holder, path[-1], convert(value))

    return write


def enum_field(
    path: str, enum: Callable[[], Any], mapping: dict[str, str], *, template: bool = True
) -> Writer:
    """Write the enum member `mapping` names for a value (the inverse of reading it)."""
    to_proto = {v: k for k, v in mapping.items()}
    maker = template_field if template else service_field
    return maker(path, lambda value: getattr(enum(), to_proto[str(value)]))


def resources(workload: Any, container: Any) -> Any:
    """The container's resources, for a write. A service's container without them is read as
    CPU throttled (`allocation.throttled`); ResourceRequirements.cpu_idle: "true by default.
    However, if ResourceRequirements is set, the caller must explicitly set this field to
    true to preserve the default behavior" — so a write that makes them present says so,
    and changes only the setting it names."""
    if container is None:
        raise ValueError("no container to set resources on")
    if "resources" not in container and isinstance(workload, run_v2().Service):
        container.resources = run_v2().ResourceRequirements(cpu_idle=True)
    return container.resources


def instance_field(
    key: str, convert: Callable[[SettingValue], Any], *, every: bool = False
) -> Writer:
    """A resource setting Cloud Run applies per instance, not per container: gcloud's
    `--[no-]cpu-throttling` and `--[no-]cpu-boost` are revision flags, and Knative YAML has
    one annotation per revision, which applies to every container. So it is written there,
    as on the container the catalogue reads (the re-check agrees). `every`: on a container
    without resources too (given them, as `resources` does), where the read judges every
    container (`allocation.disagreeing`: CPU throttling, the instance's)."""

    def write(service: Any, container: Any, value: SettingValue) -> None:
        setattr(resources(service, container), key, convert(value))
        for other in template_of(service).containers:
            if every or "resources" in other:
                setattr(resources(service, other), key, convert(value))

    return write


def limit(key: str, convert: Callable[[SettingValue], str]) -> Writer:
    def write(service: Any, container: Any, value: SettingValue) -> None:
        resources(service, container).limits[key] = convert(value)

    return write


def duration(name: str, default: float) -> Callable[[Source], str]:
    """Read a Duration field of the template (`default` seconds when unset) as `600s`,
    exactly (`90.5s`, `604800s`: no rounding, no exponent)."""

    def read(source: Source) -> str:
        value = getattr(source.revision, name)
        total = Decimal(value.seconds) + Decimal(value.nanos).scaleb(-9)
        return seconds_text(total or Decimal(default))

    return read


def seconds_text(seconds: Decimal | float) -> str:
    """Seconds as a Duration holds them (to the nanosecond), written out in full: `600s`."""
    exact = Decimal(repr(seconds) if isinstance(seconds, float) else seconds)
    return f"{exact.quantize(Decimal('1e-9')).normalize():f}s"


def seconds(value: SettingValue) -> timedelta:
    return timedelta(seconds=parse_duration(str(value)))


def duration_text(maximum: int, why: str) -> Callable[[Any], str]:
    """A profile's duration as the catalogue compares it (`600s`): more than 0 (0 is proto3's
    unset, the default) and at most `maximum` seconds, which `why` sources."""

    def parse(value: Any) -> str:
        text = seconds_text(parse_duration(value))  # finite; to the ns, as a Duration
        if Decimal(text[:-1]) <= 0:  # 0, or less than the 1 ns a Duration keeps
            raise ValueError(
                "must be more than 0s (0 is unset: the default applies; a Duration keeps"
                " whole nanoseconds, so less than 1ns is 0)"
            )
        if Decimal(text[:-1]) > maximum:
            raise ValueError(f"must be at most {seconds_text(float(maximum))} ({why})")
        return text

    return parse


def scalar(parse: Callable[[Any], SettingValue]) -> Callable[[Any], SettingValue]:
    """`parse` for YAML scalars only: a list or a mapping is a validation error."""

    def checked(value: Any) -> SettingValue:
        if not isinstance(value, str | int | float):
            raise ValueError(wrong_type("text or a number", None, value))
        return parse(value)

    return checked


def or_none(shown: str, parse: Callable[[Any], SettingValue] = no_value) -> dict[str, Any]:
    """The `parse`, `normalise` and `show` of a row whose value names a resource or is none
    (`NONE`): compared as written, none said in words (`shown`: `none (no connector)`)."""
    return {"parse": scalar(parse), "normalise": no_value, "show": lambda v: str(v) or shown}


def set_or_clear(flag: str, clear: str) -> Callable[[SettingValue], str]:
    """The gcloud flag of a row whose value names a resource or is none (`or_none`):
    `FLAG=NAME`, or for none the flag `clear` that takes it away."""
    return lambda v: f"{flag}={v}" if no_value(v) else clear


def integer(
    name: str,
    help: str,
    path: str,
    *,
    default: int | Callable[[Source], int],
    gcloud: str,
    minimum: int,
    maximum: tuple[int, str] | None = None,
    level: Literal["revision", "service"] = "revision",
    kinds: frozenset[Kind] = SERVICES,
    show: Callable[[SettingValue], str] = text,
    decided_by_siblings: str = "",
    default_unknown: Callable[[Source], str] | None = None,
    terraform: tuple[TerraformPath, ...] = (),
) -> Field:
    """The row of an integer setting held as it is at `PATH` of the template (at the service
    level: of the workload itself), read from and written to that one place: `default` (a
    number, or what it depends on) when unset, `gcloud … --GCLOUD=N`, at least `minimum`
    (and at most `maximum`: the number Cloud Run documents, and where).
    Unset is proto3's: not present for a field that tracks presence (an `optional` field or
    a oneof member, where an explicit 0 is set), else 0. `decided_by_siblings`: why fields
    of the message holding it that this client does not know (a newer API's, which arrive
    as unknown fields) may decide what it means: then it is not read. `default_unknown`: why
    the default cannot be known ("" when it can), for an unset value: then it is not read."""
    parts = tuple(path.split("."))

    def holder_of(source: Source) -> Any:
        holder = source.service if level == "service" else source.revision
        for part in parts[:-1]:
            holder = getattr(holder, part)
        return holder

    def siblings(source: Source) -> str:
        from google.protobuf.unknown_fields import UnknownFieldSet

        holder = holder_of(source)
        unknown = sorted({f.field_number for f in UnknownFieldSet(holder)})
        if not decided_by_siblings or not unknown:
            return ""
        numbers = ", ".join(map(str, unknown))
        return (
            f"{'.'.join(parts[:-1])} holds fields this Cloud Run client does not know "
            f"(numbers {numbers}): {decided_by_siblings}"
        )

    def is_set(holder: Any) -> bool:
        key = parts[-1]
        if holder.DESCRIPTOR.fields_by_name[key].has_presence:
            return bool(holder.HasField(key))
        return bool(getattr(holder, key))

    def unreadable(source: Source) -> str:
        why = siblings(source)
        if not why and default_unknown is not None and not is_set(holder_of(source)):
            why = default_unknown(source)
        return why

    def read(source: Source) -> int:
        holder = holder_of(source)
        if is_set(holder):
            return int(getattr(holder, parts[-1]))
        return default(source) if callable(default) else default

    writer = service_field if level == "service" else template_field
    return Field(
        name,
        help,
        int,
        read=read,
        write=writer(path, int),
        level=level,
        gcloud=flag(gcloud),
        show=show,
        minimum=minimum,
        maximum=maximum[0] if maximum else None,
        why_max=maximum[1] if maximum else "",
        numbers_at=(("workload" if level == "service" else "template", path),),
        kinds=kinds,
        unreadable=unreadable if decided_by_siblings or default_unknown else None,
        terraform=terraform,
    )
