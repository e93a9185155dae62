"""A job's explicit `gpu_zonal_redundancy_disabled: false` through the Knative YAML, both ways.
TaskTemplate.gpu_zonal_redundancy_disabled is `optional bool` ("This field is a member of
`oneof` `_gpu_zonal_redundancy_disabled`": presence is tracked), and for a job drift judges
only a value that is set (drift/fields/hardware.py `_job_default_unknown`: the default for a
GPU job is not documented). So the YAML plan writes an explicit false as "false" and
`--manifest` reads "false" as set. A service's unset value reads as not disabled, so a
service's false stays unwritten (revrows F1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.fix.knative.conversion import Conversion
from drift.fix.knative.job import job_in, job_out
from drift.fix.knative.keys import GPU_ZONAL_REDUNDANCY_DISABLED
from drift.fix.knative.service import service_out
from tests.cliutil import drift
from tests.conftest import MakeSandbox

RUNNER = "runner@p.iam.gserviceaccount.com"
GPU_CONTAINER = {
    "name": "app",
    "image": "us-docker.pkg.dev/example/app:1",
    "resources": {"limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}},
}
SETTINGS = "      gpu_zonal_redundancy_disabled: false\n"


def _job_world(template: dict[str, Any]) -> dict[str, Any]:
    job = {"template": {"api": {"serviceAccount": RUNNER, **template}}}
    project = {"number": 3, "region": "us-central1", "jobs": {"app": job}, "services": {}}
    return {"options": {"seed": 3}, "projects": {"p": project}}


def _run(sandbox: Any, tmp: Path, *args: str) -> Any:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "lab.yaml").write_text(
        f"project: p\nregion: us-central1\njobs:\n  app:\n    settings:\n{SETTINGS}"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp / "profiles")}
    return drift(*args, env=env, cwd=tmp, timeout=120)


@pytest.mark.sandbox
def test_a_jobs_explicit_false_survives_the_yaml_plan_and_its_manifest_check(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift fix` writes an explicit false; the YAML plan of the same change wrote none
    (pod.py wrote only "true"), so checking the file it wrote said the job leaves it unset
    (exit 3)."""
    sandbox = make_sandbox(
        _job_world(
            {
                "nodeSelector": {"accelerator": "nvidia-l4"},
                "gpuZonalRedundancyDisabled": True,
                "containers": [GPU_CONTAINER],
            }
        )
    )
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "yaml", "-o", "job.yaml")
    assert plan.returncode == 1, plan.stdout + plan.stderr
    text = (tmp_path / "job.yaml").read_text()
    assert "set gpu_zonal_redundancy_disabled = false" in text
    assert 'run.googleapis.com/gpu-zonal-redundancy-disabled: "false"' in text, text
    checked = _run(sandbox, tmp_path, "check", "lab", "--manifest", "job.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.sandbox
def test_a_job_manifest_stating_false_is_read_as_stated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(
        _job_world({"nodeSelector": {"accelerator": "nvidia-l4"}, "containers": [GPU_CONTAINER]})
    )
    (tmp_path / "job.yaml").write_text(
        """\
apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: app
  namespace: p
  labels:
    cloud.googleapis.com/location: us-central1
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/gpu-zonal-redundancy-disabled: "false"
    spec:
      template:
        spec:
          serviceAccountName: runner@p.iam.gserviceaccount.com
          nodeSelector:
            run.googleapis.com/accelerator: nvidia-l4
          containers:
          - name: app
            image: us-docker.pkg.dev/example/app:1
            resources:
              limits: {cpu: "4", memory: 16Gi, nvidia.com/gpu: "1"}
"""
    )
    done = _run(sandbox, tmp_path, "check", "lab", "--manifest", "job.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def _job(redundancy_off: bool | None) -> Any:
    from google.cloud import run_v2

    task = run_v2.TaskTemplate(node_selector=run_v2.NodeSelector(accelerator="nvidia-l4"))
    if redundancy_off is not None:
        task.gpu_zonal_redundancy_disabled = redundancy_off
    return run_v2.Job(
        name="projects/p/locations/us-central1/jobs/app",
        template=run_v2.ExecutionTemplate(template=task),
    )


@pytest.mark.parametrize("redundancy_off", [None, False, True])
def test_a_jobs_presence_round_trips_through_knative(redundancy_off: bool | None) -> None:
    doc = job_out(Conversion(), _job(redundancy_off), project="p", region="us-central1")
    ann = doc["spec"]["template"]["metadata"].get("annotations") or {}
    written = {None: None, False: "false", True: "true"}[redundancy_off]
    assert ann.get(GPU_ZONAL_REDUNDANCY_DISABLED) == written
    task = job_in(doc, region="us-central1").template.template
    assert ("gpu_zonal_redundancy_disabled" in task) is (redundancy_off is not None)
    assert task.gpu_zonal_redundancy_disabled is bool(redundancy_off)


def test_a_services_false_stays_unwritten() -> None:
    """RevisionTemplate's unset reads as not disabled ("By default, zonal redundancy is
    turned on for GPUs"): a service's YAML is as before."""
    from google.cloud import run_v2

    template = run_v2.RevisionTemplate(gpu_zonal_redundancy_disabled=False)
    service = run_v2.Service(
        name="projects/p/locations/us-central1/services/app", template=template
    )
    doc = service_out(Conversion(), service, project="p", region="us-central1")
    assert GPU_ZONAL_REDUNDANCY_DISABLED not in (
        doc["spec"]["template"]["metadata"].get("annotations") or {}
    )
