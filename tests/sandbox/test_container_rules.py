"""The container and volume field rules of run v2's k8s.min.proto, refused on a write as the API
refuses them (helper-556 S2, S3): a container name that is no DNS label, two ports, a port out
of range or of a protocol other than http1/h2c, a mount path with ':', a file mode over 0777,
a secret item's path absolute or with a '..' element, a probe's period below its timeout
(Probe.period_seconds "Must be greater or equal than timeout_seconds"), a probe's timing or port
out of Probe's bounds — each INVALID_ARGUMENT, with its valid neighbour taken; a startup probe
over 240 s as the option `startup_window` says, a service's liveness delay over 600 s as
`liveness_delay` says; docs/sandbox.md states each bound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox.container_rules import PROBE_BOUNDS, PROBE_PARTS, validate_fields
from drift.sandbox.names import RpcError
from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.test_template_defaults import SERVICE, _bare, _sandbox


def _container(**fields: Any) -> Any:
    def change(service: run_v2.Service) -> None:
        for name, value in fields.items():
            setattr(service.template.containers[0], name, value)

    return change


def _port(number: int, name: str = "") -> Any:
    return _container(ports=[run_v2.ContainerPort(container_port=number, name=name)])


def _mode(default: int = 0, item: int = 0, path: str = "token") -> Any:
    def change(service: run_v2.Service) -> None:
        secret = service.template.volumes[0].secret
        secret.default_mode = default
        if item:
            secret.items = [run_v2.VersionToPath(path=path, version="1", mode=item)]

    return change


def _probe(part: str, timeout: int, period: int = 0, failure: int = 0) -> Any:
    """The first container's `part` a TCP probe (HTTP for the others) with these timings (0:
    unset, the proto's default period 10, failure threshold 3)."""
    action = (
        {"tcp_socket": run_v2.TCPSocketAction(port=8080)}
        if part == "startup_probe"
        else {"http_get": run_v2.HTTPGetAction(path="/healthz")}
    )
    probe = run_v2.Probe(
        timeout_seconds=timeout, period_seconds=period, failure_threshold=failure, **action
    )
    return _container(**{part: probe})


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_container(name="Bad_Name"), "must be a DNS label"),
        (_container(name="a" * 64), "must be a DNS label"),
        (_container(name="app-2"), None),
        (_container(ports=[run_v2.ContainerPort(container_port=8080),
                           run_v2.ContainerPort(container_port=9090)]), "only a single port"),
        (_port(70000), "must be below 65536"),
        (_port(65535, "h2c"), None),
        (_port(8080, "grpc"), "is not http1 or h2c"),
        (_container(volume_mounts=[run_v2.VolumeMount(name="token", mount_path="/a:b")]),
         "must not contain ':'"),
        (_mode(default=0o1000), "default_mode: must be between 0000 and 0777"),
        (_mode(default=0o400), None),
        (_mode(item=0o1777), "items.mode: must be between 01 and 0777"),
        (_mode(item=0o440), None),
        (_mode(item=0o440, path="../token"), "items.path: '../token' must be relative"),
        (_mode(item=0o440, path="a/../token"), "must be relative, with no '..' element"),
        (_mode(item=0o440, path="..token"), "must be relative, with no '..' element"),
        (_mode(item=0o440, path="/etc/token"), "must be relative"),
        (_mode(item=0o440, path="keys/token..v1"), None),
        (_probe("startup_probe", timeout=240, period=5), "period_seconds: 5 must be greater"),
        (_probe("startup_probe", timeout=240, period=240), None),  # the default probe's
        (_probe("liveness_probe", timeout=20), "period_seconds: 10 must be greater or equal"),
        (_probe("liveness_probe", timeout=10), None),
        # a service's startup probe's delay, period and timeout at most 600 without a GPU (the
        # newest healthchecks page; the proto's 240 is older); a liveness probe's 3600 (Probe's
        # bounds, k8s.min.proto); a timeout at least 1; a failure threshold at least 1
        (_container(startup_probe=run_v2.Probe(tcp_socket=run_v2.TCPSocketAction(),
                                               initial_delay_seconds=601)),
         "initial_delay_seconds: 601 is not from 0 to 600"),
        (_container(startup_probe=run_v2.Probe(tcp_socket=run_v2.TCPSocketAction(),
                                               initial_delay_seconds=600)), None),
        (_container(liveness_probe=run_v2.Probe(http_get=run_v2.HTTPGetAction(),
                                                initial_delay_seconds=3600)), None),
        (_probe("startup_probe", timeout=0, period=601, failure=1),
         "period_seconds: 601 is not from 1 to 600"),
        (_probe("startup_probe", timeout=600, period=600, failure=1), None),
        (_probe("startup_probe", timeout=601, period=601, failure=1),
         "timeout_seconds: 601 is not from 1 to 600"),
        (_probe("liveness_probe", timeout=0, period=3600), None),
        (_probe("liveness_probe", timeout=3601, period=3601), "timeout_seconds: 3601 is not"),
        (_probe("startup_probe", timeout=0, failure=-1), "failure_threshold: -1 is not from 1"),
        (_container(startup_probe=run_v2.Probe(tcp_socket=run_v2.TCPSocketAction(port=70000))),
         "tcp_socket.port: must be in the range 1 to 65535"),
        # a readiness probe's period and timeout 1 to 300 (the healthchecks page), no delay bound
        (_probe("readiness_probe", timeout=20), "period_seconds: 10 must be greater or equal"),
        (_probe("readiness_probe", timeout=300, period=300), None),
        (_probe("readiness_probe", timeout=1, period=301), "period_seconds: 301 is not"),
        (_probe("readiness_probe", timeout=301, period=301), "timeout_seconds: 301 is not from 1"),
        (_container(readiness_probe=run_v2.Probe(http_get=run_v2.HTTPGetAction(),
                                                 initial_delay_seconds=3600)), None),
    ],
)  # fmt: skip
def test_a_containers_fields(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, change: Any, said: str | None
) -> None:
    services = clients_for(_sandbox(make_sandbox, "filled")).services
    service = _bare(services.get_service(name=SERVICE))
    change(service)
    if said is None:
        services.update_service(service=service).result()
        return
    with pytest.raises(exceptions.InvalidArgument, match=said):
        services.update_service(service=service)


