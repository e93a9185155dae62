"""Secret Manager lifecycle in the sandbox: expiry (`expire_time`/`ttl`), delayed destruction
(`version_destroy_ttl`, `scheduled_destroy_time`), through the official clients and the
sandbox clock."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import secretmanager_v1
from google.protobuf import duration_pb2

from drift.sandbox import Sandbox
from tests.conftest import Clients

State = secretmanager_v1.SecretVersion.State
KEY = "projects/acme-prod/secrets/ledger-signing-key"
DAY = 86400


def test_a_secret_expires_at_its_expire_time(real: Sandbox, real_clients: Clients) -> None:
    secret = real_clients.secrets.get_secret(name=KEY)
    assert secret.expire_time.timestamp() > 0
    real.advance(9 * DAY)
    # named by the project's number, as Secret Manager answers (acme-prod is 500000000001)
    assert real_clients.secrets.get_secret(name=KEY).name == KEY.replace(
        "acme-prod", "500000000001"
    )
    real.advance(2 * DAY)  # "the secret is deleted then"
    with pytest.raises(exceptions.NotFound):
        real_clients.secrets.get_secret(name=KEY)


def test_a_version_scheduled_for_destruction_is_disabled_then_destroyed(
    real: Sandbox, real_clients: Clients
) -> None:
    version = real_clients.secrets.get_secret_version(name=f"{KEY}/versions/1")
    assert version.state == State.DISABLED and version.scheduled_destroy_time.timestamp() > 0
    assert not version.destroy_time
    real.advance(5 * DAY + 1)
    destroyed = real_clients.secrets.get_secret_version(name=f"{KEY}/versions/1")
    assert destroyed.state == State.DESTROYED and destroyed.destroy_time.timestamp() > 0


def test_destroy_with_a_delay_then_restore(real: Sandbox, real_clients: Clients) -> None:
    name = f"{KEY}/versions/2"
    scheduled = real_clients.secrets.destroy_secret_version(name=name)
    # version_destroy_ttl: "the version goes to a disabled state and destruction happens
    # after the TTL expires"
    assert scheduled.state == State.DISABLED
    gap = scheduled.scheduled_destroy_time.timestamp() - scheduled.create_time.timestamp()
    assert gap > 6 * DAY
    with pytest.raises(exceptions.FailedPrecondition):
        real_clients.secrets.access_secret_version(name=name)
    restored = real_clients.secrets.enable_secret_version(name=name)
    assert restored.state == State.ENABLED and not restored.scheduled_destroy_time
    real.advance(8 * DAY)
    assert real_clients.secrets.get_secret_version(name=name).state == State.ENABLED


def test_destroy_without_a_delay_is_at_once(real_clients: Clients) -> None:
    name = "projects/acme-prod/secrets/chat-db-url/versions/1"
    destroyed = real_clients.secrets.destroy_secret_version(name=name)
    assert destroyed.state == State.DESTROYED and not destroyed.scheduled_destroy_time


def test_a_ttl_on_create_becomes_an_expire_time(real: Sandbox, real_clients: Clients) -> None:
    created = real_clients.secrets.create_secret(
        parent="projects/acme-prod",
        secret_id="short-lived",
        secret=secretmanager_v1.Secret(
            replication=secretmanager_v1.Replication(
                automatic=secretmanager_v1.Replication.Automatic()
            ),
            ttl=duration_pb2.Duration(seconds=3600),
        ),
    )
    assert created.expire_time.timestamp() > 0 and not created.ttl
    real.advance(3601)
    with pytest.raises(exceptions.NotFound):
        real_clients.secrets.get_secret(name="projects/acme-prod/secrets/short-lived")
