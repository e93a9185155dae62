"""revown45 R2: the sandbox's IAM (drift/sandbox/iam.py `grants`, `_term`) refuses two grants
Google honours and drift now counts as granted (fixiam2 F3, F4):
- an allow-policy binding to "All service accounts in a project"
  (`principalSet://cloudresourcemanager.googleapis.com/projects/PROJECT_NUMBER/type/
  ServiceAccount`, cloud.google.com/iam/docs/principal-identifiers, allow-policy table);
- a condition on `resource.service == "secretmanager.googleapis.com"` (every secret
  version's service: cloud.google.com/iam/docs/conditions-resource-attributes).
So a sandbox revision running as such an account fails to start where Cloud Run's would
start, and drift's GRANTED there cannot be tested end to end against the sandbox."""

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
    assert iam.grants(
        [policy], ACCOUNT, iam.ACCESS_ROLES, resource=RESOURCE, kind=KIND, now=0.0
    )


def test_a_resource_service_condition_on_secret_manager_holds() -> None:
    policy = _policy(ACCOUNT, 'resource.service == "secretmanager.googleapis.com"')
    assert iam.evaluate(
        'resource.service == "secretmanager.googleapis.com"', RESOURCE, KIND, 0.0
    ) is True
    assert iam.grants(
        [policy], ACCOUNT, iam.ACCESS_ROLES, resource=RESOURCE, kind=KIND, now=0.0
    )
