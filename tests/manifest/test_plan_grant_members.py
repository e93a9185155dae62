"""A plan that grants a secret's access through members or roles drift cannot name one by one
(helper-600 F2): all of a project's service accounts (a principal set), everyone
(`allAuthenticatedUsers`), a group, or a custom role. Once applied, the live check judges
them by its policy's membership rules (`drift.live.iam_policy`): the first two grant, the
others may (unverified). The gate judges the planned grant by the same rules: not verified,
"granted by this plan" or "may be granted by this plan", never `secret.no_access`. Before,
only a `serviceAccount:` member naming the service's account with an accessor role counted,
and every other grant left a definite error (exit 1) that the apply would make false."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.manifest.plans import check_live

ACCOUNT = "newsa@acme-chat-staging.iam.gserviceaccount.com"
ACCESSOR = "roles/secretmanager.secretAccessor"
CUSTOM = "projects/acme-chat-staging/roles/secretReader"
PROJECT_ACCOUNTS = (
    "principalSet://cloudresourcemanager.googleapis.com/projects/401234567890/type/ServiceAccount"
)
GRANT = "google_secret_manager_secret_iam_member.api_jwt"
PROFILE = """\
project: acme-chat-staging
region: us-central1
services:
  api:
    env:
      JWT_SECRET_KEY: {secret: jwt-secret-staging}
"""


def _plan(member: str, role: str) -> dict[str, Any]:
    api = {
        "address": "google_cloud_run_v2_service.api",
        "mode": "managed",
        "type": "google_cloud_run_v2_service",
        "name": "api",
        "change": {
            "actions": ["update"],
            "before": {"name": "api", "location": "us-central1", "project": "acme-chat-staging"},
            "after": {
                "name": "api", "location": "us-central1", "project": "acme-chat-staging",
                "template": [{
                    "service_account": ACCOUNT,
                    "containers": [{
                        "name": "api", "image": "gcr.io/acme/api:1",
                        "ports": [{"container_port": 8080}],
                        "env": [{"name": "JWT_SECRET_KEY", "value": "", "value_source": [
                            {"secret_key_ref": [
                                {"secret": "jwt-secret-staging", "version": "latest"}]}]}],
                    }],
                }],
                "traffic": [{"percent": 100, "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
                             "revision": "", "tag": ""}],
            },
            "after_unknown": {}, "after_sensitive": {}, "before_sensitive": {},
        },
    }  # fmt: skip
    grant = {
        "address": GRANT,
        "mode": "managed",
        "type": "google_secret_manager_secret_iam_member",
        "name": "api_jwt",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": {"secret_id": "projects/acme-chat-staging/secrets/jwt-secret-staging",
                      "project": "acme-chat-staging", "role": role, "member": member,
                      "condition": []},
            "after_unknown": {"etag": True, "id": True},
            "after_sensitive": {},
        },
    }  # fmt: skip
    return {"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": [api, grant]}


@pytest.mark.parametrize(
    ("member", "role", "how"),
    [
        (f"serviceAccount:{ACCOUNT}", ACCESSOR, "granted"),  # as before
        (PROJECT_ACCOUNTS, ACCESSOR, "granted"),
        ("allAuthenticatedUsers", ACCESSOR, "granted"),
        ("group:run-runtime@acme-chat.dev", ACCESSOR, "may be granted"),
        (f"serviceAccount:{ACCOUNT}", CUSTOM, "may be granted"),
    ],
    ids=["account", "project-accounts", "all-authenticated", "group", "custom-role"],
)
def test_a_planned_grant_is_judged_by_the_live_membership_rules(
    sandbox: Sandbox, tmp_path: Path, member: str, role: str, how: str
) -> None:
    done = check_live(sandbox, tmp_path, _plan(member, role), profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (doc["findings"], doc["unverified"], done.stderr)
    assert not [f for f in doc["findings"] if f["rule"] == "secret.no_access"], doc["findings"]
    reasons = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert reasons.get("secret.jwt-secret-staging") == f"{how} by this plan: {GRANT}", reasons


@pytest.mark.parametrize(
    ("member", "role"),
    [
        ("serviceAccount:other@acme-chat-staging.iam.gserviceaccount.com", ACCESSOR),
        ("serviceAccount:other@acme-chat-staging.iam.gserviceaccount.com", CUSTOM),
        ("user:someone@acme-chat.dev", ACCESSOR),
        (f"serviceAccount:{ACCOUNT}", "roles/viewer"),  # a predefined role without access
    ],
    ids=["other-account", "custom-to-other", "user", "predefined-without-access"],
)
def test_a_grant_to_someone_else_still_leaves_no_access(
    sandbox: Sandbox, tmp_path: Path, member: str, role: str
) -> None:
    done = check_live(sandbox, tmp_path, _plan(member, role), profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 1, (doc["findings"], doc["unverified"], done.stderr)
    rules = {(f["rule"], f["target"]) for f in doc["findings"]}
    assert ("secret.no_access", "secret.jwt-secret-staging") in rules, doc["findings"]


CONDITION = [{"title": "until-2027", "description": "",
              "expression": 'request.time < timestamp("2027-01-01T00:00:00Z")'}]  # fmt: skip


def _conditional(plan: dict[str, Any], *, also_plain: bool = False) -> dict[str, Any]:
    """`plan` with its grant under a condition; `also_plain`: and a second resource granting
    the same account outright."""
    grant = plan["resource_changes"][1]
    grant["change"]["after"]["condition"] = CONDITION
    if also_plain:
        plain = json.loads(json.dumps(grant))
        plain["address"], plain["name"] = f"{GRANT}_plain", "api_jwt_plain"
        plain["change"]["after"]["condition"] = []
        plan["resource_changes"].append(plain)
    return plan


@pytest.mark.parametrize(
    ("also_plain", "how", "by"),
    [(False, "may be granted", GRANT), (True, "granted", f"{GRANT}_plain")],
    ids=["conditional", "and-unconditional"],
)
def test_a_grant_under_a_condition_may_be_granted(
    sandbox: Sandbox, tmp_path: Path, also_plain: bool, how: str, by: str
) -> None:
    """helper-604: a binding's condition decides whether it applies (iam/v1 policy.proto
    Binding.condition: "If the condition evaluates to `true`, then this binding applies"),
    and drift does not evaluate a planned one: it may grant. Before, it read as granted."""
    member = f"serviceAccount:{ACCOUNT}"
    plan = _conditional(_plan(member, ACCESSOR), also_plain=also_plain)
    done = check_live(sandbox, tmp_path, plan, profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (doc["findings"], doc["unverified"], done.stderr)
    reasons = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert reasons.get("secret.jwt-secret-staging") == f"{how} by this plan: {by}", reasons


def test_a_grant_whose_condition_is_known_only_after_apply_may_be_granted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """helper-613 L3: a condition Terraform knows only after apply (`after_unknown`) is a
    condition all the same: it may not hold. It read as granted."""
    plan = _plan(f"serviceAccount:{ACCOUNT}", ACCESSOR)
    change = plan["resource_changes"][1]["change"]
    change["after"]["condition"] = []
    change["after_unknown"]["condition"] = True
    done = check_live(sandbox, tmp_path, plan, profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (doc["findings"], doc["unverified"], done.stderr)
    reasons = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert reasons.get("secret.jwt-secret-staging") == f"may be granted by this plan: {GRANT}"
