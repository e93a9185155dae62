"""The Cloud Run settings catalogue: one row per profile `settings` key, holding everything
any layer knows about it — its JSON Schema type, how a profile value is parsed, how it is read
from the API's protos (defaults included) and normalised for comparison, how a patch writes
it, its `gcloud` flag and how a person reads it. Adding a setting is adding a row here.

Reading works on raw protobuf messages (fast, no Google import needed); writing works on the
proto-plus messages the clients return (imported lazily)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from drift.units import format_memory, parse_cpu, parse_duration, parse_memory, show_memory

SettingValue = str | int | bool
Level = Literal["revision", "container", "service"]

DEFAULT_CPU = "1000m"
DEFAULT_MEMORY = str(512 * 2**20)
DEFAULT_CONCURRENCY = 80
DEFAULT_SERVICE_ACCOUNT = "default compute service account"


@dataclass(frozen=True)
class Source:
    """Where a setting is read from: the service, the revision (or template) and the container
    the profile describes (raw protobuf messages; `container` may be None)."""

    service: Any
    revision: Any
    container: Any


def enum_name(message: Any, name: str) -> str:
    """Name of an enum field of a raw protobuf message (`""` for an unknown number)."""
    number = getattr(message, name)
    enum = message.DESCRIPTOR.fields_by_name[name].enum_type
    value = enum.values_by_number.get(number)
    return value.name if value is not None else ""


def short_name(name: str) -> str:
    """`projects/p/locations/r/connectors/c` -> `c`."""
    return name.rsplit("/", 1)[-1]


def normalise_account(account: str) -> str:
    """Empty and `NUMBER-compute@developer.gserviceaccount.com` are the same account."""
    if not account or account.endswith("-compute@developer.gserviceaccount.com"):
        return DEFAULT_SERVICE_ACCOUNT
    return account


def text(value: SettingValue | None) -> str:
    """A value as a person reads it (`true`, `600s`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _scalar(parse: Callable[[Any], SettingValue]) -> Callable[[Any], SettingValue]:
    """`parse` for YAML scalars only: a list or a mapping is a validation error."""

    def checked(value: Any) -> SettingValue:
        if not isinstance(value, str | int | float):
            kind = {"list": "a list", "dict": "a mapping"}.get(type(value).__name__, repr(value))
            raise ValueError(f"expected text or a number, not {kind}")
        return parse(value)

    return checked


def unchanged(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    name: str
    help: str
    annotation: Any
    """The Python type of the profile key (its JSON Schema)."""
    read: Callable[[Source], SettingValue]
    write: Callable[[Any, Any, SettingValue], None]
    """Patch (service, container, value) — proto-plus run_v2 messages."""
    gcloud: Callable[[SettingValue], str]
    level: Level = "revision"
    parse: Callable[[Any], Any] = unchanged
    """Profile value -> the form a patch writes (raises ValueError)."""
    normalise: Callable[[SettingValue], SettingValue] = unchanged
    """The form values are compared in (live reads already give it)."""
    show: Callable[[SettingValue], str] = text
    examples: tuple[str, ...] = ()
    minimum: int | None = None
    """The smallest number a profile may give."""

    def same(self, expected: SettingValue, actual: SettingValue | None) -> bool:
        return actual is not None and self.normalise(expected) == actual


# --- readers and writers shared by several rows ------------------------------------------


def _limits(source: Source) -> dict[str, str]:
    return dict(source.container.resources.limits) if source.container is not None else {}


def _quantity(raw: str | None, parse: Callable[[str], int], suffix: str, default: str) -> str:
    if not raw:
        return default
    try:
        return f"{parse(raw)}{suffix}"
    except ValueError:
        return raw


def _flag(name: str) -> Callable[[SettingValue], str]:
    return lambda value: f"--{name}={value}"


def _switch(name: str) -> Callable[[SettingValue], str]:
    return lambda value: f"--{name}" if value else f"--no-{name}"


def _choices(mapping: dict[str, str], default: str = "") -> Callable[[str], str]:
    return lambda proto_name: mapping.get(proto_name, default)


def _enum_writer(
    path: tuple[str, ...], enum: Callable[[], Any], mapping: dict[str, str]
) -> Callable[[Any, Any, SettingValue], None]:
    """Write `mapping[value]` (an enum member name) at `path` of the service."""
    to_proto = {v: k for k, v in mapping.items()}

    def write(service: Any, container: Any, value: SettingValue) -> None:
        holder = service
        for part in path[:-1]:
            holder = getattr(holder, part)
        setattr(holder, path[-1], getattr(enum(), to_proto[str(value)]))

    return write


def _run_v2() -> Any:
    from google.cloud import run_v2

    return run_v2


def _resources(container: Any) -> Any:
    if container is None:
        raise ValueError("no container to set resources on")
    return container.resources


def _cpu_text(value: SettingValue) -> str:
    millis = int(str(value).removesuffix("m"))
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


INGRESS = {
    "INGRESS_TRAFFIC_ALL": "all",
    "INGRESS_TRAFFIC_INTERNAL_ONLY": "internal",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER": "internal-and-cloud-load-balancing",
    "INGRESS_TRAFFIC_NONE": "none",
}
EXECUTION = {"EXECUTION_ENVIRONMENT_GEN1": "gen1", "EXECUTION_ENVIRONMENT_GEN2": "gen2"}
EGRESS = {"ALL_TRAFFIC": "all-traffic", "PRIVATE_RANGES_ONLY": "private-ranges-only"}


def _set(
    path: str, convert: Callable[[SettingValue], Any]
) -> Callable[[Any, Any, SettingValue], None]:
    """Write `convert(value)` at `template.PATH` of the service."""
    *parents, last = path.split(".")

    def write(service: Any, container: Any, value: SettingValue) -> None:
        holder = service.template
        for part in parents:
            holder = getattr(holder, part)
        setattr(holder, last, convert(value))

    return write


def _container_set(key: str, convert: Callable[[SettingValue], Any]) -> Any:
    def write(service: Any, container: Any, value: SettingValue) -> None:
        setattr(_resources(container), key, convert(value))

    return write


def _limit(key: str, convert: Callable[[SettingValue], str]) -> Any:
    def write(service: Any, container: Any, value: SettingValue) -> None:
        _resources(container).limits[key] = convert(value)

    return write


def _seconds(value: SettingValue) -> timedelta:
    return timedelta(seconds=parse_duration(str(value)))


def _duration_text(value: Any) -> str:
    return f"{parse_duration(value):g}s"


def _read_timeout(source: Source) -> SettingValue:
    duration = source.revision.timeout
    return f"{(duration.seconds + duration.nanos / 1e9) or 300.0:g}s"


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "timeout",
            "Request timeout (e.g. 600s, 10m).",
            str,
            read=_read_timeout,
            write=_set("timeout", _seconds),
            gcloud=_flag("timeout"),
            parse=_scalar(_duration_text),
            examples=("600s", "10m"),
        ),
        Field(
            "min_instances",
            "Minimum number of instances.",
            int,
            read=lambda s: int(s.revision.scaling.min_instance_count),
            write=_set("scaling.min_instance_count", int),
            gcloud=_flag("min-instances"),
            minimum=0,
        ),
        Field(
            "max_instances",
            "Maximum number of instances.",
            int,
            read=lambda s: int(s.revision.scaling.max_instance_count),
            write=_set("scaling.max_instance_count", int),
            gcloud=_flag("max-instances"),
            minimum=0,
        ),
        Field(
            "concurrency",
            "Max concurrent requests per instance.",
            int,
            read=lambda s: int(s.revision.max_instance_request_concurrency) or DEFAULT_CONCURRENCY,
            write=_set("max_instance_request_concurrency", int),
            gcloud=_flag("concurrency"),
            minimum=1,
        ),
        Field(
            "cpu",
            "CPU limit (1, 2, 500m).",
            str,
            level="container",
            read=lambda s: _quantity(_limits(s).get("cpu"), parse_cpu, "m", DEFAULT_CPU),
            write=_limit("cpu", _cpu_text),
            gcloud=lambda v: f"--cpu={_cpu_text(v)}",
            parse=_scalar(lambda v: f"{parse_cpu(v)}m"),
            show=_cpu_text,
            examples=("1", "1000m"),
        ),
        Field(
            "memory",
            "Memory limit (512Mi, 1Gi).",
            str,
            level="container",
            read=lambda s: _quantity(_limits(s).get("memory"), parse_memory, "", DEFAULT_MEMORY),
            write=_limit("memory", lambda v: format_memory(int(str(v)))),
            gcloud=lambda v: f"--memory={format_memory(int(str(v)))}",
            parse=_scalar(lambda v: str(parse_memory(v))),
            show=lambda v: show_memory(int(str(v))) if str(v).isdigit() else str(v),
            examples=("512Mi",),
        ),
        Field(
            "cpu_throttling",
            "CPU only allocated during requests.",
            bool,
            level="container",
            read=lambda s: bool(s.container.resources.cpu_idle) if s.container else False,
            write=_container_set("cpu_idle", bool),
            gcloud=_switch("cpu-throttling"),
        ),
        Field(
            "startup_cpu_boost",
            "Extra CPU while instances start.",
            bool,
            level="container",
            read=lambda s: bool(s.container.resources.startup_cpu_boost) if s.container else False,
            write=_container_set("startup_cpu_boost", bool),
            gcloud=_switch("cpu-boost"),
        ),
        Field(
            "session_affinity",
            "Route a client's requests to the same instance.",
            bool,
            read=lambda s: bool(s.revision.session_affinity),
            write=_set("session_affinity", bool),
            gcloud=_switch("session-affinity"),
        ),
        Field(
            "service_account",
            "Runtime service account.",
            str,
            read=lambda s: normalise_account(s.revision.service_account),
            write=_set("service_account", str),
            gcloud=_flag("service-account"),
            normalise=lambda v: normalise_account(str(v)),
        ),
        Field(
            "ingress",
            "Who may reach the service (the service's setting).",
            Literal["all", "internal", "internal-and-cloud-load-balancing"],
            level="service",
            read=lambda s: INGRESS.get(enum_name(s.service, "ingress"), "all"),
            write=_enum_writer(("ingress",), lambda: _run_v2().IngressTraffic, INGRESS),
            gcloud=_flag("ingress"),
        ),
        Field(
            "execution_environment",
            "gen1 or gen2.",
            Literal["gen1", "gen2"],
            read=lambda s: EXECUTION.get(enum_name(s.revision, "execution_environment"), "default"),
            write=_enum_writer(
                ("template", "execution_environment"),
                lambda: _run_v2().ExecutionEnvironment,
                EXECUTION,
            ),
            gcloud=_flag("execution-environment"),
        ),
        Field(
            "vpc_connector",
            "Serverless VPC Access connector (name or full resource name).",
            str,
            read=lambda s: short_name(s.revision.vpc_access.connector),
            write=_set("vpc_access.connector", str),
            gcloud=_flag("vpc-connector"),
            normalise=lambda v: short_name(str(v)),
        ),
        Field(
            "vpc_egress",
            "Which traffic goes through the VPC.",
            Literal["all-traffic", "private-ranges-only"],
            read=lambda s: EGRESS.get(enum_name(s.revision.vpc_access, "egress"), ""),
            write=_enum_writer(
                ("template", "vpc_access", "egress"), lambda: _run_v2().VpcAccess.VpcEgress, EGRESS
            ),
            gcloud=_flag("vpc-egress"),
        ),
    )
}


def read_settings(source: Source) -> dict[str, SettingValue]:
    """Every setting of the catalogue as Cloud Run applies it (defaults included)."""
    return {name: field.read(source) for name, field in FIELDS.items()}
