"""The revisions' WebSocket backends: real handshakes that close with 1011 when the revision's
configuration is missing, routed by traffic split and tags, started and stopped with traffic."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import pytest
from google.cloud import run_v2

from drift.findings import ProbeOutcome, ProbeResult
from drift.sandbox import Sandbox, mint_test_jwt
from drift.sandbox.backend import verify_jwt
from tests.conftest import Clients
from tests.sandbox.helpers import PROJECT, Outcome, probe, service_name

E2E = {"X-Test-Type": "e2e"}
PONG = '{"type": "pong"}'


def token_for(sandbox: Sandbox) -> str:
    return mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging"))


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_jwt_mint_and_verify() -> None:
    token = mint_test_jwt("fake-key-" + "k" * 32, subject="tester")
    assert verify_jwt(token, "fake-key-" + "k" * 32)
    assert not verify_jwt(token, "another-key")
    # A character inside the signature carries six bits of it (the last one only four: a
    # different last character can decode to the same bytes), so changing it always tampers.
    head, payload, signature = token.split(".")
    other = "A" if signature[10] != "A" else "B"
    tampered = f"{head}.{payload}.{signature[:10]}{other}{signature[11:]}"
    assert not verify_jwt(tampered, "fake-key-" + "k" * 32)
    assert not verify_jwt("not.a.jwt", "key") and not verify_jwt("", "key")
    expired = mint_test_jwt("key", ttl_seconds=-10)
    assert not verify_jwt(expired, "key")
    assert verify_jwt(expired, "key", now=time.time() - 3600)


def test_plain_connection_with_a_token_stays_open(sandbox: Sandbox) -> None:
    outcome = probe(sandbox.service(PROJECT, "api").uri, token=token_for(sandbox))
    assert outcome == Outcome(101, reply=PONG)


def test_the_incident_e2e_connections_close_with_1011(sandbox: Sandbox) -> None:
    outcome = probe(sandbox.service(PROJECT, "api").uri, token=token_for(sandbox), headers=E2E)
    assert (outcome.status, outcome.close_code, outcome.close_reason) == (
        101,
        1011,
        "internal error",
    )


def test_auth_failures_are_policy_violations(sandbox: Sandbox) -> None:
    uri = sandbox.service(PROJECT, "api").uri
    assert probe(uri).close_code == 1008
    assert probe(uri, token=mint_test_jwt("wrong-key")).close_code == 1008
    assert probe(uri, token="garbage").close_code == 1008


def test_health_and_unknown_paths(sandbox: Sandbox) -> None:
    uri = sandbox.service(PROJECT, "api").uri
    with urllib.request.urlopen(uri + "/", timeout=5) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(uri + "/missing", timeout=5)
    raised.value.close()
    assert raised.value.code == 404
    assert probe(uri, "/elsewhere", token=token_for(sandbox)).status == 404


def test_service_without_backend_checks_accepts_any_websocket(sandbox: Sandbox) -> None:
    web = sandbox.service(PROJECT, "web")
    assert probe(web.uri, "/_next/webpack-hmr").reply == PONG


def test_removing_a_required_variable_closes_with_1011(clients: Clients, sandbox: Sandbox) -> None:
    token = token_for(sandbox)
    api = clients.services.get_service(name=service_name("api"))
    old_port = port_of(sandbox.backend_url(PROJECT, "api", api.traffic_statuses[0].revision))
    assert probe(api.uri, token=token).reply == PONG
    container = api.template.containers[0]
    container.env = [var for var in container.env if var.name != "REDIS_HOST"]
    after = clients.services.update_service(service=api).result(timeout=10)
    assert after.uri == api.uri  # the service URL survives; its revision changed
    assert probe(after.uri, token=token).close_code == 1011
    assert refuses(old_port)  # the revision that stopped serving stopped its backend


def test_adding_the_e2e_configuration_fixes_the_incident(sandbox: Sandbox) -> None:
    sandbox.set_env(PROJECT, "api", "E2E_TEST_MODE", "true")
    sandbox.set_env(
        PROJECT, "api", "E2E_OAUTH_SIMULATION_KEY", None, secret="e2e-oauth-simulation-key-staging"
    )
    api = sandbox.set_env(PROJECT, "api", "JWT_SECRET_STAGING", None, secret="jwt-secret-staging")
    assert api.latest_created_revision.rsplit("-", 2)[1] == "00007"
    assert probe(api.uri, token=token_for(sandbox), headers=E2E).reply == PONG
    removed = sandbox.set_env(PROJECT, "api", "E2E_TEST_MODE", None)
    names = [var.name for var in removed.template.containers[0].env]
    assert "E2E_TEST_MODE" not in names and "JWT_SECRET_STAGING" in names
    assert probe(api.uri, token=token_for(sandbox), headers=E2E).close_code == 1011


def test_a_failed_revision_from_set_env_keeps_serving_the_old_one(sandbox: Sandbox) -> None:
    api = sandbox.set_env(PROJECT, "api", "FERNET_KEY", None, secret="no-such-secret")
    assert api.latest_created_revision != api.latest_ready_revision
    assert probe(api.uri, token=token_for(sandbox)).reply == PONG


def test_tag_url_reaches_its_revision_until_the_tag_goes(
    clients: Clients, sandbox: Sandbox
) -> None:
    api = clients.services.get_service(name=service_name("api"))
    revisions = [
        r.name.rsplit("/", 1)[1] for r in clients.revisions.list_revisions(parent=api.name)
    ]
    current, older = revisions[0], revisions[1]
    api.traffic = [
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType(2), revision=current, percent=100
        ),
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType(2), revision=older, percent=0, tag="previous"
        ),
    ]
    tagged = clients.services.update_service(service=api).result(timeout=10)
    assert tagged.latest_created_revision == api.latest_created_revision  # traffic only
    (status,) = [s for s in tagged.traffic_statuses if s.tag == "previous"]
    assert status.revision == older and status.uri
    # the tag's URL is the tag's, routed to the revision it points to (fleet.py)
    assert sandbox.backend_url(PROJECT, "api", older) != status.uri
    assert probe(status.uri, token=token_for(sandbox)).reply == PONG
    tagged.traffic = [tagged.traffic[0]]
    untagged = clients.services.update_service(service=tagged).result(timeout=10)
    assert [s.tag for s in untagged.traffic_statuses] == [""]
    assert refuses(port_of(status.uri))


def test_service_url_splits_connections_by_percent(clients: Clients, sandbox: Sandbox) -> None:
    before = sandbox.service(PROJECT, "api")
    good = before.traffic_statuses[0].revision
    broken = sandbox.set_env(PROJECT, "api", "REDIS_HOST", None)
    bad = broken.traffic_statuses[0].revision
    broken.traffic = [
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType(2), revision=good, percent=50
        ),
        run_v2.TrafficTarget(type_=run_v2.TrafficTargetAllocationType(2), revision=bad, percent=50),
    ]
    split = clients.services.update_service(service=broken).result(timeout=10)
    assert sorted(s.percent for s in split.traffic_statuses) == [50, 50]
    token = token_for(sandbox)
    seen = Counter(probe(split.uri, token=token, hold=0.05).close_code for _ in range(16))
    assert seen[1011] and seen[None]


def _drift_probe(url: str, *subprotocols: str) -> ProbeResult:
    from drift.probe.client import probe as drift_probe
    from tests.probe.helpers import run, target

    return run(drift_probe(target(url, "/ws", subprotocols=subprotocols), environ={}))


def test_a_backend_names_the_subprotocol_it_takes(sandbox: Sandbox) -> None:
    """revprobe F2: drift's probe (as a browser) fails a 101 that names none of the offered
    subprotocols, so the backends name one: the `jwt.` one the auth check reads, else the
    first offered (web has no backend: an app that takes what it is offered)."""
    api = sandbox.service(PROJECT, "api").uri
    assert _drift_probe(api, "graphql-ws", f"jwt.{token_for(sandbox)}").ok
    web = sandbox.service(PROJECT, "web").uri
    result = _drift_probe(web, "graphql-ws")
    assert result.ok, result.detail


def test_a_backend_that_selects_no_subprotocol_fails_the_probe(make_sandbox: Any) -> None:
    """`backend: {selects_subprotocol: false}`: the app accepts without naming one (RFC 6455
    allows it); a browser, and drift's probe, fail that handshake."""
    world = {
        "projects": {
            "lab": {
                "number": 555000111333,
                "region": "us-central1",
                "services": {
                    "app": {
                        "template": {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080},
                        "backend": {"selects_subprotocol": False},
                    }
                },
            }
        }
    }
    lab = make_sandbox(world)
    result = _drift_probe(lab.service("lab", "app").uri, "jwt.x")
    assert (result.outcome, result.http_status) == (ProbeOutcome.UNEXPECTED, 101)
    assert "without selecting the subprotocol it offered" in result.detail
    assert _drift_probe(lab.service("lab", "app").uri).ok  # none offered: nothing to select
