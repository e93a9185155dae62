"""Turn Cloud Run protos into comparable configs: units, defaults and names normalised, so
that noise (variable order, `1` vs `1000m`, `600s` vs `10m`, labels and annotations that
gcloud and the console add) never becomes drift."""

from __future__ import annotations

from typing import Any

from drift.live.model import EnvVar, RevisionConfig, SecretRef
from drift.profiles.model import SettingValue
from drift.units import parse_cpu, parse_memory

DEFAULT_CPU = "1000m"
DEFAULT_MEMORY = str(512 * 2**20)
DEFAULT_CONCURRENCY = 80
DEFAULT_SERVICE_ACCOUNT = "default compute service account"

_INGRESS = {
    "INGRESS_TRAFFIC_ALL": "all",
    "INGRESS_TRAFFIC_INTERNAL_ONLY": "internal",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER": "internal-and-cloud-load-balancing",
    "INGRESS_TRAFFIC_NONE": "none",
}
INGRESS_TO_PROTO = {v: k for k, v in _INGRESS.items()}
_EXECUTION = {"EXECUTION_ENVIRONMENT_GEN1": "gen1", "EXECUTION_ENVIRONMENT_GEN2": "gen2"}
_EGRESS = {"ALL_TRAFFIC": "all-traffic", "PRIVATE_RANGES_ONLY": "private-ranges-only"}


def short_secret(name: str) -> str:
    """`projects/123/secrets/x` -> `x`."""
    return name.rsplit("/", 1)[-1]


def raw(message: Any) -> Any:
    """The protobuf message under a proto-plus wrapper (no copy). Reading fields from it
    skips proto-plus marshalling, which dominates the CPU of normalising 200 services."""
    unwrap = getattr(type(message), "pb", None)
    return unwrap(message) if callable(unwrap) else message


def env_var(var: Any) -> EnvVar:
    var = raw(var)
    if var.HasField("value_source"):
        ref = var.value_source.secret_key_ref
        if ref.secret:
            return EnvVar(
                var.name, ref=SecretRef(short_secret(ref.secret), ref.version or "latest")
            )
    return EnvVar(var.name, value=var.value)


def pick_container(containers: Any, wanted: str | None) -> Any:
    """The container whose env the profile describes: named, else the ingress one, else first."""
    if not containers:
        return None
    if wanted is not None:
        for c in containers:
            if c.name == wanted:
                return c
        return None
    for c in containers:
        if c.ports:
            return c
    return containers[0]


def _value_name(value: Any) -> str:
    return getattr(value, "name", str(value))


def enum_name(message: Any, name: str) -> str:
    """Name of an enum field of a raw protobuf message (`""` for an unknown number)."""
    number = getattr(message, name)
    enum = message.DESCRIPTOR.fields_by_name[name].enum_type
    value = enum.values_by_number.get(number)
    return value.name if value is not None else ""


def revision_config(revision: Any, *, ingress: Any, container: str | None) -> RevisionConfig:
    """Normalise a RevisionTemplate or a Revision (they share these fields), proto-plus or
    raw protobuf."""
    revision = raw(revision)
    chosen = pick_container(revision.containers, container)
    env: dict[str, EnvVar] = {}
    limits: dict[str, str] = {}
    cpu_idle = startup_boost = False
    if chosen is not None:
        env = {v.name: env_var(v) for v in chosen.env}
        resources = chosen.resources
        limits = dict(resources.limits)
        cpu_idle = bool(resources.cpu_idle)
        startup_boost = bool(resources.startup_cpu_boost)
    duration = revision.timeout
    timeout = (duration.seconds + duration.nanos / 1e9) or 300.0
    vpc = revision.vpc_access
    settings: dict[str, SettingValue] = {
        "timeout": f"{timeout:g}s",
        "min_instances": int(revision.scaling.min_instance_count),
        "max_instances": int(revision.scaling.max_instance_count),
        "concurrency": int(revision.max_instance_request_concurrency) or DEFAULT_CONCURRENCY,
        "cpu": _quantity(limits.get("cpu"), parse_cpu, "m", DEFAULT_CPU),
        "memory": _quantity(limits.get("memory"), parse_memory, "", DEFAULT_MEMORY),
        "cpu_throttling": cpu_idle,
        "startup_cpu_boost": startup_boost,
        "session_affinity": bool(revision.session_affinity),
        "service_account": normalise_account(revision.service_account),
        "ingress": _INGRESS.get(_value_name(ingress), "all"),
        "execution_environment": _EXECUTION.get(
            enum_name(revision, "execution_environment"), "default"
        ),
        "vpc_connector": short_secret(vpc.connector) if vpc.connector else "",
        "vpc_egress": _EGRESS.get(enum_name(vpc, "egress"), ""),
    }
    return RevisionConfig(
        env=env,
        settings=settings,
        service_account=revision.service_account,
        container=chosen.name if chosen is not None else "",
    )


def _quantity(raw: str | None, parse: Any, suffix: str, default: str) -> str:
    if not raw:
        return default
    try:
        return f"{parse(raw)}{suffix}"
    except ValueError:
        return raw


def normalise_account(account: str) -> str:
    """Empty and `NUMBER-compute@developer.gserviceaccount.com` are the same account."""
    if not account or account.endswith("-compute@developer.gserviceaccount.com"):
        return DEFAULT_SERVICE_ACCOUNT
    return account


def normalise_setting(name: str, value: SettingValue) -> SettingValue:
    """Profile side of a setting, in the same form as `revision_config` produces."""
    if name == "vpc_connector" and isinstance(value, str):
        return short_secret(value)
    if name == "service_account" and isinstance(value, str):
        return normalise_account(value)
    return value


def config_fingerprint(config: RevisionConfig) -> dict[str, Any]:
    """What must be equal for two revisions to run with the same configuration (the same
    object for the same config, so that comparing a config with itself is immediate)."""
    return config.fingerprint
