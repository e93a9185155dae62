"""A plain copy of a secret's value whose whitespace changed (its space a newline or a tab) is
masked by `check`, the masker's search taking a run of whitespace for any other, but is no form
of the payload init looked for: it was written into the profile as it is (helper-784 W3). It
holds the secret as `redact.secret_pieces` finds it now (`[]`: in no form it names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.onboarding.test_init_secret_copies import REGION, init

TOKEN = "2qAKaQbyGJtUVtrSRAJ7"
ONE = f"https://api.acme-ws.io:443 {TOKEN}"
GRANT = {
    "roles/secretmanager.secretAccessor": ["serviceAccount:5-compute@developer.gserviceaccount.com"]
}


def world() -> dict[str, Any]:
    env: dict[str, Any] = {
        "ONE_REF": {"secret": "one"},
        "LINES": ONE.replace(" ", "\n"),
        "TABS": ONE.replace(" ", "\t"),
        "LEVEL": "info",
    }
    template = {"image": "us-docker.pkg.dev/acme/app/api:v1", "env": env}
    secrets = {"one": {"versions": [ONE], "iam": GRANT}}
    acme = {"number": 5, "region": REGION, "services": {"api": {"template": template}}}
    return {"options": {"seed": 3}, "projects": {"acme": {**acme, "secrets": secrets}}}


def test_a_copy_with_other_whitespace_is_not_copied(tmp_path: Path) -> None:
    with Sandbox(world()) as sandbox:
        done, text = init(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert TOKEN not in text and TOKEN not in done.stdout + done.stderr, text
    for name in ("LINES", "TABS"):
        line = f"{name}: {{required: true}}  # holds a value kept in Secret Manager: not copied"
        assert line in text, text
    assert "LEVEL: info" in text  # a plain value that holds none is copied
