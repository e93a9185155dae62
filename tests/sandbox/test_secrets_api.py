"""Secret Manager v1 in the sandbox, through the official clients."""

from __future__ import annotations

import asyncio

import pytest
from google.api_core import exceptions
from google.cloud import run_v2, secretmanager_v1
from google.iam.v1 import policy_pb2

from drift.sandbox import Sandbox
from drift.sandbox.secrets_api import crc32c
from tests.conftest import AsyncClients, Clients
from tests.sandbox.helpers import PROJECT, answered_name, secret_name, service_name

State = secretmanager_v1.SecretVersion.State
ACCESSOR = "roles/secretmanager.secretAccessor"
API_SA = "serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com"


def test_crc32c_known_vector() -> None:
    assert crc32c(b"123456789") == 0xE3069283


def test_list_and_get_secrets(clients: Clients) -> None:
    pager = clients.secrets.list_secrets(request={"parent": f"projects/{PROJECT}", "page_size": 2})
    pages = list(pager.pages)
    assert [len(p.secrets) for p in pages] == [2, 2, 1] and pages[0].total_size == 5
    listed = [s for p in pages for s in p.secrets]
    names = [s.name.rsplit("/", 1)[1] for s in listed]
    assert "e2e-oauth-simulation-key-staging" in names
    # "sorted in reverse by create_time (newest first)" (ListSecretsResponse.secrets)
    made = [s.create_time for s in listed]
    assert made == sorted(made, reverse=True) and len(set(made)) > 1
    filtered = clients.secrets.list_secrets(
        request={"parent": "projects/401234567890", "filter": "name:jwt"}
    )
    assert [s.name for s in filtered] == [answered_name("jwt-secret-staging")]
    either = clients.secrets.list_secrets(  # Secret Manager's own example's shape
        request={"parent": f"projects/{PROJECT}", "filter": "name:jwt OR name:secret-key"}
    )
    assert {s.name.rsplit("/", 1)[1] for s in either} == {
        "jwt-secret-staging",
        "secret-key-staging",
    }
    # "0 when the ListSecretsRequest.filter field is set" (ListSecretsResponse.total_size)
    assert next(iter(either.pages)).total_size == 0
    labelled = clients.secrets.list_secrets(
        request={"parent": f"projects/{PROJECT}", "filter": "labels.env:staging AND name:key"}
    )
    assert "secret-key-staging" in {s.name.rsplit("/", 1)[1] for s in labelled}
    assert all(s.labels.get("env") == "staging" for s in labelled)
    secret = clients.secrets.get_secret(name=secret_name("secret-key-staging"))
    assert secret.version_aliases == {"current": 3} and secret.labels["env"] == "staging"
    with pytest.raises(exceptions.NotFound):
        clients.secrets.get_secret(name=secret_name("nope"))


def test_versions_states_and_latest(clients: Clients) -> None:
    versions = list(clients.secrets.list_secret_versions(parent=secret_name("secret-key-staging")))
    assert [(v.name.rsplit("/", 1)[1], v.state) for v in versions] == [
        ("3", State.ENABLED),
        ("2", State.DISABLED),
        ("1", State.DESTROYED),
    ]
    assert versions[2].destroy_time
    latest = clients.secrets.get_secret_version(name=secret_name("secret-key-staging", "latest"))
    assert latest.name == answered_name("secret-key-staging", 3)
    enabled = clients.secrets.list_secret_versions(
        request={"parent": secret_name("secret-key-staging"), "filter": "state:ENABLED"}
    )
    assert [v.name for v in enabled] == [latest.name]


def test_access_resolves_latest_and_aliases_with_crc32c(clients: Clients) -> None:
    response = clients.secrets.access_secret_version(
        name=secret_name("secret-key-staging", "latest")
    )
    assert response.name == answered_name("secret-key-staging", 3)
    assert len(response.payload.data) >= 32
    assert response.payload.data_crc32c == crc32c(response.payload.data)
    by_alias = clients.secrets.access_secret_version(
        name=secret_name("secret-key-staging", "current")
    )
    assert by_alias.payload.data == response.payload.data


