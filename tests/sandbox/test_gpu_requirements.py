"""The sandbox refuses (INVALID_ARGUMENT, as the real API) a GPU on an instance Cloud Run
documents cannot take one (cloud.google.com/run/docs/configuring/services/gpu, …/jobs/gpu,
…/workerpools/gpu): one GPU, in one container; at least 4 CPU and 16 GiB (20 CPU and 80 GiB
for nvidia-rtx-pro-6000); a service's CPU always allocated (instance-based billing). A `drift
fix` that adds a GPU to a small instance is refused there as on Cloud Run, and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest

from drift.sandbox.names import RpcError
from drift.sandbox.pb import TaskTemplatePb, TemplatePb
from tests.conftest import MakeSandbox
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


def test_a_fix_adding_a_gpu_to_a_small_service_is_refused_and_says_why(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "cpu": "1", "memory": "512Mi"}))
    _profile(tmp_path, "      gpu_type: nvidia-l4\n")
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    assert done.returncode not in (0, 1), out
    assert "app" in out and "minimum of 4 CPU and 16Gi" in out, out
    assert "Traceback" not in out
    assert not sandbox.service(LAB, "app").template.node_selector.accelerator
