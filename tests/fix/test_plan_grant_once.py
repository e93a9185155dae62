"""The plan's grant step for a service account that cannot read a secret in use deduped by
spelling (`SecretRef.key`): one secret referenced as `k`, `projects/5/secrets/k` and
`projects/p-acme/secrets/k` was listed as "k, 5/k, p-acme/k" with three grant commands, two
of them the same. `check` already tells of it once; now the plan names it once too."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNT = "api@p-acme.iam.gserviceaccount.com"
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}


def test_a_manual_grant_names_each_secret_once_whatever_its_spellings(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    secrets = {"k": {"versions": [{"value": "fake-k-0123456789abcdef"}], "iam": GRANT}}
    env = {
        "A": {"secret": "k"},
        "B": {"secret": "projects/5/secrets/k"},
        "C": {"secret": "projects/p-acme/secrets/k"},
    }
    template = {"image": "us-docker.pkg.dev/p-acme/r/api:1", "service_account": ACCOUNT}
    services = {"api": {"template": {**template, "env": env}}}
    sandbox = make_sandbox(
        {"projects": {"p-acme": {"number": 5, "secrets": secrets, "services": services}}}
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        "      service_account: other@p-acme.iam.gserviceaccount.com\n"
    )
    run = drift(
        "plan", "prod", "--format", "json", "--profiles", "profiles",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    [step] = json.loads(run.stdout)["services"][0]["manual"]
    assert len(step["commands"]) == 1, step
    assert "cannot access k:" in step["reason"], step
