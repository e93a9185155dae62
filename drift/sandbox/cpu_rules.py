"""What Cloud Run refuses of a service's CPU: each container's limit (the CPU page's rule, and
a function's CPU finer than 0.001) and, below one CPU in all, what it requires there. Out of
`validate` (the request's other checks)."""

from __future__ import annotations

from fractions import Fraction

from google.protobuf.message import Message

from drift.sandbox.cpu_memory import below_one_refusal
from drift.sandbox.names import invalid
from drift.sandbox.quantity import FINE, QuantityError, cpu_refusal, millis, units

# Less than one CPU: "If you use less than 1 CPU, the following requirements are enforced":
# maximum concurrency 1; CPU allocated only during request processing (request-based billing,
# `cpu_idle`); the first generation execution environment; "A minimum of 0.5 CPU is needed to set
# a memory limit greater than 512MiB. A minimum of 1 CPU is needed to set a memory limit greater
# than 1GiB." (cloud.google.com/run/docs/configuring/services/cpu). The server's answer, as users
# quote it (INVALID_ARGUMENT, nearform/slack-knowledgebase-chatgpt-responder#980): "spec.template.
# spec.containers.resources.limits.cpu: Invalid value specified for cpu. Total cpu < 1 is not
# supported with concurrency > 1." (v1's field path: v2 says `template.containers.resources.
# limits.cpu`, as firebase/friendlyeats-web#291 quotes another refusal of it); steren in
# hashicorp/terraform-provider-google#13361: "When setting cpu_limit<1 the api will only accept
# container_concurrency=1". "Total": the instance's CPU, every container's (a container that
# sets no limit has the default, 1 CPU). The other refusals' wording is the sandbox's, after the
# same page (no answer of the server is quoted for them). The memory below one CPU: the pages
# disagree, `cpu_memory.below_one_refusal` (the scenario option `below_one_memory`).
CPU_AT = "template.containers.resources.limits.cpu: Invalid value specified for cpu."
ONE_CPU = 1000
GEN2 = 2  # ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2


def instance_cpu(template: Message) -> int:
    """The instance's CPU in millicpu: every container's, one that sets no limit having the
    default, 1 CPU (the sandbox's own quantity reading, `drift.sandbox.quantity`). Raises
    ValueError for a quantity it cannot read."""
    return sum(millis(c.resources.limits.get("cpu", "1")) for c in template.containers)


def validate_cpu(
    template: Message,
    *,
    seeded: bool = False,
    stored: Message | None = None,
    fine_cpu: str = "unchanged",
    below_one_memory: str = "cpu_page",
) -> None:
    """A service's revision template: each container's CPU limit one Cloud Run applies
    (`quantity.cpu_refusal`: a request with another is refused with INVALID_ARGUMENT, as
    cloud.google.com/run/docs/configuring/services/cpu says what it applies), and below one
    CPU in all, what Cloud Run refuses there. `seeded`: a scenario's live state, which may hold
    any quantity (what Cloud Run returns is not the sandbox's to refuse): only the
    requirements below one CPU, where its quantities can be read.

    A CPU finer than 0.001 (`quantity.FINE`): the CPU page's "increments of 0.001" is what a
    user selects, not all Cloud Run holds: a Cloud Run function's service holds 0.0833, 0.1666,
    0.3333 (cloud.google.com/functions/docs/configuring/memory: ".083/.167/.333/.583 vCPU";
    the Functions API's `availableCpu: '0.1666'`, which "Supports the same values as Cloud
    Run"), and Cloud Run took `gcloud run services update --cpu-throttling` of such a service,
    its CPU unchanged (world-federation-of-advertisers/cross-media-measurement#3832). So one a
    container resends as `stored` holds it stands; whether a write may set a new one is not
    documented: `fine_cpu` "any" takes it (as the Functions service writes them), "unchanged"
    (the default) refuses it. `below_one_memory`: the scenario option of that name."""
    held = _held_cpus(stored)
    for index, container in enumerate(template.containers if not seeded else ()):
        if "cpu" in container.resources.limits:
            cpu = container.resources.limits["cpu"]
            why = cpu_refusal(cpu)
            unchanged = held.get(container.name or index) == cpu
            if why == FINE and (unchanged or fine_cpu == "any"):
                why = ""
            if why:
                raise invalid(f"{CPU_AT} {why}.")
    try:
        cpu = instance_cpu(template)
        memory = sum(units(c.resources.limits.get("memory", "512Mi")) for c in template.containers)
    except QuantityError:
        return  # seeded: a live quantity this check cannot read is not its to refuse
    if cpu >= ONE_CPU:
        return
    always = any(c.HasField("resources") and not c.resources.cpu_idle for c in template.containers)
    refused = [
        (template.max_instance_request_concurrency > 1, "concurrency > 1"),
        (always, "CPU always allocated (cpu_idle false)"),
        (template.execution_environment == GEN2, "the second generation execution environment"),
    ]
    for bad, what in refused:
        if bad:
            raise invalid(f"{CPU_AT} Total cpu < 1 is not supported with {what}.")
    # the memory a CPU below one takes: the pages disagree (`cpu_memory`, `below_one_memory`)
    if why := below_one_refusal(Fraction(cpu), memory, below_one_memory):
        raise invalid(f"{CPU_AT} {why}.")


def _held_cpus(stored: Message | None) -> dict[str | int, str]:
    """The CPU limit each container of `stored` holds, by name (by place when unnamed)."""
    out: dict[str | int, str] = {}
    for index, container in enumerate(stored.containers if stored is not None else ()):
        if "cpu" in container.resources.limits:
            out[container.name or index] = container.resources.limits["cpu"]
    return out


def instance_size(template: Message) -> tuple[int, int]:
    """The instance's CPU (millicpu) and memory (bytes): every container's, one that sets no
    limit having the default (1 CPU, 512Mi), the sandbox's own quantity reading. Raises
    QuantityError for a quantity it cannot read."""
    memory = sum(units(c.resources.limits.get("memory", "512Mi")) for c in template.containers)
    return instance_cpu(template), memory
