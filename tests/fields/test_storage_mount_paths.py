"""A bucket or share no live volume holds gets a new volume mounted at `/mnt/NAME`
(drift/fields/storage.py `_write`): NAME is one no volume has and no path the container mounts
at already. A container's mount paths are unique — Cloud Run's API is Knative serving's, whose
`validateVolumeMounts` (knative/serving pkg/apis/serving/k8s_validation.go) refuses a mountPath
seen before, once cleaned, as "must be unique" (the sandbox refuses it too) — so a volume the
team mounts at `/mnt/gcs` under another name made the canary a second mount at `/mnt/gcs`: a
revision Cloud Run refuses, while the plan said the bucket would be mounted there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import run as _run
from tests.fields.labrun import volumes_world, workload_profile
from tests.fields.test_storage_volumes import (
    MODELS,
    STAGING,
    STAGING_NFS,
    _gcs,
    _nfs,
    _service,
    _volumes,
)
from tests.fix.conftest import LAB

PROD_NFS = "10.0.0.2:/prod"


@pytest.mark.parametrize(
    ("held", "line", "added"),
    [
        (_gcs("uploads", STAGING), f"storage_buckets: [{STAGING}, {MODELS}]", ("gcs-1", MODELS)),
        (_nfs("exports", PROD_NFS), f"nfs_shares: [{PROD_NFS}, {STAGING_NFS}]", ("nfs-1", None)),
    ],
)
def test_a_new_volume_is_mounted_where_the_container_mounts_nothing_yet(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    held: dict[str, Any],
    line: str,
    added: tuple[str, str | None],
) -> None:
    kind = "gcs" if "gcs" in held else "nfs"
    # the team's own volume, under another name, at the path drift would choose first
    sandbox = make_sandbox(_service([held], [(held["name"], f"/mnt/{kind}/")], []))
    done = _run(sandbox, tmp_path, f"      {line}\n", "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    volumes, mounts = _volumes(sandbox.service(LAB, "app").template)
    name, bucket = added
    assert [v for v, _ in volumes] == [held["name"], name], volumes
    if bucket:
        assert volumes[1][1][0] == bucket, volumes
    assert mounts["app"] == [(held["name"], f"/mnt/{kind}/"), (name, f"/mnt/{name}")], mounts


def test_a_pools_new_volume_is_mounted_where_its_container_mounts_nothing_yet(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    # the consumer (the container the profile describes) mounts its bucket at /mnt/gcs
    volumes = [_gcs("data", STAGING)]
    sandbox = make_sandbox(volumes_world(volumes, [{"name": "data", "mountPath": "/mnt/gcs"}]))
    text = workload_profile("worker_pools", f"storage_buckets: [{STAGING}, {MODELS}]")
    done = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    volumes_now, mounts = _volumes(sandbox.worker_pool("p", "pool").template)
    assert volumes_now == [("data", (STAGING, False, [])), ("gcs-1", (MODELS, False, []))]
    assert mounts["consumer"] == [("data", "/mnt/gcs"), ("gcs-1", "/mnt/gcs-1")], mounts
