"""Secrets across projects and IAM across the resource hierarchy: what a deploy checks (every
container's env, every secret volume), conditional bindings, policy versions, and the
Resource Manager v3 reads, through the official clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2
from google.iam.v1 import iam_policy_pb2, options_pb2, policy_pb2
from google.type import expr_pb2

from drift.sandbox import Sandbox
from tests.conftest import Clients, ClientsFor, MakeSandbox

PROD = "projects/acme-prod/locations/us-central1/services"
ACCESSOR = "roles/secretmanager.secretAccessor"
CHAT_SA = "serviceAccount:chat@acme-prod.iam.gserviceaccount.com"


def secret_ref(service: run_v2.Service, container: int, var: str) -> run_v2.SecretKeySelector:
    env = service.template.containers[container].env
    found: run_v2.SecretKeySelector = next(
        v for v in env if v.name == var
    ).value_source.secret_key_ref
    return found


def redeploy(clients: Clients, service: run_v2.Service) -> run_v2.Service:
    """The service with a changed template (a new revision), as sent."""
    service.template.revision = ""
    service.template.labels["deploy"] = str(len(service.template.labels.get("deploy", "")) + 1)
    result: run_v2.Service = clients.services.update_service(service=service).result(timeout=10)
    return result


def test_every_secret_of_every_container_and_volume_is_checked_in_its_own_project(
    real_clients: Clients,
) -> None:
    chat = real_clients.services.get_service(name=f"{PROD}/chat")
    # the other project's partner-api-key, by number: latest is DISABLED there (the
    # same-named secret in acme-prod is ENABLED and must not be what is checked)
    with pytest.raises(exceptions.FailedPrecondition) as raised:
        redeploy(real_clients, chat)
    message = str(raised.value)
    assert "containers[0].env[4]" in message
    assert "projects/600000000002/secrets/partner-api-key/versions/latest" in message
    assert "DISABLED" in message
    chat = real_clients.services.get_service(name=f"{PROD}/chat")
    secret_ref(chat, 0, "PARTNER_API_KEY").version = "1"
    # the sidecar's env: otel-token latest is DISABLED
    with pytest.raises(exceptions.FailedPrecondition, match=r"containers\[1\]\.env\[0\]"):
        redeploy(real_clients, chat)
    chat = real_clients.services.get_service(name=f"{PROD}/chat")
    secret_ref(chat, 1, "OTEL_TOKEN").version = "1"
    # the secret volume's item: tls-cert version 2 is DESTROYED
    with pytest.raises(exceptions.FailedPrecondition, match=r"volumes\[0\].*DESTROYED"):
        redeploy(real_clients, chat)
    chat = real_clients.services.get_service(name=f"{PROD}/chat")
    chat.template.volumes[0].secret.items[0].version = "3"
    # granted at project level only (chat-db-url), conditionally on the other project
    after = redeploy(real_clients, chat)
    assert after.latest_ready_revision == after.latest_created_revision


def test_a_volume_without_items_mounts_latest(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(
        {
            "projects": {
                "p": {
                    "number": 7,
                    "iam": {ACCESSOR: ["serviceAccount:7-compute@developer.gserviceaccount.com"]},
                    "secrets": {"cfg": {"versions": ["a", {"value": "b", "state": "DISABLED"}]}},
                    "services": {"svc": {}},
                }
            }
        }
    )
    clients = clients_for(sandbox)
    svc = clients.services.get_service(name="projects/p/locations/us-central1/services/svc")
    svc.template.volumes = [
        run_v2.Volume(name="cfg", secret=run_v2.SecretVolumeSource(secret="cfg"))
    ]
    svc.template.containers[0].volume_mounts = [run_v2.VolumeMount(name="cfg", mount_path="/etc/c")]
    with pytest.raises(exceptions.FailedPrecondition, match="cfg/versions/latest is in DISABLED"):
        clients.services.update_service(service=svc).result(timeout=10)


def test_project_grant_revoked_fails_the_next_deploy(real: Sandbox, real_clients: Clients) -> None:
    real.revoke(
        "projects/acme-prod", ACCESSOR, "serviceAccount:ledger@acme-prod.iam.gserviceaccount.com"
    )
    ledger = real_clients.services.get_service(name=f"{PROD}/ledger")
    ledger.template.containers[0].env = [
        v for v in ledger.template.containers[0].env if v.name == "SIGNING_KEY"
    ]
    with pytest.raises(exceptions.FailedPrecondition, match="Permission denied on secret"):
        redeploy(real_clients, ledger)
    real.grant(
        "organizations/1000", ACCESSOR, "serviceAccount:ledger@acme-prod.iam.gserviceaccount.com"
    )
    assert redeploy(real_clients, real_clients.services.get_service(name=f"{PROD}/ledger")).uri


def hierarchy(binding: dict[str, Any], options: dict[str, Any] | None = None) -> dict[str, Any]:
    """An organisation > folder > project whose runtime account is granted by `binding` on
    the organisation only."""
    return {
        "options": options or {},
        "organizations": {"1": {"iam": [binding]}},
        "folders": {"2": {"parent": "organizations/1"}},
        "projects": {
            "p": {
                "number": 42,
                "parent": "folders/2",
                "secrets": {"app-key": {"versions": ["fake-app-key-value"]}},
                "services": {
                    "svc": {"template": {"service_account": "svc@p.iam.gserviceaccount.com"}}
                },
            }
        },
    }


def deploys(sandbox: Sandbox, clients_for: ClientsFor, version: str = "") -> bool:
    """Whether a revision reading app-key (at `version`; unset: `latest`) deploys."""
    clients = clients_for(sandbox)
    svc = clients.services.get_service(name="projects/p/locations/us-central1/services/svc")
    selector = run_v2.SecretKeySelector(secret="app-key", version=version)
    ref = run_v2.EnvVarSource(secret_key_ref=selector)
    svc.template.containers[0].env = [run_v2.EnvVar(name="KEY", value_source=ref)]
    svc.template.labels["try"] = str(int(svc.template.labels.get("try", "0")) + 1)
    try:
        clients.services.update_service(service=svc).result(timeout=10)
    except exceptions.FailedPrecondition:
        return False
    return True


def grant(condition: str | None = None, **extra: Any) -> dict[str, Any]:
    binding: dict[str, Any] = {
        "role": ACCESSOR,
        "members": ["serviceAccount:svc@p.iam.gserviceaccount.com"],
    }
    if condition is not None:
        binding["condition"] = {"expression": condition, **extra}
    return binding


@pytest.mark.parametrize(
    ("condition", "granted"),
    [
        (None, True),
        ('resource.name.startsWith("projects/42/secrets/app-")', True),
        ('resource.name.startsWith("projects/p/secrets/app-")', False),  # numbers, not ids
        ("resource.name.endsWith('/versions/1')", True),
        ('resource.type == "secretmanager.googleapis.com/SecretVersion"', True),
        (
            'resource.name.startsWith("projects/42/") && resource.name.endsWith("/versions/2")',
            False,
        ),
        ('resource.name.endsWith("/versions/2") || resource.name.endsWith("/versions/1")', True),
    ],
)
def test_grants_from_the_organisation_with_conditions(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, condition: str | None, granted: bool
) -> None:
    assert deploys(make_sandbox(hierarchy(grant(condition))), clients_for) is granted


@pytest.mark.parametrize("named", ["number", "alias"])
@pytest.mark.parametrize(
    ("condition", "version", "granted"),
    [
        ('resource.name.endsWith("/versions/1")', "", {"number": True, "alias": False}),
        ('resource.name.endsWith("/versions/latest")', "", {"number": False, "alias": True}),
        ('resource.name.endsWith("/versions/1")', "1", {"number": True, "alias": True}),
    ],
    ids=["latest-by-number", "latest-by-alias", "pinned"],
)
def test_which_name_a_condition_tests_an_alias_by_is_an_option(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    named: str,
    condition: str,
    version: str,
    granted: dict[str, bool],
) -> None:
    """A revision reading app-key by `latest` (version 1 now): IAM's condition sees
    `…/versions/1` or `…/versions/latest`, which no Google doc says (option
    `alias_in_conditions`); one pinned to version 1 is `…/versions/1` either way (revsbx84)."""
    sandbox = make_sandbox(hierarchy(grant(condition), {"alias_in_conditions": named}))
    assert deploys(sandbox, clients_for, version) is granted[named]


def test_time_conditions_follow_the_sandbox_clock(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    until = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox = make_sandbox(hierarchy(grant(f'request.time < timestamp("{until}")')))
    assert deploys(sandbox, clients_for)
    sandbox.advance(2 * 3600)
    assert not deploys(sandbox, clients_for)


@pytest.mark.parametrize(
    ("options", "extra", "granted"),
    [
        ({}, {}, False),
        ({"unknown_conditions": "grant"}, {}, True),
        ({}, {"holds": True}, True),
        ({"unknown_conditions": "grant"}, {"holds": False}, False),
    ],
)
def test_conditions_the_sandbox_cannot_read_are_configurable(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    options: dict[str, Any],
    extra: dict[str, Any],
    granted: bool,
) -> None:
    binding = grant('request.auth.access_levels.exists(l, l == "corp")', **extra)
    assert deploys(make_sandbox(hierarchy(binding, options)), clients_for) is granted


def get_policy(client: Any, resource: str, version: int | None) -> policy_pb2.Policy:
    request = iam_policy_pb2.GetIamPolicyRequest(resource=resource)
    if version is not None:
        request.options.CopyFrom(options_pb2.GetPolicyOptions(requested_policy_version=version))
    found: policy_pb2.Policy = client.get_iam_policy(request=request)
    return found


def test_conditional_bindings_only_with_policy_version_3(real_clients: Clients) -> None:
    name = "projects/acme-prod/secrets/debug-token"
    v3 = get_policy(real_clients.secrets, name, 3)
    assert v3.version == 3 and v3.bindings[0].role == ACCESSOR
    assert v3.bindings[0].condition.expression.startswith("request.time <")
    for version in (None, 1):
        # https://cloud.google.com/iam/docs/troubleshooting-withcond
        v1 = get_policy(real_clients.secrets, name, version)
        assert v1.version == 1 and not v1.bindings[0].HasField("condition")
        assert v1.bindings[0].role.startswith(f"{ACCESSOR}_withcond_")
    plain = get_policy(real_clients.secrets, "projects/acme-prod/secrets/billing-stripe-key", 3)
    assert plain.version == 1  # no conditions: answered as version 1 (options.proto)
    with pytest.raises(exceptions.InvalidArgument):
        get_policy(real_clients.secrets, name, 2)
    v3.version = 1
    with pytest.raises(exceptions.InvalidArgument, match="version 3"):
        real_clients.secrets.set_iam_policy(request={"resource": name, "policy": v3})


def test_resource_manager_reads(real: Sandbox, crm_for: Any) -> None:
    crm = crm_for(real)
    for token in ("acme-prod", "500000000001"):
        project = crm.projects.get_project(name=f"projects/{token}")
        assert project.name == "projects/500000000001" and project.project_id == "acme-prod"
        assert project.parent == "folders/2000"
    shared = get_policy(crm.projects, "projects/600000000002", 3)
    assert shared.version == 3 and shared.bindings[0].members == [CHAT_SA]
    assert (
        get_policy(crm.projects, "projects/acme-shared", 1)
        .bindings[0]
        .role.endswith(tuple("0123456789abcdef"))
    )
    folder = get_policy(crm.folders, "folders/2000", 3)
    assert [b.role for b in folder.bindings] == ["roles/viewer"]
    with pytest.raises(exceptions.PermissionDenied):
        get_policy(crm.organizations, "organizations/1000", 3)
    with pytest.raises(exceptions.PermissionDenied):
        crm.projects.get_project(name="projects/not-a-project")
    with pytest.raises(exceptions.PermissionDenied):
        get_policy(crm.folders, "folders/9", 3)


def test_resource_manager_denials_per_project(make_sandbox: MakeSandbox, crm_for: Any) -> None:
    sandbox = make_sandbox({"projects": {"p": {"number": 5, "deny": ["GetIamPolicy"]}}})
    crm = crm_for(sandbox)
    assert crm.projects.get_project(name="projects/p").name == "projects/5"
    with pytest.raises(exceptions.PermissionDenied):
        get_policy(crm.projects, "projects/p", 3)
    assert {call.short for call in sandbox.calls} == {"GetProject", "GetIamPolicy"}


def test_grant_helper_adds_conditional_bindings(real: Sandbox, real_clients: Clients) -> None:
    real.grant(
        "projects/acme-prod/secrets/chat-db-url",
        ACCESSOR,
        "user:x@acme.example",
        condition='resource.name.endsWith("/1")',
    )
    policy = get_policy(real_clients.secrets, "projects/acme-prod/secrets/chat-db-url", 3)
    assert policy.version == 3
    assert policy.bindings[-1].condition == expr_pb2.Expr(
        title=ACCESSOR, expression='resource.name.endsWith("/1")'
    )
