"""helper-618 F5: a secret whose value ends with the project's id (a database named after the
project: `postgres://app:pw@10.0.0.3:5432/acme-staging`) hid the project in drift's own
sentences: `init` said `wrote profiles/prod.yaml: 1 service (api) from ***/us-central1`. A
fragment of a secret is masked in every line a person reads (a server may have quoted it), but
not where all its letters and digits are a name drift prints anyway (the project, the region,
a workload's, a revision's or a service account's name: `redact.register_public`); a server's
text quoting the secret's end with anything of its own is masked as before."""

from __future__ import annotations

from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

PROJECT = "acme-staging"
REGION = "us-central1"
ACCOUNT = f"api@{PROJECT}.iam.gserviceaccount.com"
DSN = f"postgres://app:pw@10.0.0.3:5432/{PROJECT}"
IMPERSONATED = f"deployer@{PROJECT}.iam.gserviceaccount.com"


def _world() -> dict[str, object]:
    env = {"DB": {"secret": "db-url"}, "IMPERSONATE": {"secret": "sa-key-email"}}
    template = {"image": f"us-docker.pkg.dev/{PROJECT}/app/api:1", "service_account": ACCOUNT}
    project = {
        "number": 500000000009,
        "region": REGION,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
        "secrets": {"db-url": {"versions": [DSN]}, "sa-key-email": {"versions": [IMPERSONATED]}},
        "services": {"api": {"template": {**template, "env": env}}},
    }
    return {"projects": {PROJECT: project}}


def _init(sandbox: Sandbox, profiles: Path) -> str:
    done = drift(
        "init", "prod", "--from-live", "--project", PROJECT, "--region", REGION,
        "--profiles", str(profiles), "--wait", "0", env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_init_names_the_project_a_secret_ends_with(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    said = _init(make_sandbox(_world()), tmp_path / "profiles")
    assert f"1 service (api) from {PROJECT}/{REGION}" in said, said
    assert "10.0.0.3" not in said and "deployer@" not in said
