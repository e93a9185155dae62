"""revown47 F1: another project's secret referenced by number (`projects/222/secrets/k`, what
Terraform writes: Secret.name) is `secret.acme-shared/k` in a run that can read GetProject and
`secret.222/k` in one that cannot (nothing else ties the number to an id). A baseline finding
`secret.acme-shared/k` met a run refused both GetProject and the secret's version: the
unverified item said `secret.222/k`, and the finding was listed resolved (SARIF would close
the alert), though the secret was not read (README Baselines: "counts as resolved only where
this run looked again"). Now an unverified secret of that name in a project known only by its
number keeps it unchecked (`drift.secret_target.perhaps_same`). Left: with only GetProject
denied, the same drift is `secret.222/k` (new) beside `secret.acme-shared/k` (resolved)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cliutil import drift
from tests.conftest import MakeSandbox

ACCOUNT = "api@p-acme.iam.gserviceaccount.com"


def _world(faults: list[dict[str, Any]]) -> dict[str, Any]:
    template = {
        "image": "us-docker.pkg.dev/p-acme/r/api:1",
        "service_account": ACCOUNT,
        "env": {"MODE": "live", "K": {"secret": "projects/222/secrets/k"}},
    }
    secret = {
        "versions": [
            {"value": "fake-k-v1-0123456789abcdef"},
            {"value": "fake-k-v2-0123456789abcdef", "state": "DISABLED"},
        ],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }
    return {
        "projects": {
            "p-acme": {"number": 5, "services": {"api": {"template": template}}},
            "acme-shared": {"number": 222, "secrets": {"k": secret}},
        },
        "faults": faults,
    }


def _check(tmp_path: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    run = drift(
        "check", "prod", "--format", "json", "--profiles", "profiles", *args,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert run.stdout, run.stderr
    out: dict[str, Any] = json.loads(run.stdout)
    out["exit"] = run.returncode
    return out


def _baseline(make_sandbox: MakeSandbox, tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "profiles").mkdir(parents=True)
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: test\n"
    )
    before = _check(tmp_path, make_sandbox(_world([])).environ())
    assert "secret.acme-shared/k" in {f["target"] for f in before["findings"]}, before
    (tmp_path / "base.json").write_text(json.dumps(before))
    return before


DENY_PROJECT = {"method": "GetProject", "code": "PERMISSION_DENIED"}


def test_a_baseline_finding_on_an_unread_secret_of_another_project_is_not_resolved(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    _baseline(make_sandbox, tmp_path)
    refused = {"method": "GetSecretVersion", "code": "PERMISSION_DENIED", "match": "secrets/k"}
    env = make_sandbox(_world([DENY_PROJECT, refused])).environ()
    report = _check(tmp_path, env, "--baseline", "base.json")
    assert report["unverified"], report
    resolved = [f["target"] for f in report["resolved"]]
    assert resolved == [], (resolved, [(u["target"], u["reason"]) for u in report["unverified"]])