@pytest.mark.parametrize(
    ("version", "error", "text"),
    [
        ("2", exceptions.FailedPrecondition, "DISABLED"),
        ("1", exceptions.FailedPrecondition, "DESTROYED"),
        ("9", exceptions.NotFound, "not found"),
    ],
)
def test_access_of_unusable_versions_fails(
    clients: Clients, version: str, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        clients.secrets.access_secret_version(
            name=secret_name("secret-key-staging", version), retry=None
        )


def test_latest_is_the_newest_version_whatever_its_state(clients: Clients) -> None:
    name = secret_name("jwt-secret-staging")
    clients.secrets.disable_secret_version(name=f"{name}/versions/2")
    with pytest.raises(exceptions.FailedPrecondition, match="versions/2\\] is in DISABLED"):
        clients.secrets.access_secret_version(name=f"{name}/versions/latest", retry=None)
    payload = secretmanager_v1.SecretPayload(data=b"fake-rotated-value-000000000000000")
    added = clients.secrets.add_secret_version(parent=name, payload=payload)
    assert added.name == answered_name("jwt-secret-staging", 3) and added.state == State.ENABLED
    accessed = clients.secrets.access_secret_version(name=f"{name}/versions/latest")
    assert accessed.name == added.name and accessed.payload.data == payload.data


def test_create_secret_and_add_versions_with_checksums(clients: Clients, sandbox: Sandbox) -> None:
    secret = secretmanager_v1.Secret(
        replication=secretmanager_v1.Replication(automatic=secretmanager_v1.Replication.Automatic())
    )
    parent = f"projects/{PROJECT}"
    created = clients.secrets.create_secret(
        parent=parent, secret_id="fernet-key-staging", secret=secret
    )
    assert created.name == answered_name("fernet-key-staging") and created.create_time
    newest = next(iter(clients.secrets.list_secrets(parent=parent)))  # newest first
    assert newest.name == created.name
    with pytest.raises(exceptions.AlreadyExists):
        clients.secrets.create_secret(parent=parent, secret_id="fernet-key-staging", secret=secret)
    with pytest.raises(exceptions.InvalidArgument, match="replication"):
        clients.secrets.create_secret(parent=parent, secret_id="other", secret={})
    data = b"fake-fernet-key-0123456789abcdef0123456789abcdef"
    bad = secretmanager_v1.SecretPayload(data=data, data_crc32c=crc32c(data) ^ 1)
    with pytest.raises(exceptions.InvalidArgument, match="Checksum"):
        clients.secrets.add_secret_version(parent=created.name, payload=bad)
    good = secretmanager_v1.SecretPayload(data=data, data_crc32c=crc32c(data))
    version = clients.secrets.add_secret_version(parent=created.name, payload=good)
    assert version.name.endswith("/versions/1") and version.client_specified_payload_checksum
    recorded = [c for c in sandbox.calls if c.short == "AddSecretVersion"]
    assert [c.code for c in recorded] == ["INVALID_ARGUMENT", "OK"]
    assert all(c.request.payload.data == b"" for c in recorded)  # never kept in the log


def test_enable_disable_destroy(clients: Clients) -> None:
    name = secret_name("secret-key-staging", 2)
    assert clients.secrets.enable_secret_version(name=name).state == State.ENABLED
    assert clients.secrets.access_secret_version(name=name).payload.data
    disabled = clients.secrets.disable_secret_version(name=name)
    assert disabled.state == State.DISABLED
    with pytest.raises(exceptions.Aborted):
        clients.secrets.destroy_secret_version(request={"name": name, "etag": '"stale"'})
    destroyed = clients.secrets.destroy_secret_version(
        request={"name": name, "etag": disabled.etag}
    )
    assert destroyed.state == State.DESTROYED and destroyed.destroy_time
    with pytest.raises(exceptions.FailedPrecondition):
        clients.secrets.enable_secret_version(name=name)


def test_iam_policy_get_set_and_effect_on_deploys(clients: Clients) -> None:
    resource = secret_name("jwt-secret-staging")
    policy = clients.secrets.get_iam_policy(request={"resource": resource})
    (binding,) = policy.bindings
    assert binding.role == ACCESSOR and API_SA in binding.members
    stale = policy_pb2.Policy()
    stale.CopyFrom(policy)
    kept = [m for m in binding.members if m != API_SA]
    policy.bindings[0].ClearField("members")
    policy.bindings[0].members.extend(kept)
    updated = clients.secrets.set_iam_policy(request={"resource": resource, "policy": policy})
    assert API_SA not in updated.bindings[0].members and updated.etag != stale.etag
    with pytest.raises(exceptions.Aborted):
        clients.secrets.set_iam_policy(request={"resource": resource, "policy": stale})
    api = clients.services.get_service(name=service_name("api"))
    api.template.containers[0].env.append(run_v2.EnvVar(name="BUMP", value="1"))
    with pytest.raises(
        exceptions.FailedPrecondition, match="Permission denied.*jwt-secret-staging"
    ):
        clients.services.update_service(service=api).result(timeout=10)


def test_async_secret_client(async_clients: AsyncClients) -> None:
    async def scenario() -> None:
        async with async_clients() as c:
            names = [
                s.name async for s in await c.secrets.list_secrets(parent=f"projects/{PROJECT}")
            ]
            assert len(names) == 5
            accessed = await c.secrets.access_secret_version(
                name=secret_name("database-url-staging", "latest")
            )
            assert accessed.payload.data.startswith(b"postgresql://")
            with pytest.raises(exceptions.FailedPrecondition):
                await c.secrets.access_secret_version(
                    name=secret_name("secret-key-staging", 2), retry=None
                )
            policy = await c.secrets.get_iam_policy(request={"resource": names[0]})
            assert policy.bindings

    asyncio.run(scenario())
