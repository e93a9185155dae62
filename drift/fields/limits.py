"""The catalogue's CPU and memory limits and the concurrency default that hangs on the CPU:
how they are read from the protos (`resources.limits`, Kubernetes quantities), shown, written
back, parsed from a profile (Cloud Run's CPU rule), and why one cannot be read (a live value
drift cannot parse is that setting unverified, never an internal error)."""

from __future__ import annotations

from drift.fields import access as a
from drift.fields.base import SettingValue, Source
from drift.units import format_memory, parse_cpu, parse_memory, show_memory

DEFAULT_CPU = "1000m"
"""CPU page: "By default, each instance is limited to 1 CPU"."""
DEFAULT_MEMORY = str(512 * 2**20)
"""Memory page: "the memory allocated to each instance of a revision is 512 MiB" by default."""


def cpu_text(value: SettingValue) -> str:
    try:
        millis = parse_cpu(str(value))
    except ValueError:  # a live value drift cannot read (`CPU_UNREAD`: never compared)
        return str(value)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


CPU_RULE = (
    "Cloud Run applies any CPU between 0.08 and 1 in increments of 0.001, and integers above 1"
    " (cloud.google.com/run/docs/configuring/services/cpu)"
)
"""CPU page (services; the jobs page says the same): "if you want to use less than 1 vCPU, you
can select any value between 0.08 and 1, in increments of 0.001. Values greater than 1 must be
integer values." "The minimum vCPU setting is 0.08 vCPU." No maximum here: it depends on the
machine (20 CPU at least with an RTX PRO 6000 GPU, 8 otherwise) and is Cloud Run's to refuse."""


def profile_cpu(value: str | int | float) -> str:
    """A profile's cpu as the catalogue holds it (`500m`): a quantity Cloud Run applies as
    written (`CPU_RULE`; steps of 0.001 are millicores, which `parse_cpu` already requires),
    else a ValueError the loader reports at the profile's file:line."""
    millis = parse_cpu(value)
    if millis < 80:
        raise ValueError(f"{value!r} is below 0.08 CPU: {CPU_RULE}")
    if millis > 1000 and millis % 1000:
        below, above = millis // 1000, millis // 1000 + 1
        raise ValueError(
            f"{value!r} is over 1 CPU and not an integer (write {below} or {above}): {CPU_RULE}"
        )
    return f"{millis}m"


def memory_text(value: SettingValue) -> str:
    """What a patch writes: exact (`1Gi`, `1000000000`)."""
    return format_memory(int(str(value))) if str(value).isdigit() else str(value)


def memory_shown(value: SettingValue) -> str:
    """What a person reads: the unit they would write (`256Mi`, `1G`)."""
    return show_memory(int(str(value))) if str(value).isdigit() else str(value)


def read_cpu(source: Source) -> str:
    return a.quantity(a.limits(source).get("cpu"), parse_cpu, "m", DEFAULT_CPU)


CPU_UNREAD = a.unparsed_limit("cpu", parse_cpu)
MEMORY_UNREAD = a.unparsed_limit("memory", parse_memory)


def concurrency_unknown(source: Source) -> str:
    """Why an unset concurrency's default cannot be known: it depends on a CPU drift cannot
    read (`default_concurrency`)."""
    why = CPU_UNREAD(source)
    return f"unset, its default depends on the CPU: {why}" if why else ""


def profile_memory(value: str | int | float) -> str:
    """A profile's memory as the catalogue holds it: bytes."""
    return str(parse_memory(value))


def read_memory(source: Source) -> str:
    return a.quantity(a.limits(source).get("memory"), parse_memory, "", DEFAULT_MEMORY)


def default_concurrency(source: Source) -> int:
    # RevisionTemplate.max_instance_request_concurrency: "If not specified or 0, concurrency
    # defaults to 80 when requested `CPU >= 1` and defaults to 1 when requested `CPU < 1`."
    # A CPU drift cannot read leaves it unread (`concurrency_unknown`), never a guess.
    return 80 if parse_cpu(read_cpu(source)) >= 1000 else 1
