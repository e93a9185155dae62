"""`check --manifest` of a Terraform plan, on the secrets its services reference (checked live,
SPEC): a reference in a form drift does not read (revsecrets 2), what the plan removes
(revsecrets 3) and a version it adds (revsecrets 4). Each test failed before its fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.manifest.plans import change_of, check_offline, plan

SECRET = "database-url-staging"
REGIONAL = f"projects/acme-chat-staging/locations/us-central1/secrets/{SECRET}"
REGIONAL_WHY = (
    f"the secret reference {REGIONAL} is a regional secret: drift reads global secrets only "
    "(NAME or projects/PROJECT/secrets/NAME)"
)


@pytest.fixture(scope="module")
def staging() -> Iterator[Sandbox]:
    with Sandbox() as sb:  # the default (acme-chat staging) scenario
        yield sb


@pytest.fixture
def sandbox(staging: Sandbox) -> Sandbox:
    staging.reset()
    return staging


def check(sandbox: Sandbox, tmp_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """`drift check staging -m plan.json -f json` of the repository's profiles."""
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), "-m", str(path), "-f", "json",
        env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    report["exit"] = done.returncode
    return report


def said(report: dict[str, Any], part: str) -> list[tuple[str, str, str]]:
    """(rule or "unverified", target, message or reason) of what names `part`."""
    out = [(f["rule"], f["target"], f["message"]) for f in report["findings"]]
    out += [("unverified", u["target"], u["reason"]) for u in report["unverified"]]
    return [item for item in out if part in item[1]]


def database_url(data: dict[str, Any], secret: str) -> dict[str, Any]:
    """api's DATABASE_URL in `data` now references `secret`."""
    api = change_of(data, "google_cloud_run_v2_service.api")
    for container in api["change"]["after"]["template"][0]["containers"]:
        for e in container["env"]:
            if e["name"] == "DATABASE_URL":
                e["value_source"][0]["secret_key_ref"][0]["secret"] = secret
    return data


