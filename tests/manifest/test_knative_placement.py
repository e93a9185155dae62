"""An annotation standing for a setting, written at a level of the document where Cloud Run
does not take it (a revision's `autoscaling.knative.dev/maxScale` in the service's metadata,
the service's `run.googleapis.com/ingress` in the revision template's): the conversion reads
annotations where the Cloud Run YAML reference puts them
(https://cloud.google.com/run/docs/reference/yaml/v1: `metadata.annotations` of a Service,
`spec.template.metadata.annotations` of its revision, of a Job's execution), so such a one
was passed over, the setting read as its default, and the check said "no drift" of a file
stating another value. Whatever Cloud Run makes of it (refuses the deploy, or applies it),
the setting it stands for is not verified, at the annotation's `file:line` (revman91 F1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.manifest.conftest import check_offline, read

HEAD = """\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  namespace: acme-prod
  labels: {cloud.googleapis.com/location: us-central1}
"""
BODY = """\
spec:
  template:
{template}    spec:
      containers:
      - image: gcr.io/acme/api:1
"""


def _service(service_annotations: str = "", template_annotations: str = "") -> str:
    head = HEAD + (f"  annotations:\n{service_annotations}" if service_annotations else "")
    template = (
        f"    metadata:\n      annotations:\n{template_annotations}" if template_annotations else ""
    )
    return head + BODY.format(template=template)


PROFILE = """\
project: acme-prod
region: us-central1
services:
  api:
    settings:
{settings}"""


def _unverified(tmp_path: Path, settings: str, manifest: str) -> dict[str, str]:
    done = check_offline(tmp_path, PROFILE.format(settings=settings), ("m.yaml", manifest))
    assert "Traceback" not in done.stderr, done.stderr
    doc = json.loads(done.stdout)
    assert [f for f in doc["findings"] if not f["ignored"]] == [], doc["findings"]
    assert done.returncode == 3, (done.returncode, done.stdout)
    return {u["target"]: " ".join(u["reason"].split()) for u in doc["unverified"]}


@pytest.mark.parametrize(
    ("settings", "service", "template", "target", "line"),
    [
        pytest.param(
            "      max_instances: 100\n",
            '    autoscaling.knative.dev/maxScale: "3"\n',
            "",
            "setting.max_instances",
            8,
            id="revision-scale-in-service-metadata",
        ),
        pytest.param(
            "      cpu_throttling: true\n",
            '    run.googleapis.com/cpu-throttling: "false"\n',
            "",
            "setting.cpu_throttling",
            8,
            id="cpu-allocation-in-service-metadata",
        ),
        pytest.param(
            '      vpc_connector: ""\n',
            "    run.googleapis.com/vpc-access-connector: projects/p/locations/r/connectors/c\n",
            "",
            "setting.vpc_connector",
            8,
            id="connector-in-service-metadata",
        ),
        pytest.param(
            "      ingress: all\n",
            "",
            "        run.googleapis.com/ingress: internal\n",
            "setting.ingress",
            11,
            id="ingress-in-revision-template",
        ),
        pytest.param(
            "      min_instances: 0\n",
            "",
            '        run.googleapis.com/minScale: "2"\n',
            "setting.min_instances",
            11,
            id="service-scale-in-revision-template",
        ),
    ],
)
def test_a_setting_annotation_at_the_other_level_is_not_verified_never_clean(
    tmp_path: Path, settings: str, service: str, template: str, target: str, line: int
) -> None:
    reasons = _unverified(tmp_path, settings, _service(service, template))
    assert set(reasons) == {target}, reasons
    key = (service or template).split(":")[0].strip()
    assert f"m.yaml:{line}: {key}" in reasons[target], reasons[target]
    place = "metadata.annotations" if service else "spec.template.metadata.annotations"
    assert place in reasons[target]


def test_a_secrets_alias_annotation_in_the_service_metadata_leaves_references_unverified(
    tmp_path: Path,
) -> None:
    """The aliases of `run.googleapis.com/secrets` are the revision's: in the service's
    metadata the alias was read as a secret of the service's own project."""
    manifest = _service(
        "    run.googleapis.com/secrets: shared:projects/600000000002/secrets/partner\n"
    ) + (
        "        env:\n        - name: KEY\n          valueFrom:\n"
        "            secretKeyRef: {name: shared, key: latest}\n"
    )
    (workload,) = read(manifest).workloads
    (unknown,) = [u for u in workload.unknown if u.target == "env.*"]
    assert "m.yaml:8: run.googleapis.com/secrets" in unknown.why
    assert any(u.target == "mount.*" for u in workload.unknown)


def test_annotations_where_the_reference_puts_them_leave_nothing_unknown() -> None:
    manifest = _service(
        '    run.googleapis.com/minScale: "1"\n    run.googleapis.com/ingress: internal\n',
        '        autoscaling.knative.dev/maxScale: "3"\n'
        '        run.googleapis.com/cpu-throttling: "false"\n',
    )
    (workload,) = read(manifest).workloads
    assert workload.unknown == ()


JOB = """\
apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: export
  annotations:
    run.googleapis.com/execution-environment: gen1
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/vpc-access-egress: all-traffic
    spec:
      template:
        spec:
          containers:
          - image: gcr.io/acme/export:1
"""


def test_a_jobs_execution_annotation_in_the_job_metadata_is_not_verified() -> None:
    """A Job's execution environment is its execution template's annotation (Cloud Run YAML
    reference, job: spec.template.metadata.annotations)."""
    (workload,) = read(JOB).workloads
    assert [u.target for u in workload.unknown] == ["setting.execution_environment"]
    assert "m.yaml:6: run.googleapis.com/execution-environment" in workload.unknown[0].why


POOL = """\
apiVersion: run.googleapis.com/v1
kind: WorkerPool
metadata:
  name: consumer
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/scalingMode: manual
        run.googleapis.com/manualInstanceCount: '4'
    spec:
      containers:
      - image: us-docker.pkg.dev/cloudrun/container/worker-pool:latest
"""


def test_a_pools_instance_count_in_its_template_is_not_verified() -> None:
    """A WorkerPool's instance count is its own metadata's annotation (Cloud Run YAML
    reference, worker pool: metadata.annotations run.googleapis.com/manualInstanceCount): in
    the template it read as the default of one manual instance."""
    (workload,) = read(POOL).workloads
    assert {u.target for u in workload.unknown} == {
        "setting.manual_instances",
        "setting.instance_count",
    }
    whys = [u.why for u in workload.unknown if u.target == "setting.instance_count"]
    assert any("m.yaml:10: run.googleapis.com/manualInstanceCount" in w for w in whys), whys
