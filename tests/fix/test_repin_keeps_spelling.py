"""helper-609 F6: a repin (the profile pins another version of the secret the variable names
already) was written in the profile's spelling of the secret's project, not the workload's:
a reference by number (`projects/600000000002/secrets/…`) became one by id, and an own-project
reference by id (`projects/fix-lab/secrets/db`, what Terraform's
`google_secret_manager_secret.id` writes) became the short `db` — the same secret, but a
change the plan does not name (Cloud Run keeps the string as sent: run v2
SecretKeySelector.secret, "{secret_name} if the secret is in the same project.
projects/{project}/secrets/{secret_name} if the secret is in a different project"), which a
Terraform plan then shows. The write now keeps the workload's spelling, the version alone
changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.check.test_secret_container_order import app_lab
from tests.fix.conftest import LAB, reading
from tests.fix.sidecar_lab import run

ACCOUNT = "555000111444-compute@developer.gserviceaccount.com"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    '      PARTNER: {secret: shared-token, project: acme-shared, version: "2"}\n'
    '      DB: {secret: db, version: "2"}\n'
    "      MODE: b\n"
)


def _ref(secret: str) -> dict[str, Any]:
    return {"secretKeyRef": {"secret": secret, "version": "1"}}


def _world() -> dict[str, Any]:
    app = {
        "name": "app",
        "image": "us-docker.pkg.dev/lab/app:v1",
        "ports": [{"containerPort": 8080}],
        "env": [
            {"name": "PARTNER", "valueSource": _ref("projects/600000000002/secrets/shared-token")},
            {"name": "DB", "valueSource": _ref(f"projects/{LAB}/secrets/db")},
            {"name": "MODE", "value": "a"},
        ],
    }
    secrets = {"db": {"versions": ["db-value-one-aaaa", "db-value-two-bbbb"]}}
    world = app_lab(ACCOUNT, secrets, {"template": {"containers": [app]}})
    world["projects"]["acme-shared"] = {
        "number": 600000000002,
        "region": "us-central1",
        "secrets": {
            "shared-token": {
                "versions": ["shared-one-cccc", "shared-two-dddd"],
                "iam": reading(ACCOUNT),
            }
        },
    }
    return world


def test_a_repin_keeps_how_the_workload_spells_the_secrets_project(tmp_path: Path) -> None:
    with Sandbox(_world()) as sandbox:
        done = run(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes")
        assert done.returncode == 0, done.stdout + done.stderr
        service = sandbox.service(LAB, "app")
    (app,) = service.template.containers
    refs = {
        v.name: (v.value_source.secret_key_ref.secret, v.value_source.secret_key_ref.version)
        for v in app.env
        if v.value_source.secret_key_ref.secret
    }
    assert refs == {
        "PARTNER": ("projects/600000000002/secrets/shared-token", "2"),
        "DB": (f"projects/{LAB}/secrets/db", "2"),
    }, refs
    assert [(v.name, v.value) for v in app.env if v.value] == [("MODE", "b")]
