"""Option `template_defaults`: a service's or worker pool's write that leaves out what Google
documents a default for reads back with it written in (`filled`, the default: "validated and
default values populated", UpdateServiceRequest.validate_only) or as sent (`unset`); a value
written is kept either way (helper-556 S1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.jobworld import PARENT, POOL, RUNNER, world

SERVICE = f"{PARENT}/services/svc"


def _sandbox(make_sandbox: MakeSandbox, defaults: str, **options: Any) -> Any:
    scenario = world(template_defaults=defaults, **options)
    scenario["projects"]["p"]["services"] = {
        "svc": {"template": {"image": "us-docker.pkg.dev/example/svc:1", "service_account": RUNNER}}
    }
    return make_sandbox(scenario)


def _bare(service: run_v2.Service) -> run_v2.Service:
    """`service` with every defaulted field left out, and a secret volume mounted without a
    mode, as a hand-written YAML or a Terraform resource sends it."""
    template = service.template
    container = template.containers[0]
    for field in ("ports", "resources", "startup_probe"):
        container._pb.ClearField(field)
    for field in ("timeout", "max_instance_request_concurrency"):
        template._pb.ClearField(field)
    template.scaling.max_instance_count = 0
    template.volumes = [
        run_v2.Volume(name="token", secret=run_v2.SecretVolumeSource(secret="token"))
    ]
    container.volume_mounts = [run_v2.VolumeMount(name="token", mount_path="/secrets")]
    return service


def test_a_service_write_reads_back_with_the_documented_defaults(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    clients = clients_for(_sandbox(make_sandbox, "filled"))
    services = clients.services
    services.update_service(service=_bare(services.get_service(name=SERVICE))).result()
    service = services.get_service(name=SERVICE)
    template = service.template
    container = template.containers[0]
    assert template.scaling.max_instance_count == 100
    assert template.timeout == timedelta(seconds=300)
    assert template.max_instance_request_concurrency == 80
    assert [(p.container_port) for p in container.ports] == [8080]
    assert dict(container.resources.limits) == {"cpu": "1000m", "memory": "512Mi"}
    assert container.resources.cpu_idle is True
    probe = container.startup_probe
    assert probe.tcp_socket.port == 8080 and probe.failure_threshold == 1
    assert probe.timeout_seconds == probe.period_seconds == 240
    assert template.volumes[0].secret.default_mode == 0o444
    revision = clients.revisions.get_revision(name=service.latest_created_revision)
    assert revision.timeout == timedelta(seconds=300)  # the revision it made runs with them
    assert revision.containers[0].ports[0].container_port == 8080


def test_a_service_write_reads_back_as_sent_when_unset(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    services = clients_for(_sandbox(make_sandbox, "unset")).services
    services.update_service(service=_bare(services.get_service(name=SERVICE))).result()
    template = services.get_service(name=SERVICE).template
    container = template.containers[0]
    assert template.scaling.max_instance_count == 0 and not template.timeout
    assert template.max_instance_request_concurrency == 0
    assert not container.ports and not container.resources.limits
    assert "startup_probe" not in container and not template.volumes[0].secret.default_mode


def test_what_a_write_states_is_kept(make_sandbox: MakeSandbox, clients_for: ClientsFor) -> None:
    """Below one CPU the concurrency written in is 1 ("defaults to 1 when requested CPU < 1");
    a stated port, probe, mode, timeout and limit are never replaced."""
    services = clients_for(_sandbox(make_sandbox, "filled")).services
    service = _bare(services.get_service(name=SERVICE))
    container = service.template.containers[0]
    container.resources = run_v2.ResourceRequirements(limits={"cpu": "500m"}, cpu_idle=True)
    container.ports = [run_v2.ContainerPort(container_port=3000)]
    container.startup_probe = run_v2.Probe(
        # a path the backend answers: a revision whose probe fails never starts (sandbox.startup)
        period_seconds=5,
        failure_threshold=3,
        http_get=run_v2.HTTPGetAction(path="/healthz"),
    )
    service.template.timeout = timedelta(seconds=60)
    service.template.volumes[0].secret.default_mode = 0o400
    services.update_service(service=service).result()
    template = services.get_service(name=SERVICE).template
    container = template.containers[0]
    assert template.max_instance_request_concurrency == 1
    assert dict(container.resources.limits) == {"cpu": "500m", "memory": "512Mi"}
    assert container.resources.cpu_idle is True
    assert [p.container_port for p in container.ports] == [3000]
    assert container.startup_probe.http_get.path == "/healthz"
    assert container.startup_probe.period_seconds == 5
    assert template.timeout == timedelta(seconds=60)
    assert template.volumes[0].secret.default_mode == 0o400


@pytest.mark.parametrize("defaults", ["filled", "unset"])
def test_a_worker_pool_gets_resources_and_modes_but_nothing_a_request_needs(
    make_sandbox: MakeSandbox, run_for: Any, defaults: str
) -> None:
    """WorkerPoolRevisionTemplate has no timeout, concurrency or scaling, and a pool serves no
    requests: no port and no startup probe on a port are written in."""
    pools = run_for(_sandbox(make_sandbox, defaults)).pools
    pool = pools.get_worker_pool(name=POOL)
    for container in pool.template.containers:
        container._pb.ClearField("resources")
    pools.update_worker_pool(worker_pool=pool).result()
    read = pools.get_worker_pool(name=POOL).template.containers
    limits = {"cpu": "1000m", "memory": "512Mi"} if defaults == "filled" else {}
    assert [dict(c.resources.limits) for c in read] == [limits, limits]
    assert not any(c.ports or "startup_probe" in c for c in read)


def test_resources_written_without_cpu_idle_keep_cpu_always_allocated(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """ResourceRequirements.cpu_idle: "true by default. However, if ResourceRequirements is
    set, the caller must explicitly set this field to true": a memory limit alone leaves it
    false; the CPU limit it leaves out is still the default one."""
    services = clients_for(_sandbox(make_sandbox, "filled")).services
    service = _bare(services.get_service(name=SERVICE))
    service.template.containers[0].resources = run_v2.ResourceRequirements(limits={"memory": "1Gi"})
    services.update_service(service=service).result()
    resources = services.get_service(name=SERVICE).template.containers[0].resources
    assert dict(resources.limits) == {"cpu": "1000m", "memory": "1Gi"}
    assert resources.cpu_idle is False
