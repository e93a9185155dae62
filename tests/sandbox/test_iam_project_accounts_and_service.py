"""The sandbox's IAM (drift/sandbox/iam.py `grants`, `_term`) grants what Google grants and drift
counts as granted (fixiam2 F3, F4):
- an allow-policy binding to "All service accounts in a project"
  (`principalSet://cloudresourcemanager.googleapis.com/projects/PROJECT_NUMBER/type/
  ServiceAccount`, cloud.google.com/iam/docs/principal-identifiers, allow-policy table) grants
  the project's default compute account and its user-managed accounts, and no other's;
- a condition on `resource.service == "secretmanager.googleapis.com"` (resource service
  values: cloud.google.com/iam/docs/conditions-resource-attributes) holds for a secret version.
Before fixown45 (revown45 R2) the sandbox refused both, so a sandbox revision running as such
an account failed to start where Cloud Run's would start."""

from __future__ import annotations

from google.iam.v1 import policy_pb2

from drift.sandbox import iam

ACCOUNT = "serviceAccount:123456789012-compute@developer.gserviceaccount.com"
RESOURCE = "projects/123456789012/secrets/db/versions/1"
KIND = "secretmanager.googleapis.com/SecretVersion"


def _policy(member: str, condition: str = "") -> policy_pb2.Policy:
    binding = policy_pb2.Binding(role="roles/secretmanager.secretAccessor", members=[member])
    if condition:
        binding.condition.expression = condition
    return policy_pb2.Policy(version=3, bindings=[binding])


def test_all_service_accounts_of_the_project_grant_its_default_account() -> None:
    policy = _policy(
        "principalSet://cloudresourcemanager.googleapis.com/projects/123456789012/type/ServiceAccount"
    )
    assert iam.grants([policy], ACCOUNT, iam.ACCESS_ROLES, resource=RESOURCE, kind=KIND, now=0.0)


def test_a_resource_service_condition_on_secret_manager_holds() -> None:
    policy = _policy(ACCOUNT, 'resource.service == "secretmanager.googleapis.com"')
    assert (
        iam.evaluate('resource.service == "secretmanager.googleapis.com"', RESOURCE, KIND, 0.0)
        is True
    )
    assert iam.grants([policy], ACCOUNT, iam.ACCESS_ROLES, resource=RESOURCE, kind=KIND, now=0.0)


def test_the_set_grants_a_user_managed_account_of_the_project_and_no_other() -> None:
    policy = _policy(
        "principalSet://cloudresourcemanager.googleapis.com/projects/123456789012/type/ServiceAccount"
    )
    numbers = {"acme": 123456789012, "other": 210987654321}

    def granted(member: str) -> bool:
        return iam.grants(
            [policy], member, iam.ACCESS_ROLES, resource=RESOURCE, kind=KIND, now=0.0,
            numbers=numbers,
        )  # fmt: skip

    assert granted("serviceAccount:app@acme.iam.gserviceaccount.com")
    assert not granted("serviceAccount:app@other.iam.gserviceaccount.com")
    assert not granted("serviceAccount:app@unknown.iam.gserviceaccount.com")
    assert not granted("serviceAccount:210987654321-compute@developer.gserviceaccount.com")
    assert not granted("user:someone@example.com")


def test_a_resource_service_condition_on_another_service_does_not_hold() -> None:
    assert (
        iam.evaluate('resource.service == "storage.googleapis.com"', RESOURCE, KIND, 0.0) is False
    )
    assert iam.evaluate('resource.service != "storage.googleapis.com"', RESOURCE, KIND, 0.0) is True
