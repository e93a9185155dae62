"""A world and the state an older drift left (revbaseline2): a secret referenced the
Terraform way, `projects/NUMBER/secrets/NAME` (Secret.name) of the own project. 8f08d3b named
its findings `secret.NUMBER/NAME` (the reference's spelling, `SecretRef.key`); since 3525eff
drift names them `secret.NAME` (drift/diff/secrets.py secret_findings). The older reports are
today's report with 8f08d3b's target and id put back (checked against a real 8f08d3b run:
/work/notes/repro/revbaseline2/world/old.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.findings import finding_id
from tests.cliutil import drift

ACCOUNT = "api@p-acme.iam.gserviceaccount.com"
TERRAFORM_REF = "projects/5/secrets/k"  # the own project p-acme, by number (Secret.name)


def secret_world(
    *, granted: bool = True, disabled: bool = True, faults: Any = None
) -> dict[str, Any]:
    versions: list[Any] = [{"value": "fake-k-v1-0123456789abcdef"}]
    if disabled:
        versions.append({"value": "fake-k-v2-0123456789abcdef", "state": "DISABLED"})
    secret: dict[str, Any] = {"versions": versions}
    if granted:
        secret["iam"] = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    template = {
        "image": "us-docker.pkg.dev/p-acme/r/api:1",
        "service_account": ACCOUNT,
        "env": {"MODE": "live", "K": {"secret": TERRAFORM_REF}},
    }
    world: dict[str, Any] = {
        "projects": {
            "p-acme": {
                "number": 5,
                "secrets": {"k": secret},
                "services": {"api": {"template": template}},
            }
        }
    }
    if faults:
        world["faults"] = faults
    return world


def write_profile(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "profiles").mkdir(parents=True, exist_ok=True)
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: test\n"
        + extra
    )


def check_json(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[dict[str, Any], int]:
    run = drift(
        "check", "prod", "--format", "json", "--profiles", "profiles", *args,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert run.stdout, run.stderr
    return json.loads(run.stdout), run.returncode


def as_8f08d3b_wrote_it(report: dict[str, Any]) -> dict[str, Any]:
    """Today's report with each secret finding's target and id as 8f08d3b gave them: the
    first reference's spelling (`SecretRef.key`, `5/k`)."""
    for f in report["findings"]:
        if f["target"] == "secret.k":
            f["target"] = "secret.5/k"
            f["message"] = f["message"].replace(" of k ", " of 5/k ")
            f["id"] = finding_id("prod", "api", f["rule"], "secret.5/k")
        f.pop("baseline", None)
    return report
