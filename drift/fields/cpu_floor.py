"""Less than one CPU, and what Cloud Run requires with it. The CPU page
(cloud.google.com/run/docs/configuring/services/cpu): "If you use less than 1 CPU, the following
requirements are enforced": "Maximum concurrency must be set to 1", "CPU allocation must be set
to CPU allocated only during request processing" (request-based billing: `cpu_throttling`,
ResourceRequirements.cpu_idle), "You must use the first generation execution environment", and
"A minimum of 0.5 CPU is needed to set a memory limit greater than 512MiB. A minimum of 1 CPU is
needed to set a memory limit greater than 1GiB." A request that breaks one is refused with
INVALID_ARGUMENT, as users quote it: "spec.template.spec.containers.resources.limits.cpu: Invalid
value specified for cpu. Total cpu < 1 is not supported with concurrency > 1."
(nearform/slack-knowledgebase-chatgpt-responder#980; steren in
hashicorp/terraform-provider-google#13361: "When setting cpu_limit<1 the api will only accept
container_concurrency=1"). "Total": the instance's CPU, every container's.

Read against the template a fix would write (`drift.fix.below_one`) and against what a profile
states (`profiles validate`): there the CPU of the sidecars it states counts too (`below_one`,
helper-647 O2), a profile stating none is judged by the one container it describes, and what
is found is a note (`instance_rules`): containers it does not name may lift the instance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from drift.blanks import Arg, blank, word
from drift.fields.allocation import throttled
from drift.fields.base import SettingValue
from drift.fields.cpu_memory import below_one_refused, most_memory, others
from drift.kinds import Kind
from drift.units import format_cpu, parse_cpu, parse_memory, show_memory

CPU_PAGE = "cloud.google.com/run/docs/configuring/services/cpu"
ONE_CPU = 1000
HALF_CPU = 500
SMALL_MEMORY = 512 * 2**20
"""The most memory below half a CPU."""
MEMORY_BELOW_ONE = 2**30
"""The most memory below one CPU."""
Problem = tuple[str, str]
"""A setting and what is wrong with it."""
WATCHED = ("cpu", "concurrency", "cpu_throttling", "execution_environment", "memory")
"""The settings the requirements are about."""


@dataclass(frozen=True)
class Required:
    """A setting whose value Cloud Run refuses below one CPU."""

    name: str
    need: str
    """What Cloud Run requires of it (`concurrency 1`)."""
    now: str
    """The value it has (`80`)."""
    flag: Arg
    """gcloud's flag that sets what is required (`--concurrency=1`)."""


def required(cpu: Decimal, values: Mapping[str, SettingValue]) -> list[Required]:
    """What an instance of `cpu` millicpu in all would have that Cloud Run refuses with it:
    each of `values` (concurrency, cpu_throttling, execution_environment, memory in bytes, as
    the catalogue gives them; those absent are not judged) that must change. None at 1 CPU
    or more."""
    if cpu >= ONE_CPU:
        return []
    out = []
    concurrency = values.get("concurrency")
    if concurrency is not None and int(concurrency) > 1:
        out.append(Required("concurrency", "concurrency 1", str(concurrency), "--concurrency=1"))
    if values.get("cpu_throttling") is False:
        out.append(
            Required(
                "cpu_throttling",
                "cpu_throttling true",
                "false",
                "--cpu-throttling",
            )
        )
    if values.get("execution_environment") == "gen2":
        out.append(
            Required(
                "execution_environment",
                "execution_environment gen1",
                "gen2",
                "--execution-environment=gen1",
            )
        )
    memory = values.get("memory")
    ceiling = MEMORY_BELOW_ONE if cpu >= HALF_CPU else SMALL_MEMORY
    if memory is not None and str(memory).isdigit() and int(memory) > ceiling:
        out.append(
            Required(
                "memory",
                f"memory {show_memory(ceiling)} at most",
                show_memory(int(memory)),
                word("--memory=", blank("MEMORY")),
            )
        )
    return out