GPU_LIMITS = {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}
"""A container with an L4 GPU and the GPU pages' minimum for one (4 CPU, 16 GiB)."""


@pytest.mark.parametrize(("period", "said"), [(1800, None), (1801, "1801 is not from 1 to 1800")])
def test_a_services_startup_probe_with_a_gpu_takes_1800_seconds(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, period: int, said: str | None
) -> None:
    """ "Specify a value from 1 second to 600 seconds (1800 for GPU)" (the healthchecks page)."""
    services = clients_for(_sandbox(make_sandbox, "filled")).services
    service = _bare(services.get_service(name=SERVICE))
    container = service.template.containers[0]
    container.resources = run_v2.ResourceRequirements(limits=GPU_LIMITS, cpu_idle=False)
    container.startup_probe = run_v2.Probe(
        tcp_socket=run_v2.TCPSocketAction(port=8080), period_seconds=period, failure_threshold=1
    )
    service.template.node_selector = run_v2.NodeSelector(accelerator="nvidia-l4")
    if said is None:
        services.update_service(service=service).result()
        return
    with pytest.raises(exceptions.InvalidArgument, match=said):
        services.update_service(service=service)


@pytest.mark.parametrize("template", [run_v2.TaskTemplate, run_v2.WorkerPoolRevisionTemplate])
@pytest.mark.parametrize(
    ("field", "value"), [("initial_delay_seconds", 241), ("period_seconds", 241)]
)
def test_a_jobs_or_pools_startup_probe_keeps_the_protos_240_seconds(
    template: Any, field: str, value: int
) -> None:
    """Probe (k8s.min.proto): "Maximum value for startup probe is 240", which no jobs' or worker
    pools' page raises: a job's or pool's 241 is refused, its 240 taken."""
    for number, refused in ((value - 1, False), (value, True)):
        probe = run_v2.Probe(tcp_socket=run_v2.TCPSocketAction(port=8080), failure_threshold=1)
        setattr(probe, field, number)
        container = run_v2.Container(image="i", startup_probe=probe)
        raw = type(template()).pb(template(containers=[container]))
        if not refused:
            validate_fields(raw)
            continue
        with pytest.raises(RpcError, match=f"{field}: {number} is not from"):
            validate_fields(raw)


