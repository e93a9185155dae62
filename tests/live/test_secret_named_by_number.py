"""One secret named by its project's id and by its number (Cloud Run keeps
`projects/NUMBER/secrets/NAME` as written; a profile says `{secret: NAME, project: ID}`) is one
secret: its version, policy, expiry and value are each read once. The number is told from
the projects drift looks up anyway (GetProject, for IAM and to compare the two names); when
it cannot be told, each name is read as written."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.live.shapes import PROFILES, SHAPES, resource, run

SECRET_READS = {"GetSecretVersion", "GetIamPolicy", "GetSecret", "AccessSecretVersion"}


def reads_of(sandbox: Sandbox, secret: str) -> Counter[str]:
    return Counter(
        c.short
        for c in sandbox.calls
        if c.short in SECRET_READS and f"/secrets/{secret}" in resource(c)
    )


def test_a_secret_of_another_project_named_by_id_and_by_number_is_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """real-shapes: chat's profile names `{secret: partner-api-key, project: acme-shared}`;
    the service holds `projects/600000000002/secrets/partner-api-key`, the same secret (the
    check finds no env.secret_ref on it)."""
    with Sandbox(SHAPES) as sandbox:
        result = run(sandbox, monkeypatch, PROFILES, "chat")
        partner = reads_of(sandbox, "partner-api-key")
    assert partner == {"GetSecretVersion": 1, "GetIamPolicy": 1, "GetSecret": 1}
    # what the check says of it: its latest version is disabled (named by the project's id)
    partner_findings = {(f.rule, f.target) for f in result.report.findings if "partner" in f.target}
    assert partner_findings == {("secret.disabled", "secret.acme-shared/partner-api-key")}


def own_by_number(**project: Any) -> dict[str, Any]:
    return {
        "projects": {
            "p": {
                "number": 111,
                "region": "us-central1",
                "iam": {"roles/viewer": ["group:x@example.com"]},
                "secrets": {"db-url": {"versions": ["fake-db-url-123456"]}},
                "services": {
                    "api": {
                        "template": {
                            "service_account": "api@p.iam.gserviceaccount.com",
                            "env": {"DB": {"secret": "projects/111/secrets/db-url"}},
                        }
                    },
                    "web": {
                        "template": {
                            "service_account": "web@p.iam.gserviceaccount.com",
                            "env": {"DB": {"secret": "db-url"}},
                        }
                    },
                },
                **project,
            }
        }
    }


OWN_PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      DB: {secret: db-url, min_length: 8}
  web:
    env:
      DB: {secret: db-url, min_length: 8}
"""


def test_a_secret_of_the_own_project_named_by_number_is_read_once(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`projects/111/secrets/db-url` on api, `db-url` on web: one secret of project p (number
    111), its version, policy and value read once."""
    sandbox = make_sandbox(own_by_number())
    (tmp_path / "prod.yaml").write_text(OWN_PROFILE)
    result = run(sandbox, monkeypatch, tmp_path)
    # its policy a second time, on purpose: read again to confirm the `secret.no_access` of
    # the two services (drift.live.held_still), once for both
    assert reads_of(sandbox, "db-url") == {
        "GetSecretVersion": 1,
        "GetIamPolicy": 2,
        "AccessSecretVersion": 1,
    }
    # the world grants neither account access; the own project's secret is `secret.db-url`
    # however each revision spells it
    assert {(f.rule, f.service, f.target) for f in result.report.findings} == {
        ("secret.no_access", "api", "secret.db-url"),
        ("secret.no_access", "web", "secret.db-url"),
    }


@pytest.mark.parametrize("list_later", [False, True])  # the list answers after GetProject
@pytest.mark.parametrize(("listed", "read"), [(True, 1), (False, 2)])
def test_without_get_project_the_secret_list_tells_the_own_number(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    listed: bool,
    read: int,
    list_later: bool,
) -> None:
    """Without resourcemanager.projects.get GetProject tells no number. The list of the
    project's secrets, read anyway, names them by its number (Secret Manager answers by
    number, `learn_number`): `projects/111/secrets/db-url` is `db-url`, its version and
    value read once (task 832: each spelling was read, two AccessSecretVersion of one
    version). When the list is refused too, the number stays a number: both names are read,
    as written, and nothing else changes."""
    world = copy.deepcopy(own_by_number())
    world["faults"] = [{"method": "GetProject", "code": "PERMISSION_DENIED"}]
    if not listed:
        world["faults"].append({"method": "ListSecrets", "code": "PERMISSION_DENIED"})
    if list_later:  # whichever answers first, the same reads
        world["faults"].insert(0, {"method": "ListSecrets", "code": None, "latency_ms": 500})
    sandbox = make_sandbox(world)
    (tmp_path / "prod.yaml").write_text(OWN_PROFILE)
    result = run(sandbox, monkeypatch, tmp_path)
    reads = reads_of(sandbox, "db-url")
    assert (reads["GetSecretVersion"], reads["AccessSecretVersion"]) == (read, read), reads
    assert result.report.exit_code is ExitCode.INCOMPLETE
