"""SPEC: target `secret.NAME` for a secret of the service's own project, and "the same drift
gets the same id". The target was the first reference's spelling: the own project's `k`
written `projects/p-acme/secrets/k` or `projects/5/secrets/k` (what Secret Manager returns
as Secret.name, so what Terraform writes) gave secret.p-acme/k or secret.5/k, so another id
and an `ignore` naming `secret: k` that matched nothing. Now one target and one id."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNT = "api@p-acme.iam.gserviceaccount.com"


def _no_access(make_sandbox: MakeSandbox, tmp_path: Path, ref: str) -> tuple[str, str, int]:
    secrets = {"k": {"versions": [{"value": "fake-k-0123456789abcdef"}]}}  # no grant
    template = {
        "image": "us-docker.pkg.dev/p-acme/r/api:1",
        "service_account": ACCOUNT,
        "env": {"K": {"secret": ref}},
    }
    world = {
        "projects": {
            "p-acme": {"number": 5, "secrets": secrets, "services": {"api": {"template": template}}}
        }
    }
    sandbox = make_sandbox(world)
    (tmp_path / "profiles").mkdir(parents=True)
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api: {}\n"
    )
    run = drift(
        "check", "prod", "--format", "json", "--profiles", "profiles",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    [finding] = [f for f in json.loads(run.stdout)["findings"] if f["rule"] == "secret.no_access"]
    return str(finding["target"]), str(finding["id"]), run.returncode


def test_a_secret_of_the_own_project_has_one_target_and_id_however_the_revision_spells_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    found = {
        _no_access(make_sandbox, tmp_path / str(i), ref)
        for i, ref in enumerate(["k", "projects/p-acme/secrets/k", "projects/5/secrets/k"])
    }
    assert len(found) == 1, found
    [(target, _, _)] = found
    assert target == "secret.k"
