"""revrows: catalogue rows on the paths they were least tried on. Each test FAILS on main
(reviewer repro; see /work/notes/reports/revrows.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cliutil import drift
from tests.conftest import MakeSandbox

RUNNER = "runner@p.iam.gserviceaccount.com"
KEY = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"
GPU_CONTAINER = {
    "name": "app",
    "image": "example.com/app:1",
    "resources": {"limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}},
}


def _job_world(template: dict[str, Any]) -> dict[str, Any]:
    job = {"template": {"api": {"serviceAccount": RUNNER, **template}}}
    project = {"number": 3, "region": "us-central1", "jobs": {"app": job}, "services": {}}
    return {"options": {"seed": 3}, "projects": {"p": project}}


def _run(sandbox: Any, tmp: Path, settings: str, *args: str) -> Any:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "lab.yaml").write_text(
        f"project: p\nregion: us-central1\njobs:\n  app:\n    settings:\n{settings}"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp / "profiles")}
    return drift(*args, env=env, cwd=tmp, timeout=120)


def test_a_jobs_explicit_gpu_zonal_redundancy_false_survives_the_yaml_plan_and_manifest(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """TaskTemplate.gpu_zonal_redundancy_disabled is `optional bool` (presence tracked), and
    for a job drift judges only a value that is set (`_job_default_unknown`: the default for
    a GPU job is not documented). `drift fix` writes an explicit false; the YAML plan of the
    same change drops it (drift/fix/knative/pod.py:85 writes only "true"), and a job
    manifest that says "false" is read as unset (pod.py:266 sets only on "true")."""
    sandbox = make_sandbox(
        _job_world(
            {
                "nodeSelector": {"accelerator": "nvidia-l4"},
                "gpuZonalRedundancyDisabled": True,
                "containers": [GPU_CONTAINER],
            }
        )
    )
    settings = "      gpu_zonal_redundancy_disabled: false\n"
    plan = _run(sandbox, tmp_path, settings, "plan", "lab", "--format", "yaml", "-o", "job.yaml")
    assert plan.returncode == 1, plan.stdout + plan.stderr
    text = (tmp_path / "job.yaml").read_text()
    assert "set gpu_zonal_redundancy_disabled = false" in text
    checked = _run(sandbox, tmp_path, settings, "check", "lab", "--manifest", "job.yaml")
    # the plan says it sets false; checking the file it wrote must not say the job leaves
    # it unset (exit 3 "the job does not set gpu_zonal_redundancy_disabled")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"run.googleapis.com/gpu-zonal-redundancy-disabled": "false"' in text, text


def test_a_job_manifest_stating_gpu_zonal_redundancy_false_is_read_as_stated(
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
            image: example.com/app:1
            resources:
              limits: {cpu: "4", memory: 16Gi, nvidia.com/gpu: "1"}
"""
    )
    settings = "      gpu_zonal_redundancy_disabled: false\n"
    done = _run(sandbox, tmp_path, settings, "check", "lab", "--manifest", "job.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gcloud_script_never_clears_a_jobs_key_with_a_flag_gcloud_has_not(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """gcloud 528 `run jobs update` (every track) refuses `--clear-key`: surface/run/jobs/
    update.py calls `flags.AddCmekKeyFlag(parser, with_clear=False)`, and the current
    reference of `gcloud run jobs update` lists `--key=KEY` only. The script `plan --format
    gcloud` prints ("safe to run as is", `set -euo pipefail`) stops at that line."""
    sandbox = make_sandbox(
        _job_world({"encryptionKey": KEY, "containers": [{"name": "app", "image": "x.io/a:1"}]})
    )
    done = _run(sandbox, tmp_path, "      encryption_key: none\n", "plan", "lab", "-f", "gcloud")
    assert done.returncode == 1, done.stdout + done.stderr
    commands = done.stdout.replace("\\\n", " ").splitlines()
    run = [c for c in commands if c.startswith("gcloud ") and " jobs update " in c]
    assert not any("--clear-key" in c for c in run), done.stdout


def test_compare_flags_a_direct_vpc_network_or_key_of_the_other_environments_project(
    tmp_path: Path,
) -> None:
    """compare flags a vpc_connector naming the other environment's project (value.foreign,
    drift/compare/rules.py:297 `for key in ("service_account", "vpc_connector")`); the rows
    added since (vpc_network, vpc_subnet, encryption_key) name a project as well, and
    staging egressing into prod's VPC, or encrypting with prod's key, is "equivalent"."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text(
        "project: acme-staging\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        "      vpc_network: projects/acme-prod/global/networks/prod-vpc\n"
        "      vpc_subnet: projects/acme-prod/regions/us-central1/subnetworks/prod-run\n"
        "      encryption_key: projects/acme-prod/locations/us-central1/keyRings/prod/"
        "cryptoKeys/images\n"
    )
    (profiles / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        "      vpc_network: prod-vpc\n      vpc_subnet: prod-run\n"
        "      encryption_key: projects/acme-prod/locations/us-central1/keyRings/prod/"
        "cryptoKeys/images\n"
    )
    done = drift("compare", "staging", "prod", "--profiles", str(profiles), "-f", "json")
    found = {d["target"] for d in json.loads(done.stdout)["differences"]}
    assert {"setting.vpc_network", "setting.vpc_subnet", "setting.encryption_key"} <= found, (
        done.stdout
    )
