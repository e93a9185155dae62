"""helper-631 F1, F2: the memory Cloud Run takes with a CPU was modelled nowhere, so a write of 1
CPU with 8Gi (or 8 CPU with 2Gi; or a job at 0.5 CPU with 2Gi) was taken by the sandbox while
Cloud Run refuses it (INVALID_ARGUMENT: "Invalid value specified for memory. For 1.0 CPU, memory
must be between 128Mi and 4Gi inclusive.", googleapis/repo-automation-bots#3875). The tables:
the CPU pages' "1 vCPU Up to 4 GiB; 2 vCPU Up to 8 GiB; 4 vCPU 2 to 16 GiB; 6 vCPU 4 to 24 GiB;
8 vCPU 4 to 32 GiB" and the memory-limits pages' "Required minimum CPUs"
(drift/sandbox/cpu_memory.py). Where the pages disagree (below one CPU; a job below one CPU at
all) the scenario options `below_one_memory` and `job_min_cpu` give either reading; whether a
pair is each container's or the instance's sums is `max_size_of`'s. A scenario's seeded state is
not judged."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox.limits import Sizes
from drift.sandbox.names import ResourceKey, RpcError
from drift.sandbox.pb import PoolPb, ServicePb
from drift.sandbox.validate import validate_spec
from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.conftest import Run
from tests.sandbox.jobworld import JOB, JOB_SPEC, POOL, POOL_SPEC, world

SERVICE = "projects/p/locations/us-central1/services/api"
IMAGE = "us-docker.pkg.dev/example/api:1"


def _world(**options: Any) -> dict[str, Any]:
    out = world(jobs={"job": copy.deepcopy(JOB_SPEC)}, pools={"pool": copy.deepcopy(POOL_SPEC)})
    out["projects"]["p"]["services"] = {"api": {"template": {"image": IMAGE}}}
    out["options"] = options
    return out


def _write(
    kind: str, clients: Any, run: Run, cpu: str, memory: str, *, validate_only: bool = False
) -> Any:
    """UpdateService / UpdateJob / UpdateWorkerPool with the first container at `cpu`, `memory`
    (a job's gen2 only; a service's below one CPU with what Cloud Run requires there)."""
    if kind == "service":
        service = clients.services.get_service(name=SERVICE)
        container = service.template.containers[0]
        if float(cpu) < 1:
            service.template.max_instance_request_concurrency = 1
            service.template.execution_environment = (
                run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1
            )
            container.resources.cpu_idle = True
        container.resources.limits.update({"cpu": cpu, "memory": memory})
        request = run_v2.UpdateServiceRequest(service=service, validate_only=validate_only)
        return clients.services.update_service(request=request).result(timeout=30)
    if kind == "job":
        job = run.jobs.get_job(name=JOB)
        job.template.template.containers[0].resources.limits.update({"cpu": cpu, "memory": memory})
        request = run_v2.UpdateJobRequest(job=job, validate_only=validate_only)
        return run.jobs.update_job(request=request).result(timeout=30)
    pool = run.pools.get_worker_pool(name=POOL)
    pool.template.containers[0].resources.limits.update({"cpu": cpu, "memory": memory})
    request = run_v2.UpdateWorkerPoolRequest(worker_pool=pool, validate_only=validate_only)
    return run.pools.update_worker_pool(request=request).result(timeout=30)


def _limits(kind: str, clients: Any, run: Run) -> dict[str, str]:
    if kind == "service":
        return dict(
            clients.services.get_service(name=SERVICE).template.containers[0].resources.limits
        )
    if kind == "job":
        return dict(run.jobs.get_job(name=JOB).template.template.containers[0].resources.limits)
    return dict(run.pools.get_worker_pool(name=POOL).template.containers[0].resources.limits)


@pytest.mark.parametrize("kind", ["service", "job", "pool"])
@pytest.mark.parametrize("validate_only", [True, False], ids=["dry-run", "write"])
def test_a_memory_the_cpu_cannot_take_is_invalid_argument(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    run_for: Any,
    kind: str,
    validate_only: bool,
) -> None:
    sandbox = make_sandbox(_world())
    clients, run = clients_for(sandbox), run_for(sandbox)
    before = _limits(kind, clients, run)
    for cpu, memory, said in (
        ("1", "8Gi", "For 1.0 CPU, memory must be between"),
        ("2", "32Gi", "For 2.0 CPU, memory must be between"),
        ("4", "1Gi", "For 4.0 CPU, memory must be between 2Gi and 16Gi inclusive."),
        ("8", "2Gi", "For 8.0 CPU, memory must be between 4Gi and 32Gi inclusive."),
    ):
        with pytest.raises(exceptions.InvalidArgument) as refused:
            _write(kind, clients, run, cpu, memory, validate_only=validate_only)
        assert "resources.limits.memory: Invalid value specified for memory" in str(refused.value)
        assert said in str(refused.value), refused.value
        assert _limits(kind, clients, run) == before  # nothing written
    for cpu, memory in (("1", "4Gi"), ("2", "8Gi"), ("4", "2Gi"), ("3", "8Gi"), ("8", "32Gi")):
        _write(kind, clients, run, cpu, memory, validate_only=validate_only)
    if not validate_only:
        assert _limits(kind, clients, run) == {"cpu": "8", "memory": "32Gi"}


def test_a_service_write_quotes_the_generation_in_the_servers_words(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, run_for: Any
) -> None:
    """ "For 1.0 CPU, memory must be between 128Mi and 4Gi inclusive." (no generation chosen);
    "Invalid value specified for memory with gen2 execution environment. For 1.0 CPU, memory
    must be between 512Mi and 4Gi inclusive." (MarkEdmondson1234/googleCloudRunner#137)."""
    sandbox = make_sandbox(_world())
    clients, run = clients_for(sandbox), run_for(sandbox)
    with pytest.raises(exceptions.InvalidArgument, match="between 128Mi and 4Gi inclusive"):
        _write("service", clients, run, "1", "5Gi")
    with pytest.raises(exceptions.InvalidArgument, match="with gen2 execution environment"):
        _write("job", clients, run, "1", "5Gi")


