"""Access to a secret when a level of IAM that could grant it cannot be read: unverified (exit
3), never `secret.no_access`, never clean — the project's policy or an ancestor's (folders, the
organisation) alike; a grant on a readable level decides without them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.test_check_shapes import SHAPES, check

CHAT = "serviceAccount:chat@acme-prod.iam.gserviceaccount.com"
ACME_PROD = "projects/500000000001"
DEFAULT_ACCOUNT = "serviceAccount:5-compute@developer.gserviceaccount.com"
DEFAULT_ACCOUNT_WORLD = {
    "projects": {
        "p": {
            "number": 5,
            "iam": {"roles/secretmanager.secretAccessor": [DEFAULT_ACCOUNT]},
            "secrets": {"k": {"versions": ["fake-value-0a1b2c3d"]}},
            "services": {"api": {"template": {"image": "x/api:1", "env": {"K": {"secret": "k"}}}}},
        }
    }
}


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


@pytest.fixture
def world(shapes: Sandbox) -> Iterator[Sandbox]:
    shapes.reset(SHAPES)
    yield shapes
    shapes.reset(SHAPES)


def test_a_project_policy_drift_cannot_read_is_unverified_not_no_access(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chat@ is granted secretAccessor on acme-prod at project level only (no secret grants it)
    world.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", match=ACME_PROD))
    result = check(world, monkeypatch, "chat")
    assert not [f for f in result.report.findings if f.rule == "secret.no_access"]
    [db] = [u for u in result.report.unverified if u.target == "secret.chat-db-url"]
    assert db.service == "chat"
    assert f"GetIamPolicy on {ACME_PROD}: PERMISSION_DENIED" in db.reason
    assert result.report.exit_code == 1  # chat's other drift (exit 1 takes precedence over 3)
    # the secrets of acme-shared are judged from acme-shared's policy, which was read
    assert not [u for u in result.report.unverified if "partner" in u.target]


def test_a_project_drift_cannot_look_up_is_unverified_not_no_access(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # neither resourcemanager.projects.get nor .getIamPolicy (the README's minimum for check)
    scenario = YAML(typ="safe", pure=True).load(SHAPES.read_text())
    scenario["projects"]["acme-prod"]["deny"] = ["GetProject", "GetIamPolicy"]
    world.reset(scenario)
    world.revoke(  # billing@ is granted on its secret: nothing else is read for it
        "projects/acme-prod/secrets/billing-stripe-key",
        "roles/secretmanager.secretAccessor",
        "serviceAccount:billing@acme-prod.iam.gserviceaccount.com",
    )
    result = check(world, monkeypatch, "billing")
    assert not [f for f in result.report.findings if f.rule == "secret.no_access"]
    [item] = [u for u in result.report.unverified if u.target == "secret.billing-stripe-key"]
    # by the number Secret Manager gave (`AccessDecisions._number`), once, though GetProject
    # failed: not again by the id for the hierarchy
    assert f"GetIamPolicy on {ACME_PROD}: PERMISSION_DENIED" in item.reason
    asked = [c.request.resource for c in world.calls if c.short == "GetIamPolicy"]
    assert [r for r in asked if "/secrets/" not in r] == [ACME_PROD], asked
    assert result.report.exit_code == 3


def test_the_default_account_is_judged_by_the_number_secret_manager_gave_without_getproject(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the default compute account is named by the project's number; it is granted on the
    # project. GetProject refused, Secret Manager's answer still names the secret by that
    # number (`learn_number`): access is judged with it, not "unknown" (fixgrant64)
    sandbox = make_sandbox(DEFAULT_ACCOUNT_WORLD)
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      K: {secret: k}\n"
    )
    clean = check(sandbox, monkeypatch, "api", profiles=tmp_path)
    assert not clean.report.findings and not clean.report.unverified
    sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
    result = check(sandbox, monkeypatch, "api", profiles=tmp_path)
    assert not result.report.findings and not result.report.unverified, result.report
    assert result.report.exit_code == 0
    # denied, it reads as every revision read back names it (Cloud Run fills in the address),
    # not as "default compute service account" where a template leaves it unset: one name
    sandbox.clear_faults()
    sandbox.revoke("projects/p", "roles/secretmanager.secretAccessor", DEFAULT_ACCOUNT)
    denied = check(sandbox, monkeypatch, "api", profiles=tmp_path)
    [found] = denied.report.findings
    assert found.message.startswith(f"{DEFAULT_ACCOUNT.removeprefix('serviceAccount:')} ("), found


def test_ancestors_drift_cannot_read_decide_nothing_when_the_project_grants(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the organisation's policy is never readable in this world; the folder's is made so too:
    # the project's policy was read and grants chat@, so all is decided
    world.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", match="folders/2000"))
    result = check(world, monkeypatch, "chat")
    assert not [u for u in result.report.unverified if u.target == "secret.chat-db-url"]


def test_the_project_policy_is_read_by_the_number_the_secret_reads_learnt(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chat@ is granted on acme-prod's policy alone: that policy is read by the number
    GetSecretVersion answered with, with no GetProject of acme-prod first (revcalls66 F4:
    that GetProject, after the secrets' policies, held the project's policy back a round)."""
    result = check(world, monkeypatch, "chat")
    assert not [u for u in result.report.unverified if u.target == "secret.chat-db-url"]
    asked = [
        (c.short, c.request.name if c.short == "GetProject" else c.request.resource)
        for c in world.calls
        if c.short in ("GetProject", "GetIamPolicy")
    ]
    assert ("GetIamPolicy", ACME_PROD) in asked
    assert ("GetProject", "projects/acme-prod") not in asked, asked


def test_an_ancestor_drift_cannot_read_makes_access_unverified_not_no_access(
    world: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no readable level grants chat@ any more, but the folder or the organisation (neither
    # readable) may: drift cannot tell, so it is unverified (exit 3), never secret.no_access
    world.inject(Fault("GetIamPolicy", "PERMISSION_DENIED", match="folders/2000"))
    world.revoke(ACME_PROD, "roles/secretmanager.secretAccessor", CHAT)
    result = check(world, monkeypatch, "chat")
    assert not [f for f in result.report.findings if f.rule == "secret.no_access"]
    [db] = [u for u in result.report.unverified if u.target == "secret.chat-db-url"]
    assert "organizations/1000 (PERMISSION_DENIED)" in db.reason
    assert "folders/2000 (PERMISSION_DENIED)" in db.reason
