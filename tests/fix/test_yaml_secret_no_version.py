"""helper-617 F4: an env variable's secret reference written with no version (the google
provider makes `version` optional; sandbox option `empty_secret_version: kept`) became
`secretKeyRef: {name: …, key: ""}` in `drift plan --format yaml`, a document offered to
`gcloud run services|jobs replace` although the v1 schema's SecretKeySelector.key is "Required.
A Cloud Secret Manager secret version. Must be 'latest' for the latest version, an integer for
a specific version, or a version alias." A reference with none reads the latest (drift reads it
so: `SecretRef.parse`), so the YAML names `latest`."""

from __future__ import annotations

import pytest

from drift.fix.knative import to_knative
from tests.fix.conftest import LAB


@pytest.mark.parametrize(("version", "key"), [("", "latest"), ("3", "3"), ("prod", "prod")])
def test_the_yaml_names_the_version_an_instance_reads(version: str, key: str) -> None:
    from google.cloud import run_v2

    ref = run_v2.SecretKeySelector(secret="token", version=version)
    var = run_v2.EnvVar(name="TOKEN", value_source=run_v2.EnvVarSource(secret_key_ref=ref))
    container = run_v2.Container(name="app", image="us-docker.pkg.dev/lab/app:v1", env=[var])
    service = run_v2.Service(
        name=f"projects/{LAB}/locations/us-central1/services/app",
        template=run_v2.RevisionTemplate(containers=[container]),
    )
    exported = to_knative(service, project=LAB, region="us-central1", numbers={})
    (out,) = exported.document["spec"]["template"]["spec"]["containers"]
    (env,) = out["env"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": "token", "key": key}, env
