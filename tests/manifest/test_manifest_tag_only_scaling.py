"""helper-549 F3: a Knative YAML of a no-traffic deploy (the named revision keeps 100 %, LATEST
gets 0 % under the tag e2e) with service-level minScale/maxScale: the revision the deploy
creates is reached only through its tag, so it runs with its own bounds (none), not the
service's ("Tagged revisions are started, but only count toward the service-level minimum
instances if they are a part of a traffic split", min-instances page; the max-instances page
says the same of the maximum), as the live check of that deploy reads it
(tests/check/test_tagged_outside_service_scaling.py). The manifest check was clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.manifest.conftest import check_offline

PROFILE = (
    "project: acme-prod\nregion: us-central1\nservices:\n  api:\n"
    "    settings:\n      min_instances: 2\n      max_instances: 10\n"
)


def _manifest(latest_percent: int) -> str:
    return f"""\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  namespace: acme-prod
  labels: {{cloud.googleapis.com/location: us-central1}}
  annotations:
    run.googleapis.com/minScale: "2"
    run.googleapis.com/maxScale: "10"
spec:
  template:
    spec:
      containers:
      - image: gcr.io/acme/api:1
  traffic:
  - revisionName: api-00001-old
    percent: {100 - latest_percent}
  - latestRevision: true
    percent: {latest_percent}
    tag: e2e
"""


@pytest.mark.parametrize(("latest", "judged"), [(0, {"0", "100"}), (10, set())])
def test_the_created_revision_outside_the_split_has_its_own_bounds(
    tmp_path: Path, latest: int, judged: set[str]
) -> None:
    done = check_offline(tmp_path, PROFILE, ("m.yaml", _manifest(latest)))
    findings = json.loads(done.stdout)["findings"]
    seen = {f["actual"] for f in findings if f["target"].endswith("_instances")}
    assert seen == judged, findings
