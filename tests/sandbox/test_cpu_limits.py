"""Less than one CPU in the sandbox, as Cloud Run's CPU page says
(cloud.google.com/run/docs/configuring/services/cpu, "If you use less than 1 CPU, the following
requirements are enforced"): UpdateService refuses a template below 1 CPU with concurrency over
1, CPU always allocated, the second generation environment or too much memory — with
`validate_only` too (a dry run), with the server's INVALID_ARGUMENT as users quote it
(nearform/slack-knowledgebase-chatgpt-responder#980) — and a seeded template below 1 CPU gets
the concurrency Cloud Run gives it (1), never 80."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.errors import InputError
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_world

NAME = f"projects/{LAB}/locations/us-central1/services/app"
GEN2 = run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2


def _below_one(service: run_v2.Service) -> run_v2.Container:
    """The service at 500m, with what Cloud Run requires there (every check passes)."""
    template = service.template
    template.max_instance_request_concurrency = 1
    template.execution_environment = run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1
    container = template.containers[0]
    container.resources.limits["cpu"] = "500m"
    container.resources.cpu_idle = True
    return container


def _concurrency(s: run_v2.Service, c: run_v2.Container) -> None:
    s.template.max_instance_request_concurrency = 80


def _always_on(s: run_v2.Service, c: run_v2.Container) -> None:
    c.resources.cpu_idle = False


def _gen2(s: run_v2.Service, c: run_v2.Container) -> None:
    s.template.execution_environment = GEN2


def _memory(s: run_v2.Service, c: run_v2.Container) -> None:
    c.resources.limits["memory"] = "2Gi"


def _quarter_cpu_memory(s: run_v2.Service, c: run_v2.Container) -> None:
    c.resources.limits["cpu"] = "250m"
    c.resources.limits["memory"] = "1Gi"


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_concurrency, "Total cpu < 1 is not supported with concurrency > 1."),
        (_always_on, "Total cpu < 1 is not supported with CPU always allocated"),
        (_gen2, "Total cpu < 1 is not supported with the second generation"),
        (_memory, "Total cpu < 1 is not supported with memory > 1Gi."),
        (_quarter_cpu_memory, "Total cpu < 0.5 is not supported with memory > 512Mi."),
    ],
    ids=["concurrency", "always-allocated", "gen2", "memory", "half-cpu-memory"],
)
@pytest.mark.parametrize("validate_only", [True, False], ids=["dry-run", "write"])
def test_below_one_cpu_the_api_refuses_what_the_cpu_page_forbids(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    change: Any,
    said: str,
    validate_only: bool,
) -> None:
    sandbox = make_sandbox(lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1"}))
    services = clients_for(sandbox).services
    service = services.get_service(name=NAME)
    generation = service.generation
    container = _below_one(service)
    checked = run_v2.UpdateServiceRequest(service=service, validate_only=True)
    services.update_service(request=checked).result()  # what the page requires: accepted
    change(service, container)
    request = run_v2.UpdateServiceRequest(service=service, validate_only=validate_only)
    with pytest.raises(exceptions.InvalidArgument) as refused:
        services.update_service(request=request).result()
    message = str(refused.value)
    assert "template.containers.resources.limits.cpu: Invalid value specified for cpu." in message
    assert said in message, message
    assert services.get_service(name=NAME).generation == generation  # nothing was written


def test_the_cpu_below_one_counts_every_container(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """ "Total cpu": 500m beside a sidecar of 1 CPU is 1.5 CPUs, where 80 requests are fine."""
    sandbox = make_sandbox(lab_world(template={"image": "us-docker.pkg.dev/lab/app:v1"}))
    services = clients_for(sandbox).services
    service = services.get_service(name=NAME)
    container = _below_one(service)
    container.name = "app"
    service.template.max_instance_request_concurrency = 80
    sidecar = run_v2.Container(
        name="proxy",
        image="us-docker.pkg.dev/lab/proxy:v1",
        resources=run_v2.ResourceRequirements(limits={"cpu": "1"}, cpu_idle=True),
    )
    service.template.containers.append(sidecar)
    services.update_service(service=service).result()
    assert services.get_service(name=NAME).template.max_instance_request_concurrency == 80


def test_a_seeded_template_below_one_cpu_has_the_concurrency_cloud_run_gives_it(
    make_sandbox: MakeSandbox,
) -> None:
    # RevisionTemplate.max_instance_request_concurrency: "If not specified or 0, concurrency
    # defaults to 80 when requested `CPU >= 1` and defaults to 1 when requested `CPU < 1`."
    small = {"image": "us-docker.pkg.dev/lab/app:v1", "cpu": "500m"}
    sandbox = make_sandbox(
        lab_world(template=small, history=[{"name": "app-00001-old", "cpu": "2"}])
    )
    service = sandbox.service(LAB, "app")
    assert service.template.max_instance_request_concurrency == 1
    serving = sandbox.revision(LAB, "app", service.latest_ready_revision.rsplit("/", 1)[-1])
    assert serving.max_instance_request_concurrency == 1
    first = sandbox.revision(LAB, "app", "app-00001-old")
    assert first.max_instance_request_concurrency == 80  # its own CPU's default: 2 CPUs


def test_a_scenario_template_cloud_run_would_refuse_is_a_scenario_error(
    make_sandbox: MakeSandbox,
) -> None:
    """Such a template never made a revision: Cloud Run refuses the request that would."""
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "cpu": "500m", "concurrency": 80}
    with pytest.raises(InputError) as caught:
        make_sandbox(lab_world(template=template))
    (problem,) = caught.value.problems
    assert f"projects.{LAB}.services.app.template" in str(problem)
    assert "Total cpu < 1 is not supported with concurrency > 1" in str(problem)
