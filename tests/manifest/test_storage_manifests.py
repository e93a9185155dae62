"""`storage_buckets` and `nfs_shares` read from what is about to run (drift/fields/storage.py):
a Knative export's `volumes[].csi` (driver gcsfuse.run.googleapis.com, `volumeAttributes.
bucketName`) and `volumes[].nfs`, checked against a profile with `--manifest`; a Terraform
plan's `template.volumes[*].gcs` / `.nfs` of a service and `template.template.volumes` of a
job."""

from __future__ import annotations

import json
from pathlib import Path

from drift.kinds import Kind
from drift.live.normalize import revision_config
from tests.manifest.conftest import MINIMAL, check_offline, findings_of, read
from tests.manifest.test_terraform import dumps, plan

VOLUMES = """\
        volumeMounts:
        - name: uploads
          mountPath: /data
        - name: shared
          mountPath: /srv
      volumes:
      - name: uploads
        csi:
          driver: gcsfuse.run.googleapis.com
          readOnly: true
          volumeAttributes:
            bucketName: acme-prod-uploads
            mountOptions: implicit-dirs
      - name: shared
        nfs:
          server: 10.0.0.2
          path: /prod
"""
STAGING = """\
project: acme
region: us-central1
services:
  api:
    settings:
      storage_buckets: acme-staging-uploads
      nfs_shares: 10.0.0.3:/staging
"""


def test_a_knative_export_mounting_prods_bucket_and_share_is_drift(tmp_path: Path) -> None:
    export = MINIMAL + VOLUMES
    done = check_offline(tmp_path, STAGING, ("api.yaml", export))
    assert done.returncode == 1, done.stdout + done.stderr
    found = {f["target"]: f["actual"] for f in json.loads(done.stdout)["findings"]}
    assert found["setting.storage_buckets"] == "acme-prod-uploads:ro", found  # csi.readOnly
    assert found["setting.nfs_shares"] == "10.0.0.2:/prod:rw", found
    for bucket, share in (("", ""), (":ro", ":rw"), (":ro", "")):  # no mode: either
        clean = STAGING.replace("acme-staging-uploads", f"acme-prod-uploads{bucket}").replace(
            "10.0.0.3:/staging", f"10.0.0.2:/prod{share}"
        )
        again = check_offline(tmp_path, clean, ("api.yaml", export))
        targets = {t for _, t in findings_of(again)}
        assert not targets & {"setting.storage_buckets", "setting.nfs_shares"}, targets
    wrong = STAGING.replace("acme-staging-uploads", "acme-prod-uploads:rw").replace(
        "10.0.0.3:/staging", "10.0.0.2:/prod:ro"
    )
    found = {t for _, t in findings_of(check_offline(tmp_path, wrong, ("api.yaml", export)))}
    assert {"setting.storage_buckets", "setting.nfs_shares"} <= found, found


def test_a_terraform_plan_of_a_service_and_a_job_holds_their_buckets_and_shares() -> None:
    data = plan()
    volumes = [
        {"name": "data", "gcs": [{"bucket": "acme-prod-uploads", "read_only": True}]},
        {"name": "share", "nfs": [{"server": "10.0.0.2", "path": "/prod", "read_only": False}]},
    ]
    mounts = [{"name": "data", "mount_path": "/data"}, {"name": "share", "mount_path": "/s"}]
    changes = data["resource_changes"]
    for template in (
        changes[1]["change"]["after"]["template"][0],
        changes[4]["change"]["after"]["template"][0]["template"][0],
    ):  # each mounted: a volume no container mounts is not read (fields.ports.mounted)
        template["volumes"] = volumes
        template["containers"][0]["volume_mounts"] = mounts
    api, _, job = read(dumps(data), "plan.json").workloads
    for resource, template, kind in (
        (api.resource, api.resource.template, Kind.SERVICE),
        (job.resource, job.resource.template.template, Kind.JOB),
    ):
        settings = revision_config(template, service=resource, container=None, kind=kind).settings
        assert (settings["storage_buckets"], settings["nfs_shares"]) == (
            "acme-prod-uploads:ro",  # read_only
            "10.0.0.2:/prod:rw",
        )


def test_a_plans_unknown_read_only_flag_leaves_the_rows_unjudged() -> None:
    """`read_only` is part of the rows' value (its mode): unknown in a plan, it is not judged."""
    from drift.manifest.unknowns import settings_at

    for source, row in (("gcs", "storage_buckets"), ("nfs", "nfs_shares")):
        assert row in settings_at(("template", 0, "volumes", 1, source, 0, "read_only"), False)
        assert row in settings_at(
            ("template", 0, "template", 0, "volumes", 0, source, 0, "read_only"), True
        )
