"""The catalogue's CPU and memory limits and the concurrency default that hangs on the CPU:
how they are read from the protos (`resources.limits`, Kubernetes quantities), shown, written
back, parsed from a profile (Cloud Run's CPU rule), and why one cannot be read (a live value
drift cannot parse is that setting unverified, never an internal error)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from drift.fields import access as a
from drift.fields.base import (
    EVERY_KIND,
    Conflicts,
    Field,
    Floor,
    SettingValue,
    Source,
    tf_container,
)
from drift.fields.cpu_floor import ONE_CPU, below_one, instance_cpu
from drift.kinds import Kind
from drift.units import cpu_millis, format_cpu, format_memory, parse_cpu, parse_memory, show_memory

DEFAULT_CPU = "1000m"
"""CPU page: "By default, each instance is limited to 1 CPU"."""
DEFAULT_MEMORY = str(512 * 2**20)
"""Memory page: "the memory allocated to each instance of a revision is 512 MiB" by default."""


def cpu_text(value: SettingValue) -> str:
    try:
        millis = parse_cpu(str(value))
    except ValueError:  # a live value drift cannot read (`CPU_UNREAD`: never compared)
        return str(value)
    return format_cpu(millis)


CPU_RULE = (
    "Cloud Run applies any CPU between 0.08 and 1 in increments of 0.001, and integers above 1"
    " (cloud.google.com/run/docs/configuring/services/cpu)"
)
"""CPU page (services; the jobs page says the same): "if you want to use less than 1 vCPU, you
can select any value between 0.08 and 1, in increments of 0.001. Values greater than 1 must be
integer values." "The minimum vCPU setting is 0.08 vCPU." No maximum here: it depends on the
machine (20 CPU at least with an RTX PRO 6000 GPU, 8 otherwise) and is Cloud Run's to refuse."""
FUNCTION_CPUS = {Decimal("83.3"), Decimal("166.6"), Decimal("333.3"), Decimal("583.3")}
"""Millicores finer than the CPU page's 0.001 steps that a Cloud Run service holds: a Cloud Run
function's (functions are Cloud Run services). Memory page (cloud.google.com/functions/docs/
configuring/memory): 128 MiB, 256 MiB, 512 MiB, 1 GiB run with ".083 vCPU", ".167 vCPU",
".333 vCPU", ".583 vCPU"; the Functions API reports them as `availableCpu: '0.0833'`,
`'0.1666'`, `'0.3333'` (`gcloud functions describe` of 128Mi/256M/512M functions), a field that
"Supports the same values as Cloud Run" (cloudfunctions v2 ServiceConfig.available_cpu); and
the Cloud Run service holds them: world-federation-of-advertisers/cross-media-measurement#3832,
a function's service "has fractional CPU (e.g. `0.3333`)". 0.5833 is 1 GiB's, written as the
others are (7/12 to four places). No source shows any other such value."""
FUNCTION_CPUS_TEXT = "0.0833, 0.1666, 0.3333 or 0.5833"


