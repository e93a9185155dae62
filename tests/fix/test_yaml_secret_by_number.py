"""helper-546 F1: `drift plan --format yaml` named a secret of another project by the project's
id in the `run.googleapis.com/secrets` annotation, where the Cloud Run YAML reference has
`SECRET_LOOKUP_NAME:projects/PROJECT_NUMBER/secrets/SECRET_NAME` (and gcloud, which the
gcloud script follows, takes a number only: secrets_mapping.py). The YAML now names it by the
number the read learnt (one GetProject), as the script does; where no number was learnt, the
document says so and is not appliable, never one with a form the reference does not give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.fix.knative import to_knative
from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run

ACCOUNT = "serviceAccount:555000111444-compute@developer.gserviceaccount.com"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    '      PARTNER: {secret: shared-token, project: acme-shared, version: "1"}\n'
)


def _world() -> dict[str, Any]:
    service = {
        "client": "gcloud",
        "client_version": "467.0.0",
        "template": {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080},
    }
    reader = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    return {
        "options": {"seed": 7},
        "projects": {
            LAB: {"number": 555000111444, "region": "us-central1", "services": {"app": service}},
            "acme-shared": {
                "number": 600000000002,
                "region": "us-central1",
                "secrets": {"shared-token": {"versions": ["fake-shared-1"], "iam": reader}},
            },
        },
    }


def _document(text: str) -> dict[str, Any]:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    doc: dict[str, Any] = yaml.safe_load(body)
    return doc


def test_the_yaml_names_another_projects_secret_by_number(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    reseedable.reset(_world())
    script = run(reseedable, tmp_path, PROFILE, "plan", "lab", "--format", "gcloud").stdout
    assert "PARTNER=projects/600000000002/secrets/shared-token:1" in script
    text = run(reseedable, tmp_path, PROFILE, "plan", "lab", "--format", "yaml").stdout
    doc = _document(text)
    annotation = doc["spec"]["template"]["metadata"]["annotations"]["run.googleapis.com/secrets"]
    assert annotation.endswith(":projects/600000000002/secrets/shared-token"), annotation
    assert "acme-shared" not in annotation
    assert "driftNotAppliable" not in doc
    assert "fake-shared-1" not in text


@pytest.mark.parametrize("numbers", [{}, {"acme-shared": "600000000002"}])
def test_without_the_number_the_document_is_not_appliable(numbers: dict[str, str]) -> None:
    """The number is learnt from a GetProject or from Secret Manager's own names; where
    neither told it, the conversion says why the document is not appliable."""
    from google.cloud import run_v2

    ref = run_v2.SecretKeySelector(secret="projects/acme-shared/secrets/shared-token", version="1")
    var = run_v2.EnvVar(name="PARTNER", value_source=run_v2.EnvVarSource(secret_key_ref=ref))
    container = run_v2.Container(name="app", image="us-docker.pkg.dev/lab/app:v1", env=[var])
    service = run_v2.Service(
        name=f"projects/{LAB}/locations/us-central1/services/app",
        template=run_v2.RevisionTemplate(containers=[container]),
    )
    exported = to_knative(service, project=LAB, region="us-central1", numbers=numbers)
    annotations = exported.document["spec"]["template"]["metadata"]["annotations"]
    if numbers:
        assert exported.conversion.exact, exported.conversion.inexact
        assert (
            "projects/600000000002/secrets/shared-token"
            in annotations["run.googleapis.com/secrets"]
        )
    else:
        (why,) = exported.conversion.inexact
        assert why.startswith("projects/acme-shared/secrets/shared-token names its project by id")
