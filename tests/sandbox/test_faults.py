"""Fault injection: error codes, first-N, rate, match, latency that does not block others."""

from __future__ import annotations

import asyncio
import time

import pytest
from google.api_core import exceptions
from google.rpc import error_details_pb2

from drift.sandbox import Fault, Sandbox
from drift.sandbox.scenario import default_scenario_path, load_scenario
from drift.sandbox.scenario_models import FaultSpec
from tests.conftest import AsyncClients, Clients, ClientsFor, MakeSandbox
from tests.sandbox.helpers import secret_name, service_name


def test_first_n_calls_fail_with_the_code(clients: Clients, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(method="GetService", code="UNAVAILABLE", first_n=2))
    for _ in range(2):
        with pytest.raises(exceptions.ServiceUnavailable, match="injected fault"):
            clients.services.get_service(name=service_name("api"), retry=None)
    assert clients.services.get_service(name=service_name("api"), retry=None).name
    codes = [c.code for c in sandbox.calls if c.short == "GetService"]
    assert codes == ["UNAVAILABLE", "UNAVAILABLE", "OK"]
    assert sandbox.call_counts()["GetService"] == 3


def test_match_limits_a_fault_to_some_resources(clients: Clients, sandbox: Sandbox) -> None:
    sandbox.inject(
        Fault(method="AccessSecretVersion", code="PERMISSION_DENIED", match="database-url")
    )
    with pytest.raises(exceptions.PermissionDenied):
        clients.secrets.access_secret_version(name=secret_name("database-url-staging", "latest"))
    assert clients.secrets.access_secret_version(name=secret_name("jwt-secret-staging", "latest"))
    sandbox.clear_faults()
    assert clients.secrets.access_secret_version(name=secret_name("database-url-staging", "latest"))


def test_rate_is_a_seeded_probability(clients: Clients, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(method="*", code="INTERNAL", rate=0.5))
    failures = 0
    for _ in range(40):
        try:
            clients.services.get_service(name=service_name("web"), retry=None)
        except exceptions.InternalServerError:
            failures += 1
    assert 8 <= failures <= 32


def test_resource_exhausted_carries_retry_info(clients: Clients, sandbox: Sandbox) -> None:
    sandbox.inject(Fault(method="ListServices", code="RESOURCE_EXHAUSTED", retry_delay_ms=1500))
    with pytest.raises(exceptions.ResourceExhausted) as raised:
        clients.services.list_services(
            parent="projects/acme-chat-staging/locations/us-central1", retry=None
        )
    (info,) = [d for d in raised.value.details if isinstance(d, error_details_pb2.RetryInfo)]
    assert info.retry_delay.ToMilliseconds() == 1500


def test_a_fault_spec_sends_error_info(clients: Clients, sandbox: Sandbox) -> None:
    """`error_info` in a scenario's fault is a google.rpc.ErrorInfo in the status details
    (google/rpc/error_details.proto), as the client library parses it (`exc.reason`)."""
    spec = FaultSpec.model_validate(
        {
            "method": "GetSecret",
            "code": "PERMISSION_DENIED",
            "error_info": {
                "reason": "SERVICE_DISABLED",
                "metadata": {"service": "secretmanager.googleapis.com", "consumer": "projects/1"},
            },
        }
    )
    sandbox.inject(Fault.from_spec(spec))
    with pytest.raises(exceptions.PermissionDenied) as raised:
        clients.secrets.get_secret(name="projects/acme-chat-staging/secrets/jwt-secret-staging")
    assert raised.value.reason == "SERVICE_DISABLED"
    assert raised.value.domain == "googleapis.com"
    assert raised.value.metadata == {
        "service": "secretmanager.googleapis.com",
        "consumer": "projects/1",
    }


def test_latency_does_not_block_other_calls(async_clients: AsyncClients, sandbox: Sandbox) -> None:
    """Judged by when the calls arrived, not by wall time: served one after another, each
    would arrive a second after the one before it (its answer)."""
    sandbox.inject(Fault(method="GetService", code=None, latency_ms=1000))
    sandbox.clear_calls()

    async def many() -> float:
        async with async_clients() as c:
            started = time.monotonic()
            await asyncio.gather(
                *(c.services.get_service(name=service_name("api")) for _ in range(20))
            )
            return time.monotonic() - started

    elapsed = asyncio.run(many())
    arrived = sorted(c.at for c in sandbox.calls if c.short == "GetService")
    assert len(arrived) == 20
    assert arrived[-1] - arrived[0] < 1.0, arrived  # all in before the first was answered
    assert elapsed >= 1.0  # and the latency was there


def test_global_latency(clients: Clients, sandbox: Sandbox) -> None:
    sandbox.set_latency(100)
    started = time.monotonic()
    clients.services.get_service(name=service_name("api"))
    assert time.monotonic() - started >= 0.1


def test_scenario_faults_apply_and_survive_reset(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    data = load_scenario(default_scenario_path()).model_dump()
    data["faults"] = [{"method": "GetSecret", "code": "DEADLINE_EXCEEDED", "first_n": 1}]
    sandbox = make_sandbox(data)
    client = clients_for(sandbox).secrets
    for _ in range(2):
        with pytest.raises(exceptions.DeadlineExceeded):
            client.get_secret(name=secret_name("jwt-secret-staging"), retry=None)
        assert client.get_secret(name=secret_name("jwt-secret-staging"), retry=None)
        sandbox.reset()


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="did you mean 'GetService'"):
        Fault(method="GetServices")
    with pytest.raises(ValueError, match="status code"):
        Fault(code="BROKEN")
    with pytest.raises(ValueError, match="rate"):
        Fault(rate=2.0)