def _pool_write(cpu: str, memory: str, side_cpu: str, of: str) -> None:
    template = {
        "containers": [
            {
                "name": "main",
                "image": IMAGE,
                "resources": {"limits": {"cpu": cpu, "memory": memory}},
            },
            {"name": "side", "image": IMAGE, "resources": {"limits": {"cpu": side_cpu}}},
        ]
    }
    key = ResourceKey("p", "us-central1", "pool", "workerPools")
    validate_spec(key, PoolPb(template=template), sizes=Sizes(max_size_of=of))


def test_each_containers_pair_or_the_instances_is_the_option_max_size_of() -> None:
    """Not documented: 1 CPU with 6Gi beside a 3-CPU sidecar is refused as a container's pair,
    taken as the instance's (4 CPU, 6.5Gi); 2 CPU with 8Gi beside a 1-CPU sidecar the other way
    round (3 CPU with 8.5Gi)."""
    with pytest.raises(RpcError, match=r"containers\[0\].resources.limits.memory"):
        _pool_write("1", "6Gi", "3", "container")
    _pool_write("1", "6Gi", "3", "instance")
    _pool_write("2", "8Gi", "1", "container")
    with pytest.raises(RpcError, match="For 3.0 CPU, memory must be between 512Mi and 8Gi"):
        _pool_write("2", "8Gi", "1", "instance")


def _service_below_one(cpu: str, memory: str, reading: str) -> None:
    template = {
        "containers": [
            {
                "image": IMAGE,
                "ports": [{"container_port": 8080}],
                "resources": {"limits": {"cpu": cpu, "memory": memory}, "cpu_idle": True},
            }
        ],
        "max_instance_request_concurrency": 1,
        "execution_environment": run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1.value,
    }
    key = ResourceKey("p", "us-central1", "api")
    sizes = Sizes(below_one_memory=reading)
    validate_spec(key, ServicePb(template=template), fine_cpu="any", sizes=sizes)


@pytest.mark.parametrize(
    ("cpu", "memory", "cpu_page", "memory_page"),
    [
        ("0.5", "1Gi", "", "Total cpu < 0.583 is not supported with memory > 512Mi"),
        ("0.25", "512Mi", "", "Total cpu < 0.333 is not supported with memory > 256Mi"),
        ("0.6", "1Gi", "", ""),
        ("0.1666", "256Mi", "", ""),  # a function's own pair: the page's ".167" rounds it
        ("0.4", "1Gi", "Total cpu < 0.5 is not supported with memory > 512Mi", "0.583"),
        ("0.5", "2Gi", "Total cpu < 1 is not supported with memory > 1Gi", "memory > 1Gi"),
    ],
)
def test_below_one_cpu_the_memory_is_the_option_below_one_memory(
    cpu: str, memory: str, cpu_page: str, memory_page: str
) -> None:
    for reading, said in (("cpu_page", cpu_page), ("memory_page", memory_page)):
        if not said:
            _service_below_one(cpu, memory, reading)
            continue
        with pytest.raises(RpcError) as refused:
            _service_below_one(cpu, memory, reading)
        assert said in str(refused.value), (reading, refused.value)


