"""The sandbox refuses (INVALID_ARGUMENT, as the real API) a GPU on an instance Cloud Run
documents cannot take one (cloud.google.com/run/docs/configuring/services/gpu, …/jobs/gpu,
…/workerpools/gpu): one GPU, in one container; at least 4 CPU and 16 GiB (20 CPU and 80 GiB
for nvidia-rtx-pro-6000); a service's CPU always allocated (instance-based billing). `drift
plan` says so beforehand (a manual step naming the service and what Cloud Run requires), and
`drift fix` never sends such a write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox.names import RpcError
from drift.sandbox.pb import TaskTemplatePb, TemplatePb
from tests.conftest import ClientsFor, MakeSandbox
from tests.fields.test_hardware_settings import IMAGE, _profile, _run
from tests.fix.conftest import LAB, lab_world


def _template(cpu: str, memory: str, *, gpu: str = "1", idle: bool = False, **more: Any) -> Any:
    limits = {"cpu": cpu, "memory": memory, **({"nvidia.com/gpu": gpu} if gpu else {})}
    container = {"image": IMAGE, "resources": {"limits": limits, "cpu_idle": idle}}
    return {"containers": [container], "node_selector": {"accelerator": "nvidia-l4"}, **more}


def _check(template: dict[str, Any], *, serves: bool = True) -> None:
    from drift.sandbox.gpu import validate_gpu
    from drift.sandbox.validate import instance_size

    pb = TemplatePb(**template) if serves else TaskTemplatePb(**template)
    validate_gpu(pb, serves=serves, size=instance_size)


@pytest.mark.parametrize(
    ("template", "serves", "says"),
    [
        (_template("1", "512Mi"), True, "minimum of 4 CPU and 16Gi"),
        (_template("4", "8Gi"), True, "minimum of 4 CPU and 16Gi"),
        (_template("2", "16Gi"), False, "minimum of 4 CPU and 16Gi"),
        (_template("4", "16Gi", idle=True), True, "instance-based billing"),
        (_template("4", "16Gi", gpu="2"), True, "one GPU per instance"),
        (
            {**_template("8", "32Gi"), "node_selector": {"accelerator": "nvidia-rtx-pro-6000"}},
            True,
            "minimum of 20 CPU and 80Gi",
        ),
    ],
)
def test_a_gpu_on_an_instance_that_cannot_take_it_is_refused(
    template: dict[str, Any], serves: bool, says: str
) -> None:
    with pytest.raises(RpcError) as refused:
        _check(template, serves=serves)
    assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert says in str(refused.value), refused.value


def test_what_the_pages_allow_is_taken() -> None:
    _check(_template("4", "16Gi"))
    _check(_template("4", "16Gi", idle=True), serves=False)  # a job has no billing choice
    _check({"containers": [{"image": IMAGE}]})  # no GPU: nothing asked


@pytest.mark.parametrize("validate_only", [True, False], ids=["dry-run", "write"])
def test_update_service_adding_a_gpu_to_a_small_instance_is_invalid_argument(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, validate_only: bool
) -> None:
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "cpu": "1", "memory": "512Mi"}))
    services = clients_for(sandbox).services
    name = f"projects/{LAB}/locations/us-central1/services/app"
    service = services.get_service(name=name)
    generation = service.generation
    service.template.node_selector = run_v2.NodeSelector(accelerator="nvidia-l4")
    service.template.containers[0].resources.limits["nvidia.com/gpu"] = "1"
    request = run_v2.UpdateServiceRequest(service=service, validate_only=validate_only)
    with pytest.raises(exceptions.InvalidArgument) as refused:
        services.update_service(request=request).result()
    assert "minimum of 4 CPU and 16Gi" in str(refused.value), refused.value
    assert services.get_service(name=name).generation == generation  # nothing was written


def _plan(sandbox: Any, tmp_path: Path) -> Any:
    import json

    done = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    return done, json.loads(done.stdout)


def test_plan_says_beforehand_that_the_instance_cannot_take_the_gpu(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "cpu": "1", "memory": "512Mi"}))
    _profile(tmp_path, "      gpu_type: nvidia-l4\n")
    done, plan = _plan(sandbox, tmp_path)
    (service,) = plan["services"]
    assert service["settings"] == [], plan
    (step,) = service["manual"]
    assert step["target"] == "setting.gpu_type", step
    for words in ("app:", "at least 4 CPU (it has 1)", "at least 16Gi", "CPU always allocated"):
        assert words in step["reason"], step["reason"]
    fixed = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert "INVALID_ARGUMENT: template" not in fixed.stdout + fixed.stderr  # never sent
    assert not [c for c in sandbox.calls if c.short == "UpdateService"]


def test_the_profile_stating_what_a_gpu_requires_is_fixed_in_one_go(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "cpu": "1", "memory": "512Mi"}))
    _profile(
        tmp_path,
        "      gpu_type: nvidia-l4\n      cpu: 4\n      memory: 16Gi\n"
        "      cpu_throttling: false\n",
    )
    _, plan = _plan(sandbox, tmp_path)
    assert plan["services"][0]["manual"] == [], plan
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sandbox.service(LAB, "app").template.node_selector.accelerator == "nvidia-l4"


def test_a_bigger_gpu_type_on_a_small_gpu_instance_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    template = {"image": IMAGE, "cpu": "4", "memory": "16Gi", "cpu_throttling": False}
    api = {"nodeSelector": {"accelerator": "nvidia-l4"}}
    sandbox = make_sandbox(lab_world(template={**template, "api": api}))
    _profile(tmp_path, "      gpu_type: nvidia-rtx-pro-6000\n")
    _, plan = _plan(sandbox, tmp_path)
    (step,) = plan["services"][0]["manual"]
    assert "at least 20 CPU (it has 4)" in step["reason"], step
