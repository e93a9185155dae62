"""The sandbox refuses (INVALID_ARGUMENT, naming the field, as the real API) a write above the
maximums Cloud Run documents (drift/sandbox/limits.py): 1000 concurrent requests per instance
(cloud.google.com/run/docs/about-concurrency), 8 CPU (…/configuring/services/cpu, …/jobs/cpu,
…/workerpools/cpu) and 32 GiB (…/memory-limits) — services, jobs and worker pools, with
`validate_only` too; and `drift fix --dry-run` says so (revinput60 F2: "dry run accepted")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox import Sandbox
from drift.sandbox.jobs import validate_job
from drift.sandbox.limits import Sizes
from drift.sandbox.names import ResourceKey, RpcError
from drift.sandbox.pb import JobPb, PoolPb, ServicePb
from drift.sandbox.validate import validate_spec
from tests.cliutil import drift
from tests.conftest import ClientsFor

IMAGE = "us-docker.pkg.dev/lab/app:v1"
SERVICE = ResourceKey("lab", "us-central1", "app")
POOL = ResourceKey("lab", "us-central1", "pool", "workerPools")
RTX = {"node_selector": {"accelerator": "nvidia-rtx-pro-6000"}}


def _template(cpu: str = "1", memory: str = "512Mi", gpu: bool = False, **more: Any) -> Any:
    limits = {"cpu": cpu, "memory": memory, **({"nvidia.com/gpu": "1"} if gpu else {})}
    container = {"image": IMAGE, "resources": {"limits": limits}}
    return {"containers": [container], **more}


def _write(
    kind: str, template: dict[str, Any], gpu_max: str = "open", of: str = "container"
) -> None:
    sizes = Sizes(gpu_max=gpu_max, max_size_of=of)
    if kind == "job":
        validate_job(JobPb(template={"template": template}), sizes=sizes)
    elif kind == "pool":
        validate_spec(POOL, PoolPb(template=template), sizes=sizes)
    else:
        validate_spec(SERVICE, ServicePb(template=template), sizes=sizes)


@pytest.mark.parametrize("kind", ["service", "job", "pool"])
@pytest.mark.parametrize(
    ("template", "field"),
    [
        (_template(cpu="64"), "limits.cpu: Invalid value specified for cpu"),
        (_template(cpu="9", memory="32Gi"), "limits.cpu: Invalid value specified for cpu"),
        (_template(cpu="8", memory="1Ti"), "limits.memory: Invalid value specified for memory"),
        (_template(cpu="8", memory="33Gi"), "limits.memory: Invalid value specified for memory"),
    ],
    ids=["cpu-64", "cpu-9", "memory-1Ti", "memory-33Gi"],
)
def test_a_write_above_the_documented_maximum_is_invalid_argument(
    kind: str, template: dict[str, Any], field: str
) -> None:
    with pytest.raises(RpcError) as refused:
        _write(kind, template)
    assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert field in str(refused.value), refused.value
    _write(kind, _template(cpu="8", memory="32Gi"))  # the maximum itself is taken


def test_concurrency_above_1000_is_invalid_argument() -> None:
    with pytest.raises(RpcError) as refused:
        _write("service", _template(max_instance_request_concurrency=1001))
    assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "max_instance_request_concurrency: Invalid value specified" in str(refused.value)
    _write("service", _template(max_instance_request_concurrency=1000))


@pytest.mark.parametrize("kind", ["service", "job", "pool"])
def test_an_rtx_pro_6000_instance_has_the_maximum_the_option_gives(kind: str) -> None:
    """Its documented minimum (20 CPU, 80 GiB) is above 8 CPU and 32 GiB; no maximum is
    documented: `gpu_max` open takes any size, floor refuses one above that minimum."""
    big = _template(cpu="64", memory="512Gi", gpu=True, **RTX)
    _write(kind, big, gpu_max="open")
    _write(kind, _template(cpu="20", memory="80Gi", gpu=True, **RTX), gpu_max="floor")
    with pytest.raises(RpcError) as refused:
        _write(kind, big, gpu_max="floor")
    assert "maximum of 20 CPU" in str(refused.value), refused.value
    with pytest.raises(RpcError):  # an L4 instance has the 8 CPU of every other one
        _write(
            kind,
            {
                **_template(cpu="9", memory="32Gi", gpu=True),
                "node_selector": {"accelerator": "nvidia-l4"},
            },
        )


@pytest.mark.parametrize("kind", ["job", "pool"])  # a service's containers need ports
def test_whether_sidecars_add_up_is_the_option_max_size_of(kind: str) -> None:
    """ "Each Cloud Run instance": 6 + 6 CPU (and 20 + 20 GiB) in two containers is above the
    maximum only when it bounds the sum (`instance`), not each container (`container`)."""
    sidecars = _template(cpu="6", memory="20Gi")
    second = {**sidecars["containers"][0], "name": "side"}
    sidecars["containers"] = [{**sidecars["containers"][0], "name": "main"}, second]
    _write(kind, sidecars, of="container")
    with pytest.raises(RpcError) as refused:
        _write(kind, sidecars, of="instance")
    assert "12 (every container's) is above the maximum of 8 CPU" in str(refused.value)
    second["resources"] = {"limits": {"cpu": "2", "memory": "20Gi"}}
    with pytest.raises(RpcError) as refused:
        _write(kind, sidecars, of="instance")
    assert "40Gi (every container's) is above the maximum of 32Gi" in str(refused.value)


@pytest.mark.sandbox
@pytest.mark.parametrize("validate_only", [True, False], ids=["dry-run", "write"])
def test_update_service_above_the_maximum_is_refused_and_nothing_is_written(
    sandbox: Sandbox, clients_for: ClientsFor, validate_only: bool
) -> None:
    services = clients_for(sandbox).services
    name = "projects/acme-chat-staging/locations/us-central1/services/web"
    service = services.get_service(name=name)
    generation = service.generation
    service.template.max_instance_request_concurrency = 2000
    request = run_v2.UpdateServiceRequest(service=service, validate_only=validate_only)
    with pytest.raises(exceptions.InvalidArgument) as refused:
        services.update_service(request=request).result()
    assert "max_instance_request_concurrency" in str(refused.value)
    assert services.get_service(name=name).generation == generation


@pytest.mark.sandbox
def test_fix_says_cloud_run_refused_the_setting(sandbox: Sandbox, tmp_path: Path) -> None:
    """revinput60 F2: "dry run accepted (exit 0)" for concurrency 2000, and `fix` deployed it.
    SPEC: `--dry-run` exits 2 when the server rejects the validation; `fix` 4, nothing changed."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "staging.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  web:\n"
        "    settings:\n      concurrency: 2000\n"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    before = sandbox.service("acme-chat-staging", "web")
    for args, code in ((("--dry-run",), 2), (("--no-verify",), 4)):
        done = drift("fix", "staging", "--yes", *args, env=env, cwd=tmp_path, timeout=120)
        out = done.stdout + done.stderr
        assert done.returncode == code, out
        assert "max_instance_request_concurrency: Invalid value specified for concurrency" in out
        assert "nothing was changed" in out, out
    after = sandbox.service("acme-chat-staging", "web")
    assert after.template == before.template and after.generation == before.generation