@pytest.mark.parametrize(
    ("options", "cpu", "memory", "said"),
    [
        ({}, "0.5", "1Gi", ""),
        ({}, "0.5", "2Gi", "Total cpu < 1 is not supported with memory > 1Gi"),
        ({}, "0.25", "1Gi", "Total cpu < 0.5 is not supported with memory > 512Mi"),
        ({}, "0.05", "512Mi", "the minimum vCPU setting is 0.08"),
        ({"below_one_memory": "memory_page"}, "0.5", "1Gi", "Total cpu < 0.583"),
        ({"job_min_cpu": "one"}, "0.5", "1Gi", "Total cpu < 1 is not supported for a job"),
        ({"job_min_cpu": "one"}, "0.5", "512Mi", "Total cpu < 1 is not supported for a job"),
    ],
)
def test_a_job_below_one_cpu_is_held_to_the_jobs_cpu_page(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    run_for: Any,
    options: dict[str, str],
    cpu: str,
    memory: str,
    said: str,
) -> None:
    """The jobs CPU page (current copy): "A minimum of 0.5 vCPU is needed to set a memory limit
    greater than 512MiB. A minimum of 1 vCPU is needed to set a memory limit greater than 1GiB";
    an older copy: "You must set a minimum of 1 CPU for a Cloud Run job" (`job_min_cpu: one`)."""
    sandbox = make_sandbox(_world(**options))
    clients, run = clients_for(sandbox), run_for(sandbox)
    before = _limits("job", clients, run)
    if not said:
        done = _write("job", clients, run, cpu, memory)
        assert dict(done.template.template.containers[0].resources.limits) == {
            "cpu": cpu,
            "memory": memory,
        }
        return
    for validate_only in (True, False):
        with pytest.raises(exceptions.InvalidArgument) as refused:
            _write("job", clients, run, cpu, memory, validate_only=validate_only)
        assert said in str(refused.value), refused.value
    assert _limits("job", clients, run) == before


def test_a_seeded_pair_is_not_the_sandboxs_to_refuse(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, run_for: Any
) -> None:
    """What Cloud Run holds is not the sandbox's to refuse: a scenario may seed 1 CPU with 8Gi
    (a service, a job, a pool) and a job at 0.5 CPU with 2Gi; resending it is then refused."""
    scenario = _world()
    project = scenario["projects"]["p"]
    project["services"]["api"]["template"].update({"cpu": "1", "memory": "8Gi"})
    project["jobs"]["job"]["template"].update({"cpu": "0.5", "memory": "2Gi"})
    project["worker_pools"]["pool"]["template"]["containers"][0]["resources"] = {
        "limits": {"cpu": "1", "memory": "8Gi"}
    }
    sandbox = make_sandbox(scenario)
    clients, run = clients_for(sandbox), run_for(sandbox)
    assert _limits("service", clients, run) == {"cpu": "1", "memory": "8Gi"}
    assert _limits("job", clients, run) == {"cpu": "0.5", "memory": "2Gi"}
    assert _limits("pool", clients, run) == {"cpu": "1", "memory": "8Gi"}
    with pytest.raises(exceptions.InvalidArgument):
        run.jobs.update_job(job=run.jobs.get_job(name=JOB)).result(timeout=30)


@pytest.mark.parametrize(("reading", "refused"), [("cpu_page", False), ("memory_page", True)])
def test_update_service_below_one_cpu_follows_below_one_memory(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, run_for: Any, reading: str, refused: bool
) -> None:
    """0.5 CPU with 1Gi: the CPU page's ".5 vCPU Up to 1 GiB" takes it, newer memory-limits
    copies' "1 GiB .583 vCPU" does not (UpdateService through the official client)."""
    sandbox = make_sandbox(_world(below_one_memory=reading))
    clients, run = clients_for(sandbox), run_for(sandbox)
    if not refused:
        done = _write("service", clients, run, "0.5", "1Gi")
        assert done.template.containers[0].resources.limits["memory"] == "1Gi"
        return
    with pytest.raises(exceptions.InvalidArgument, match=r"Total cpu < 0.583 .* memory > 512Mi"):
        _write("service", clients, run, "0.5", "1Gi")