# revsecrets 2 -------------------------------------------------------------------------------
def test_a_plan_naming_a_regional_secret_is_not_judged_by_the_global_one(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`secret = google_secret_manager_regional_secret.db.id` gives
    `projects/P/locations/L/secrets/NAME` (Terraform google_secret_manager_regional_secret,
    "Import"). drift read the global database-url-staging of the service's project, found it
    fine, and said nothing of DATABASE_URL."""
    report = check(sandbox, tmp_path, database_url(plan(), REGIONAL))
    assert said(report, SECRET) == [("unverified", f"secret.{REGIONAL}", REGIONAL_WHY)], said(
        report, SECRET
    )
    assert report["exit"] != 0
    offline = check_offline(tmp_path, database_url(plan(), REGIONAL), PROFILE, "-f", "json")
    reasons = {u["target"]: u["reason"] for u in json.loads(offline.stdout)["unverified"]}
    assert reasons[f"secret.{REGIONAL}"] == REGIONAL_WHY, reasons


PROFILE = """\
project: acme-chat-staging
region: us-central1
services:
  api: {}
"""


# revsecrets 3 -------------------------------------------------------------------------------
API_SA = "serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com"
ACCESSOR = "roles/secretmanager.secretAccessor"
SECRET_ID = f"projects/acme-chat-staging/secrets/{SECRET}"


def change(
    kind: str, actions: list[str], before: Any, after: Any = None, unknown: Any = None
) -> dict[str, Any]:
    return {
        "address": f"{kind}.it",
        "mode": "managed",
        "type": kind,
        "name": "it",
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": unknown or {},
        },
    }


MEMBER = {"secret_id": SECRET_ID, "project": "acme-chat-staging", "role": ACCESSOR}
OPS = "user:ops@acme-chat.dev"


def policy(*members: str, role: str = ACCESSOR) -> str:
    """A `policy_data` granting `role` to `members`."""
    return json.dumps({"bindings": [{"role": role, "members": list(members)}]})


VERSION = {"secret": SECRET_ID, "version": "1", "enabled": True, "deletion_policy": "DELETE"}
REMOVALS = {
    "secret": change(
        "google_secret_manager_secret",
        ["delete"],
        {"secret_id": SECRET, "project": "acme-chat-staging"},
    ),
    "secret-replaced": change(
        "google_secret_manager_secret",
        ["delete", "create"],
        {"secret_id": SECRET, "project": "acme-chat-staging"},
        {"secret_id": SECRET, "project": "acme-chat-staging"},
    ),
    "grant": change(
        "google_secret_manager_secret_iam_member", ["delete"], {**MEMBER, "member": API_SA}
    ),
    "grant-replaced": change(
        "google_secret_manager_secret_iam_member",
        ["create", "delete"],
        {**MEMBER, "member": API_SA},
        {**MEMBER, "member": API_SA},
    ),
    "binding-without-api": change(
        "google_secret_manager_secret_iam_binding",
        ["update"],
        {**MEMBER, "members": [API_SA, "user:ops@acme-chat.dev"]},
        {**MEMBER, "members": ["user:ops@acme-chat.dev"]},
    ),
    "policy": change(
        "google_secret_manager_secret_iam_policy",
        ["delete"],
        {
            "secret_id": SECRET_ID,
            "policy_data": json.dumps({"bindings": [{"role": ACCESSOR, "members": [API_SA]}]}),
        },
    ),
    "project-grant": change(
        "google_project_iam_member",
        ["delete"],
        {"project": "acme-chat-staging", "role": ACCESSOR, "member": API_SA},
    ),
    # revown10 1: an authoritative binding or policy created without api takes its access
    # ("Authoritative for a given role" / "replaces any existing policy": hashicorp/google,
    # resources/secret_manager_secret_iam, resources/google_project_iam)
    "binding-created": change(
        "google_secret_manager_secret_iam_binding", ["create"], None, {**MEMBER, "members": [OPS]}
    ),
    "policy-created": change(
        "google_secret_manager_secret_iam_policy",
        ["create"],
        None,
        {"secret_id": SECRET_ID, "project": "acme-chat-staging", "policy_data": policy(OPS)},
    ),
    "project-binding-created": change(
        "google_project_iam_binding",
        ["create"],
        None,
        {"project": "acme-chat-staging", "role": ACCESSOR, "members": [OPS]},
    ),
    "project-policy-created": change(
        "google_project_iam_policy",
        ["create"],
        None,
        {"project": "acme-chat-staging", "policy_data": policy(OPS)},
    ),
    "binding-created-members-unknown": change(
        "google_secret_manager_secret_iam_binding",
        ["create"],
        None,
        {**MEMBER, "members": None},
        {"members": True},
    ),
    # revown10 2: "On create, this resource will modify the policy to remove the member from
    # the role" (hashicorp/google, resources/project_iam_member_remove)
    "member-remove-created": change(
        "google_project_iam_member_remove",
        ["create"],
        None,
        {"project": "acme-chat-staging", "role": ACCESSOR, "member": API_SA},
    ),
    "version": change("google_secret_manager_secret_version", ["delete"], VERSION),
    "version-disabled": change(
        "google_secret_manager_secret_version",
        ["update"],
        VERSION,
        {**VERSION, "enabled": False},
    ),
}


@pytest.mark.parametrize("what", sorted(REMOVALS))
def test_a_plan_removing_what_a_reference_needs_leaves_it_unverified(
    sandbox: Sandbox, tmp_path: Path, what: str
) -> None:
    """Checked live before apply, the secret, its version and api's grant are all there: drift
    called the plan clean for database-url-staging; once applied, api cannot start."""
    data = plan()
    data["resource_changes"].append(REMOVALS[what])
    report = check(sandbox, tmp_path, data)
    if REMOVALS[what]["type"].startswith(("google_secret_manager_secret_iam", "google_project")):
        done = "access removed"
    else:
        done = "disabled" if what == "version-disabled" else "removed"
    reason = f"{done} by this plan: {REMOVALS[what]['address']}"
    assert ("unverified", f"secret.{SECRET}", reason) in said(report, SECRET), said(report, SECRET)
    assert report["exit"] != 0


@pytest.fixture(scope="module")
def unremoved(
    staging: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, str, str]]:
    """What the plan without a removal says of database-url-staging: checked once for the
    module (the same check of the same plan against the default scenario, which each case
    below ran before its own)."""
    staging.reset()  # as `sandbox` gives it: a test before may have disabled a version
    return said(check(staging, tmp_path_factory.mktemp("unremoved"), plan()), SECRET)


@pytest.mark.parametrize(
    "gone",
    [
        change(  # another account's grant
            "google_secret_manager_secret_iam_member",
            ["delete"],
            {**MEMBER, "member": "serviceAccount:web@acme-chat-staging.iam.gserviceaccount.com"},
        ),
        change(  # a version the reference does not name (latest is version 1)
            "google_secret_manager_secret_version", ["delete"], {**VERSION, "version": "7"}
        ),
        change(  # left in place: Terraform forgets it ("ABANDON")
            "google_secret_manager_secret_version",
            ["delete"],
            {**VERSION, "deletion_policy": "ABANDON"},
        ),
        change(  # another secret
            "google_secret_manager_secret", ["delete"], {"secret_id": "old-secret-staging"}
        ),
        change(  # a binding that keeps api (its etag, not its members, known after apply)
            "google_secret_manager_secret_iam_binding",
            ["update"],
            {**MEMBER, "members": [API_SA]},
            {**MEMBER, "members": [API_SA, "user:ops@acme-chat.dev"]},
            {"etag": True},
        ),
        change(  # created naming api: it keeps its access
            "google_secret_manager_secret_iam_binding",
            ["create"],
            None,
            {**MEMBER, "members": [API_SA, OPS]},
        ),
        change(  # a policy created naming api
            "google_secret_manager_secret_iam_policy",
            ["create"],
            None,
            {"secret_id": SECRET_ID, "policy_data": policy(API_SA, OPS)},
        ),
        change(  # created for a role that cannot access secrets: other roles are kept
            "google_secret_manager_secret_iam_binding",
            ["create"],
            None,
            {**MEMBER, "role": "roles/secretmanager.viewer", "members": [OPS]},
        ),
        change(  # another account removed
            "google_project_iam_member_remove",
            ["create"],
            None,
            {"project": "acme-chat-staging", "role": ACCESSOR, "member": OPS},
        ),
        change(  # a member_remove destroyed: Terraform only forgets it
            "google_project_iam_member_remove",
            ["delete"],
            {"project": "acme-chat-staging", "role": ACCESSOR, "member": API_SA},
        ),
    ],
    ids=[
        "other-account",
        "other-version",
        "abandoned",
        "other-secret",
        "binding-keeps-api",
        "binding-created-with-api",
        "policy-created-with-api",
        "binding-created-other-role",
        "member-remove-other",
        "member-remove-destroyed",
    ],
)
def test_a_removal_no_reference_needs_changes_nothing(
    sandbox: Sandbox, tmp_path: Path, gone: dict[str, Any], unremoved: list[tuple[str, str, str]]
) -> None:
    data = plan()
    data["resource_changes"].append(gone)
    assert said(check(sandbox, tmp_path, data), SECRET) == unremoved


# revsecrets 4 -------------------------------------------------------------------------------
def _disable(sandbox: Sandbox, name: str, destroy: bool = False) -> None:
    import grpc
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    channel = grpc.insecure_channel(sandbox.address)
    client = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    (client.destroy_secret_version if destroy else client.disable_secret_version)(name=name)
    channel.close()


def new_version(enabled: bool = True) -> dict[str, Any]:
    """The usual rotation: a new google_secret_manager_secret_version of database-url-staging."""
    return {
        "address": "google_secret_manager_secret_version.database_url",
        "mode": "managed",
        "type": "google_secret_manager_secret_version",
        "name": "database_url",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": {"secret": SECRET_ID, "enabled": enabled, "deletion_policy": "DELETE"},
            "after_unknown": {"secret_data": True, "name": True, "version": True},
            "after_sensitive": {"secret_data": True},
        },
    }


@pytest.mark.parametrize("state", ["DISABLED", "DESTROYED"])
def test_a_plan_adding_a_version_answers_an_unusable_latest(
    sandbox: Sandbox, tmp_path: Path, state: str
) -> None:
    """api's DATABASE_URL is database-url-staging at latest, whose only version is not
    ENABLED; the plan adds an enabled version, which latest names once applied. drift reported
    the error the plan repairs (exit 1): it is not verified (the order of apply is unknown)."""
    _disable(sandbox, f"{SECRET_ID}/versions/1", destroy=state == "DESTROYED")
    data = plan()
    data["resource_changes"].append(new_version())
    report = check(sandbox, tmp_path, data)
    reason = (
        f"version latest (version 1) is {state}; a new version is created by this plan: "
        "google_secret_manager_secret_version.database_url, which latest names once applied "
        "(the order of apply is not known)"
    )
    assert said(report, SECRET) == [("unverified", f"secret.{SECRET}", reason)], said(
        report, SECRET
    )


def test_a_new_version_answers_latest_only_and_only_enabled(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A pinned reference keeps its version (still DISABLED); a version created disabled
    leaves latest DISABLED: both still reported."""
    _disable(sandbox, f"{SECRET_ID}/versions/1")
    data = database_url(plan(), SECRET)
    api = change_of(data, "google_cloud_run_v2_service.api")
    for container in api["change"]["after"]["template"][0]["containers"]:
        for e in container["env"]:
            if e["name"] == "DATABASE_URL":
                e["value_source"][0]["secret_key_ref"][0]["version"] = "1"
    data["resource_changes"].append(new_version())
    assert ("secret.disabled", f"secret.{SECRET}") in {
        (rule, target) for rule, target, _ in said(check(sandbox, tmp_path, data), SECRET)
    }
    data = plan()
    data["resource_changes"].append(new_version(enabled=False))
    assert ("secret.disabled", f"secret.{SECRET}") in {
        (rule, target) for rule, target, _ in said(check(sandbox, tmp_path, data), SECRET)
    }
