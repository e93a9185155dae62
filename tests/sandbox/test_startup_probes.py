"""Option `startup_probes` (drift/sandbox/startup.py): a new service revision whose ingress
container's startup probe fails against what the backend serves (an HTTP GET on / or /healthz,
a TCP connection, on the container's port) never becomes ready, its Ready condition failed with
HEALTH_CHECK_CONTAINER_ERROR and the probe's failure; `passed`: every probe passes. An HTTP
probe of an h2c port as option `http_probe_h2c` says."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.test_template_defaults import SERVICE, _sandbox

HTTP = run_v2.HTTPGetAction
TCP = run_v2.TCPSocketAction


def _write(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, probe: Any, port: str = "", **options: Any
) -> Any:
    """Write `probe` as the startup probe of svc's container (its port named `port`): (the
    operation's error, the new revision's Ready condition), or None when it succeeds."""
    clients = clients_for(_sandbox(make_sandbox, "filled", **options))
    service = clients.services.get_service(name=SERVICE)
    service.template.containers[0].startup_probe = probe
    service.template.containers[0].ports = [run_v2.ContainerPort(container_port=8080, name=port)]
    try:
        clients.services.update_service(service=service).result()
    except exceptions.GoogleAPICallError as error:
        name = clients.services.get_service(name=SERVICE).latest_created_revision
        revision = clients.revisions.get_revision(name=name)
        return error, next(c for c in revision.conditions if c.type_ == "Ready")
    return None


@pytest.mark.parametrize(
    "probe",
    [
        run_v2.Probe(http_get=HTTP(path="/healthz")),
        run_v2.Probe(http_get=HTTP(path="/", port=8080)),
        run_v2.Probe(tcp_socket=TCP()),
        run_v2.Probe(tcp_socket=TCP(port=8080), timeout_seconds=240, period_seconds=240),
    ],
)
def test_a_probe_the_backend_answers_starts_the_revision(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, probe: Any
) -> None:
    assert _write(make_sandbox, clients_for, probe) is None


@pytest.mark.parametrize(
    ("probe", "said"),
    [
        (
            run_v2.Probe(http_get=HTTP(path="/ready"), failure_threshold=5),
            'STARTUP HTTP probe failed 5 times consecutively for container "svc-1" on path '
            '"/ready". The instance was not started.',
        ),
        (
            run_v2.Probe(
                tcp_socket=TCP(port=9090),
                timeout_seconds=240,
                period_seconds=240,
                failure_threshold=1,
            ),  # fmt: skip
            'Default STARTUP TCP probe failed 1 time consecutively for container "svc-1" on '
            "port 9090. The instance was not started.",
        ),
        (
            run_v2.Probe(grpc=run_v2.GRPCAction()),
            'STARTUP GRPC probe failed 3 times consecutively for container "svc-1" on port 8080.',
        ),
    ],
)
def test_a_probe_the_backend_does_not_answer_fails_the_revision(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, probe: Any, said: str
) -> None:
    error, ready = _write(make_sandbox, clients_for, probe)
    assert said in str(error) and said in ready.message
    assert ready.state == run_v2.Condition.State.CONDITION_FAILED
    assert ready.revision_reason == run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
    assert not ready.reason  # no CommonReason: not a secret's nor an image's


def test_passed_lets_every_probe_start(make_sandbox: MakeSandbox, clients_for: ClientsFor) -> None:
    probe = run_v2.Probe(http_get=HTTP(path="/ready"))
    assert _write(make_sandbox, clients_for, probe, startup_probes="passed") is None


@pytest.mark.parametrize("option", ["passes", "fails"])
def test_an_http_probe_of_an_h2c_port_is_as_the_option_says(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str
) -> None:
    """ "your service must use HTTP/1 (the Cloud Run default), not HTTP/2" (healthchecks page):
    whether an h2c app answers the HTTP probe, option `http_probe_h2c`; a TCP probe passes."""
    http = run_v2.Probe(http_get=HTTP(path="/healthz"))
    done = _write(make_sandbox, clients_for, http, "h2c", http_probe_h2c=option)
    if option == "passes":
        assert done is None
    else:
        said = 'STARTUP HTTP probe failed 3 times consecutively for container "svc-1" on path'
        assert said in str(done[0]) and done[1].state == run_v2.Condition.State.CONDITION_FAILED
    tcp = run_v2.Probe(tcp_socket=TCP())
    assert _write(make_sandbox, clients_for, tcp, "h2c", http_probe_h2c=option) is None
