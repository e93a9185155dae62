"""The sandbox as a user's tool: loopback only, ports checked, a taken port refused, a request
log without secrets, the variables and test tokens `drift sandbox` prints."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
from pathlib import Path

import pytest

from drift.errors import DriftError
from drift.sandbox import Sandbox, SandboxError, run_foreground
from tests.conftest import ClientsFor
from tests.sandbox.helpers import PROJECT, probe, secret_name


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "999.1.1.1", "example.com", "::"])
def test_only_loopback_hosts(host: str) -> None:
    with pytest.raises(SandboxError, match="loopback") as raised:
        Sandbox(host=host)
    assert isinstance(raised.value, DriftError)  # the CLI's one-line, exit-2 errors


@pytest.mark.parametrize("port", [-1, 65536, 10**6])
def test_ports_in_range(port: int) -> None:
    with pytest.raises(SandboxError, match="0-65535"):
        Sandbox(port=port)


def test_a_taken_port_is_refused_not_shared() -> None:
    with Sandbox() as first:
        port = int(first.address.rsplit(":", 1)[1])
        second = Sandbox(port=port)
        with pytest.raises(SandboxError, match="taken"):
            second.start()
        assert not second.running
        assert first.service(PROJECT, "api").name  # the first one still serves


def test_localhost_and_ipv6_loopback() -> None:
    with Sandbox(host="::1") as sandbox:
        assert sandbox.address.startswith("[::1]:")
        assert probe(sandbox.service(PROJECT, "web").uri).status == 101


def test_request_log_has_one_line_per_call_and_no_secret(
    tmp_path: Path, clients_for: ClientsFor
) -> None:
    log = tmp_path / "calls.jsonl"
    with Sandbox(log=log) as sandbox:
        clients = clients_for(sandbox)
        value = sandbox.secret_value(PROJECT, "jwt-secret-staging")
        clients.secrets.access_secret_version(name=secret_name("jwt-secret-staging", "latest"))
        with pytest.raises(Exception, match="not found"):
            clients.secrets.get_secret(name=secret_name("nope"))
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["method"].rsplit("/", 1)[1], line["status"]) for line in lines] == [
        ("AccessSecretVersion", "OK"),
        ("GetSecret", "NOT_FOUND"),
    ]
    assert lines[0]["resource"] == secret_name("jwt-secret-staging", "latest")
    assert set(lines[0]) == {"time", "method", "resource", "status"}
    assert value not in log.read_text()


def test_environ_names_every_emulated_api(sandbox: Sandbox) -> None:
    assert sorted(sandbox.environ()) == [
        "CLOUD_RUN_EMULATOR_HOST",
        "RESOURCE_MANAGER_EMULATOR_HOST",
        "SECRET_MANAGER_EMULATOR_HOST",
    ]


def test_test_tokens_are_accepted_by_the_backends(sandbox: Sandbox) -> None:
    tokens = sandbox.test_tokens()
    assert list(tokens) == ["ACME_TEST_JWT"]
    sandbox.set_env(PROJECT, "api", "TESTING", None)
    url = sandbox.service(PROJECT, "api").uri
    assert probe(url, token=tokens["ACME_TEST_JWT"]).reply == '{"type": "pong"}'
    assert probe(url, token="not-a-token").close_code == 1008


def test_run_foreground_prints_every_variable_and_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(SandboxError):
        run_foreground(host="0.0.0.0", out=io.StringIO())
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals need the main thread")
    out = io.StringIO()
    log = tmp_path / "log.jsonl"

    def interrupt() -> None:
        for _ in range(400):
            if "Ctrl-C" in out.getvalue():
                break
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt, name="test-interrupt")
    killer.start()
    try:
        assert run_foreground(None, out=out, log=log) == 0
    finally:
        killer.join()
    exports = [line for line in out.getvalue().splitlines() if line.startswith("export ")]
    names = [line.split("=", 1)[0].removeprefix("export ") for line in exports]
    assert names == [
        "CLOUD_RUN_EMULATOR_HOST",
        "SECRET_MANAGER_EMULATOR_HOST",
        "RESOURCE_MANAGER_EMULATOR_HOST",
        "ACME_TEST_JWT",
    ]