def below_one(service: str, settings: Mapping[str, tuple[SettingValue, str]]) -> list[Problem]:
    """What a service's profile states beside a cpu below 1 that Cloud Run refuses with it
    (only what it states is judged: the rest is the revision's): (setting, message) each. Its
    memory above 1Gi too, refused as it was before the memory row noted every kind's pairs
    (`drift.fields.cpu_memory.memory_conflicts` leaves a service below one CPU to this).
    `settings`: each value the profile states (parsed) with its `file:line`, and the other
    containers' limits it states (`cpu_memory.other_limits`): Cloud Run's requirements are
    the instance's ("Total cpu"), so their CPU counts (helper-647 O2), as the plan judges the
    template it would write (`drift.fix.below_one`); a memory is refused only where every
    reading refuses it, the container's own pair and the instance's sums
    (`cpu_memory.below_one_refused`), the rest is `memory_conflicts`' to note."""
    if "cpu" not in settings:
        return []
    cpu, where = settings["cpu"]
    values = {name: value for name, (value, _) in settings.items()}
    side = others(settings)
    if side is None or not side.cpu:  # the container's CPU, the instance's as far as stated
        shown = f"{_cpu_text(cpu)} ({where})"
        return [
            (need.name, _said(service, need.name, need.now, need.need, shown))
            for need in required(parse_cpu(str(cpu)), values)
        ]
    own = parse_cpu(str(cpu))
    memory = values.pop("memory", None)
    shown = f"{_cpu_text(cpu)} ({where}), {side.said(own)}"
    out = [
        (need.name, _said(service, need.name, need.now, need.need, shown))
        for need in required(own + side.cpu, values)
    ]
    if str(memory).isdigit() and below_one_refused((own, int(str(memory))), side):
        most = f"memory {show_memory(most_memory(own + side.cpu))} at most"
        out.append(("memory", _said(service, "memory", show_memory(int(str(memory))), most, shown)))
    return out


UNNAMED = (
    "; said, not refused: containers the profile does not name (a revision's other sidecars, "
    "which a fix keeps) may bring the instance to 1 CPU in all, where Cloud Run takes it. "
    "`drift plan` judges the revision it would write, every container counted"
)
"""What a profile's below-one note adds (`instance_rules`)."""


def instance_rules(
    service: str, kind: Kind, settings: Mapping[str, tuple[SettingValue, str]]
) -> set[Problem]:
    """What `below_one` says of a service's profile: Cloud Run's requirements below one CPU
    are the instance's ("Total cpu < 1", every container's CPU), and a profile never names
    every container the revision runs (a sidecar it does not name is kept as it runs: SPEC
    invariant 2), so a profile loads with them as notes (`drift.profiles.build`), never
    refused: which containers there are is known where the revision is, and the plan judges
    the template it would write (`drift.fix.below_one`). A manifest or a live revision
    states every container: `drift init` (`read_conflicts`) still leaves such lines out."""
    return set(below_one(service, settings)) if kind is Kind.SERVICE else set()


def _said(service: str, name: str, now: str, need: str, cpu: str) -> str:
    return (
        f"{service}: {name} {now} with cpu {cpu}: below 1 CPU Cloud Run requires {need} "
        f"({CPU_PAGE})"
    )


def _cpu_text(value: SettingValue) -> str:
    return format_cpu(parse_cpu(str(value)))


def instance_cpu(template: Any) -> Decimal:
    """A (raw) RevisionTemplate's CPU in all, in millicpu: every container's, one without a
    limit having the default, 1 CPU ("Total": what Cloud Run's below-one rules and the unset
    concurrency's default are about). Raises ValueError for a quantity it cannot read."""
    return sum(
        (parse_cpu(c.resources.limits.get("cpu") or "1") for c in template.containers), Decimal(0)
    )


def runs_below_one(template: Any) -> bool:
    """Whether a (raw) template's instance has less than one CPU in all (False for a CPU drift
    cannot read: `limits.CPU_UNREAD` says so)."""
    if not getattr(template, "containers", None):
        return False  # no instance described
    try:
        return instance_cpu(template) < ONE_CPU
    except ValueError:
        return False


def template_values(template: Any) -> tuple[Decimal, dict[str, SettingValue]]:
    """A (raw) RevisionTemplate's CPU in all (millicpu; a container without a limit has the
    default, 1 CPU) and what `required` judges, as Cloud Run applies it: concurrency (unset:
    the default, never more than 1 below one CPU), whether some container's CPU is always
    allocated, the execution environment, the memory of every container (512 MiB by
    default). Raises ValueError for a quantity it cannot read."""
    cpu = instance_cpu(template)
    memory = 0
    always = False
    for container in template.containers:
        limits = container.resources.limits
        memory += parse_memory(limits.get("memory") or "512Mi")
        always |= not throttled(container)
    environment = template.DESCRIPTOR.fields_by_name["execution_environment"].enum_type
    value = environment.values_by_number.get(template.execution_environment)
    values: dict[str, SettingValue] = {
        "concurrency": int(template.max_instance_request_concurrency),
        "cpu_throttling": not always,
        "execution_environment": "gen2"
        if value is not None and value.name.endswith("GEN2")
        else "",
        "memory": str(memory),
    }
    return cpu, values