def profile_cpu(value: str | int | float) -> str:
    """A profile's cpu as the catalogue holds it (`500m`, `166.6m`): a quantity Cloud Run
    applies as written (`CPU_RULE`), or a Cloud Run function's CPU (`FUNCTION_CPUS`), else a
    ValueError the loader reports at the profile's file:line."""
    millis = parse_cpu(value)
    if millis != millis.to_integral_value() and millis not in FUNCTION_CPUS:
        raise ValueError(
            f"{value!r} is finer than 0.001 CPU: {CPU_RULE}; finer values are only a Cloud Run"
            f" function's ({FUNCTION_CPUS_TEXT}, cloud.google.com/functions/docs/configuring/"
            "memory)"
        )
    if millis < 80:
        raise ValueError(f"{value!r} is below 0.08 CPU: {CPU_RULE}")
    if millis > 1000 and millis % 1000:
        below, above = int(millis // 1000), int(millis // 1000) + 1
        raise ValueError(
            f"{value!r} is over 1 CPU and not an integer (write {below} or {above}): {CPU_RULE}"
        )
    return cpu_millis(millis)


def memory_text(value: SettingValue) -> str:
    """What a patch writes: exact (`1Gi`, `1000000000`)."""
    return format_memory(int(str(value))) if str(value).isdigit() else str(value)


def memory_shown(value: SettingValue) -> str:
    """What a person reads: the unit they would write (`256Mi`, `1G`)."""
    return show_memory(int(str(value))) if str(value).isdigit() else str(value)


def read_cpu(source: Source) -> str:
    """The container's CPU, exactly (`166.6m` for a function's `0.1666`), or the raw text of
    one drift cannot read (`CPU_UNREAD`)."""
    raw = a.limits(source).get("cpu")
    if not raw:
        return DEFAULT_CPU
    try:
        return cpu_millis(parse_cpu(raw))
    except ValueError:
        return raw


def _cpu_readable(raw: str) -> int:
    parse_cpu(raw)
    return 0


CPU_UNREAD = a.unparsed_limit("cpu", _cpu_readable)
MEMORY_UNREAD = a.unparsed_limit("memory", parse_memory)


def concurrency_unknown(source: Source) -> str:
    """Why an unset concurrency's default cannot be known: it depends on the instance's CPU
    (`default_concurrency`), and some container's is one drift cannot read."""
    for container in _containers(source):
        why = CPU_UNREAD(Source(source.service, source.revision, container, source.kind))
        if why:
            return f"unset, its default depends on the CPU: {why}"
    return ""


def _containers(source: Source) -> list[object]:
    containers = list(getattr(source.revision, "containers", ()))
    return containers or ([source.container] if source.container is not None else [])


MEMORY_FLOOR = 128 * 2**20
"""Memory page (cloud.google.com/run/docs/configuring/memory-limits), "Minimum memory": "128
MiB for first generation", "512 MiB for second generation": the least Cloud Run takes. No
maximum here ("32 Gi", but a GPU's machine takes more): Cloud Run's to refuse, as for CPU."""


def profile_memory(value: str | int | float) -> str:
    """A profile's memory as the catalogue holds it: bytes; less than Cloud Run takes (a bare
    `512` is 512 bytes, not 512Mi: helper-527 F3) is a ValueError at the profile's file:line."""
    size = parse_memory(value)
    if size < MEMORY_FLOOR:
        bare = str(value).strip().isdigit() and size > 0
        said = f" (a quantity without a unit is bytes: {value}Mi?)" if bare else ""
        raise ValueError(
            f"{value!r} is {size} bytes{said}, below the 128Mi Cloud Run takes at the least "
            "(512Mi in the second generation; cloud.google.com/run/docs/configuring/"
            "memory-limits)"
        )
    return str(size)


def _memory_floor(why: str) -> Floor:
    return Floor(512 * 2**20, "512Mi", why, lambda value: int(str(value)))


MEMORY_FLOORS = (
    (
        Kind.JOB,
        _memory_floor(
            "jobs run in the second generation only, whose minimum is 512 MiB: "
            "cloud.google.com/run/docs/configuring/jobs/memory-limits"
        ),
    ),
    (
        Kind.WORKER_POOL,
        _memory_floor(
            '"The minimum memory setting is 512 MiB": '
            "cloud.google.com/run/docs/configuring/workerpools/memory-limits"
        ),
    ),
)
CPU_FLOORS = (
    (
        Kind.WORKER_POOL,
        Floor(
            1000,
            "1 CPU",
            '"The minimum vCPU setting is 1 vCPU": cloud.google.com/run/docs/configuring/'
            "workerpools/cpu",
            lambda value: parse_cpu(str(value)),
        ),
    ),
)
"""A job's and a worker pool's own floors, above the service's (`MEMORY_FLOOR`, `CPU_RULE`):
a profile stating less is refused at load, never planned as a fix Cloud Run refuses
(helper-617 F2; the sandbox refuses the write: `drift.sandbox.limits.validate_minimums`)."""


def read_memory(source: Source) -> str:
    return a.quantity(a.limits(source).get("memory"), parse_memory, "", DEFAULT_MEMORY)


def default_concurrency(source: Source) -> int:
    # RevisionTemplate.max_instance_request_concurrency: "If not specified or 0, concurrency
    # defaults to 80 when requested `CPU >= 1` and defaults to 1 when requested `CPU < 1`" —
    # the instance's CPU, every container's, as Cloud Run refuses it ("Total cpu < 1 is not
    # supported with concurrency > 1"): `cpu_floor.instance_cpu`, the one rule drift reads
    # it by. A CPU drift cannot read leaves it unread (`concurrency_unknown`), never a guess.
    if not getattr(source.revision, "containers", None):  # no template's containers to add
        return 80 if parse_cpu(read_cpu(source)) >= ONE_CPU else 1
    return 80 if instance_cpu(source.revision) >= ONE_CPU else 1


@dataclass(frozen=True)
class Limit:
    """A container's resource limit (`resources.limits[NAME]`): how it is read, why it cannot
    be, how it is written (the patch, `--NAME=`), shown, and parsed from a profile."""

    read: Callable[[Source], str]
    unreadable: Callable[[Source], str]
    text: Callable[[SettingValue], str]
    show: Callable[[SettingValue], str]
    parse: Callable[[Any], str]
    conflicts: Conflicts | None = None
    conflicts_for: frozenset[Kind] = frozenset({Kind.SERVICE})
    floors: tuple[tuple[Kind, Floor], ...] = ()


CPU = Limit(read_cpu, CPU_UNREAD, cpu_text, cpu_text, profile_cpu, below_one, floors=CPU_FLOORS)
MEMORY = Limit(
    read_memory,
    MEMORY_UNREAD,
    memory_text,
    memory_shown,
    profile_memory,
    floors=MEMORY_FLOORS,
)


def limit_field(name: str, help: str, limit: Limit, examples: tuple[str, ...]) -> Field:
    """The catalogue's row of the limit NAME (`cpu`, `memory`): every kind, per container."""
    return Field(
        name,
        help,
        a.NUMBER_OR_TEXT,
        level="container",
        read=limit.read,
        unreadable=limit.unreadable,
        write=a.limit(name, limit.text),
        gcloud=lambda v: f"--{name}={limit.text(v)}",
        per_container=True,
        parse=a.scalar(limit.parse),
        show=limit.show,
        conflicts=limit.conflicts,
        conflicts_for=limit.conflicts_for,
        floors=limit.floors,
        terraform=(tf_container("resources", 0, "limits", name),),
        examples=examples,
        kinds=EVERY_KIND,
    )