@pytest.mark.parametrize("option", ["refused", "taken"])
@pytest.mark.parametrize(
    ("change", "over"),
    [
        (_probe("startup_probe", 0, 60, 5), True),  # 300 s
        (_probe("startup_probe", 0, 0, 25), True),  # 10 s (unset) * 25
        (_probe("startup_probe", 240, 240, 1), False),  # the default probe's: 240 s is allowed
        (_probe("startup_probe", 0), False),  # Probe's defaults: 10 s * 3
        (_probe("liveness_probe", 0, 600, 3), False),  # a liveness probe's is not bound
    ],
)
def test_a_startup_probe_over_240_seconds_is_as_the_option_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, change: Any, over: bool
) -> None:
    """failureThreshold * periodSeconds "can't exceed 240 seconds" (the jobs' and worker pools'
    healthchecks pages); refused or taken: the scenario option `startup_window`."""
    services = clients_for(_sandbox(make_sandbox, "filled", startup_window=option)).services
    service = _bare(services.get_service(name=SERVICE))
    change(service)
    if over and option == "refused":
        with pytest.raises(exceptions.InvalidArgument, match="can't exceed 240 seconds"):
            services.update_service(service=service)
        return
    services.update_service(service=service).result()


def _liveness(delay: int) -> Any:
    probe = run_v2.Probe(initial_delay_seconds=delay, http_get=run_v2.HTTPGetAction(path="/h"))
    return _container(liveness_probe=probe)


@pytest.mark.parametrize("option", ["refused", "taken"])
@pytest.mark.parametrize(("delay", "over"), [(601, True), (600, False), (3600, True)])
def test_a_services_liveness_delay_over_600_seconds_is_as_the_option_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, delay: int, over: bool
) -> None:
    """The services' healthchecks page: a liveness probe's initial delay "from 0 seconds to 600
    seconds (1800 for GPU)"; run v2's Probe: "Maximum value for liveness probe is 3600" (every
    write). Refused or taken: the scenario option `liveness_delay`."""
    services = clients_for(_sandbox(make_sandbox, "filled", liveness_delay=option)).services
    service = _bare(services.get_service(name=SERVICE))
    _liveness(delay)(service)
    if over and option == "refused":
        said = f"liveness_probe.initial_delay_seconds: {delay} is not from 0 to 600"
        with pytest.raises(exceptions.InvalidArgument, match=said):
            services.update_service(service=service)
        return
    services.update_service(service=service).result()


def test_docs_state_every_probe_bound() -> None:
    """docs/sandbox.md's probe table names each `PROBE_BOUNDS` field's least and most per
    probe (helper-722 F5: the rules every write checks listed no probe bound)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text()
    for field, (least, *most) in PROBE_BOUNDS.items():
        rows = [line for line in text.splitlines() if line.startswith(f"| `{field}` |")]
        assert len(rows) == 1, f"docs/sandbox.md has no row of its own for {field}"
        row = rows[0]
        cells = [cell.strip() for cell in row.strip("|").split("|")[1:]]
        assert len(cells) == len(PROBE_PARTS), row
        for cell, top in zip(cells, most, strict=True):
            assert cell.startswith(f"{least}–{top}" if top else f"{least} or more"), row
