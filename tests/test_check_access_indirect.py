"""Access drift cannot evaluate is unverified, never `secret.no_access` (SPEC "Access as IAM
grants it"): a grant to a Google group, a domain or a principal set (every principal in it
holds the role: google/iam/v1/policy.proto Binding.members), or through a custom role (it may
hold `secretmanager.versions.access`). The sandbox grants members named verbatim and the three
predefined roles only, so these worlds test drift's reading, not a deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check

SA = "serviceAccount:api@p.iam.gserviceaccount.com"
PROFILE = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      K: {secret: k}\n"
ACCESSOR = "roles/secretmanager.secretAccessor"


def world(secret_iam: Any, project_iam: Any = None) -> Any:
    project: dict[str, Any] = {
        "number": 5,
        "secrets": {"k": {"versions": ["fake-value-0a1b2c3d"], "iam": secret_iam}},
        "services": {
            "api": {
                "template": {
                    "image": "x/api:1",
                    "service_account": "api@p.iam.gserviceaccount.com",
                    "env": {"K": {"secret": "k"}},
                }
            }
        },
    }
    if project_iam is not None:
        project["iam"] = project_iam
    return {"projects": {"p": project}}


def conditional(prefix: str) -> list[dict[str, Any]]:
    expression = f'resource.name.startsWith("{prefix}")'
    return [{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}]


def run(make_sandbox: MakeSandbox, monkeypatch: Any, tmp_path: Path, w: Any, *faults: Fault):  # type: ignore[no-untyped-def]
    sandbox = make_sandbox(w)
    for fault in faults:
        sandbox.inject(fault)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    result = check(sandbox, monkeypatch, "api", profiles=tmp_path)
    rules = [f.rule for f in result.report.findings]
    access = [u for u in result.report.unverified if u.target == "secret.k"]
    return result, rules, access


@pytest.mark.parametrize(
    ("iam", "named"),
    [
        ({ACCESSOR: ["group:runtime@example.com"]}, "group:runtime@example.com"),
        ({ACCESSOR: ["domain:example.com"]}, "domain:example.com"),
        ({"projects/p/roles/secretReader": [SA]}, "the custom role projects/p/roles/secretReader"),
    ],
)
def test_a_grant_drift_cannot_expand_is_unverified_not_no_access(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, iam: Any, named: str
) -> None:
    result, rules, access = run(make_sandbox, monkeypatch, tmp_path, world(iam))
    assert "secret.no_access" not in rules
    (unverified,) = access
    assert named in unverified.reason and "cannot expand" in unverified.reason
    assert result.report.exit_code == 3  # incomplete, never clean


def test_an_unrelated_member_is_still_no_access(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    iam = {ACCESSOR: ["user:someone@example.com"], "roles/viewer": ["group:all@example.com"]}
    result, rules, access = run(make_sandbox, monkeypatch, tmp_path, world(iam))
    assert "secret.no_access" in rules and not access
