"""The emulator variables: Cloud Run's and Secret Manager's both or none (Resource Manager's
defaults to Cloud Run's), each client at its own address; an emulator that is not there is one
message naming the variables and `drift sandbox`, at the first refused call (never retried), while a
refused connection to the real API stays a transient error that is retried."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterator

import pytest
from google.api_core import exceptions as gexc

from drift.errors import ApiError, EmulatorUnreachable
from drift.live.calls import MAX_ATTEMPTS, CallRunner, Limits
from drift.live.clients import Emulators
from drift.live.session import Access, Session
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from tests.cliutil import REPO, drift

VARIABLES = (
    "CLOUD_RUN_EMULATOR_HOST",
    "SECRET_MANAGER_EMULATOR_HOST",
    "RESOURCE_MANAGER_EMULATOR_HOST",
)
REFUSED = (
    "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:9: "
    "Failed to connect to remote host: Connection refused"
)


@pytest.fixture
def closed_port() -> Iterator[str]:
    """host:port of a loopback port that refuses connections (bound, never listening: no
    other process can take it while the test runs)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"


def refusing(error: Exception) -> tuple[list[int], Callable[[float], Awaitable[str]]]:
    calls: list[int] = []

    async def fn(timeout: float) -> str:
        calls.append(1)
        raise error

    return calls, fn


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        await real_sleep(0)

    monkeypatch.setattr("drift.live.calls.asyncio.sleep", sleep)


def test_a_refused_emulator_is_not_retried() -> None:
    runner = CallRunner(Limits(), seed=1)
    runner.emulator = Emulators(dict.fromkeys(VARIABLES, "127.0.0.1:9"))
    calls, fn = refusing(gexc.ServiceUnavailable(REFUSED))
    with pytest.raises(EmulatorUnreachable) as caught:
        asyncio.run(runner.call("run", "GetService", "svc", fn))
    assert len(calls) == 1 and not runner.retries
    assert "127.0.0.1:9" in caught.value.message and "connection refused" in caught.value.message


def test_a_refused_real_api_stays_retried() -> None:
    runner = CallRunner(Limits(), seed=1)
    calls, fn = refusing(gexc.ServiceUnavailable(REFUSED))
    with pytest.raises(ApiError, match="UNAVAILABLE"):
        asyncio.run(runner.call("run", "GetService", "svc", fn))
    assert len(calls) == MAX_ATTEMPTS and runner.retries["GetService"] == MAX_ATTEMPTS - 1


def test_an_emulator_answering_unavailable_is_retried() -> None:
    """A server that answers UNAVAILABLE (an injected fault, an overloaded emulator) is there:
    only a connection nobody accepts ends the run."""
    runner = CallRunner(Limits(), seed=1)
    runner.emulator = Emulators(dict.fromkeys(VARIABLES, "127.0.0.1:9"))
    calls, fn = refusing(gexc.ServiceUnavailable("injected fault: GetService svc"))
    with pytest.raises(ApiError):
        asyncio.run(runner.call("run", "GetService", "svc", fn))
    assert len(calls) == MAX_ATTEMPTS


def test_reading_from_a_closed_port_stops_at_the_first_refusal(
    closed_port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the official clients on a real refused connection: one attempt per call made
    before the run stopped, no retry, and no task left to report its error later."""
    for name in VARIABLES:
        monkeypatch.setenv(name, closed_port)
    profile = load_profile(REPO / "profiles", "staging")
    runner = CallRunner(Limits(), seed=1)

    async def read() -> None:
        async with Session(Access(), runner) as session:
            await session.read(profile, list(profile.services))

    with pytest.raises(EmulatorUnreachable) as caught:
        asyncio.run(read())
    assert not runner.retries
    assert sum(runner.counts.values()) <= 8  # the calls started at once, each made once
    assert closed_port in caught.value.message


def test_check_against_a_closed_port_says_what_to_do(closed_port: str) -> None:
    no_proxy = dict.fromkeys(("grpc_proxy", "https_proxy", "http_proxy"), "")
    done = drift("check", "staging", env={**dict.fromkeys(VARIABLES, closed_port), **no_proxy})
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines == [
        "drift: error: CLOUD_RUN_EMULATOR_HOST, SECRET_MANAGER_EMULATOR_HOST and "
        f"RESOURCE_MANAGER_EMULATOR_HOST point at {closed_port}, where no emulator answers "
        "(connection refused)",
        "  hint: start the sandbox in another shell (`drift sandbox`) and paste the export "
        "lines it prints, or unset the emulator variables to use the real APIs",
    ]


# revenv E4: a runner behind a corporate proxy exports https_proxy; gRPC core sent even the
# insecure loopback channel of the emulator through it (doc/environment_variables.md: "grpc_proxy,
# https_proxy, http_proxy: the URI of the proxy to use for HTTP CONNECT support"), and drift said
# that no emulator answers, with the hint to start the sandbox — which was running.
@pytest.mark.parametrize("name", ["https_proxy", "grpc_proxy", "http_proxy"])
def test_proxy_variable_does_not_break_the_sandbox(sandbox_env: dict[str, str], name: str) -> None:
    result = drift(
        "check", "staging", "--no-history", env={**sandbox_env, name: "http://127.0.0.1:1"}
    )
    assert result.returncode == 1, result.stderr  # the sandbox's drift, as without the proxy
    assert "no emulator answers" not in result.stderr, result.stderr


def test_no_emulator_message_says_the_proxy_is_not_the_cause(closed_port: str) -> None:
    env = {**dict.fromkeys(VARIABLES, closed_port), "https_proxy": "http://proxy.corp:3128"}
    done = drift("check", "staging", env={**env, "grpc_proxy": "", "http_proxy": ""})
    assert done.returncode == 2
    assert (
        f"point at {closed_port}, where no emulator answers (connection refused; the proxy "
        "https_proxy names is not used for emulators)" in done.stderr
    ), done.stderr


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        (
            {"CLOUD_RUN_EMULATOR_HOST": "127.0.0.1:8085"},
            "CLOUD_RUN_EMULATOR_HOST=127.0.0.1:8085, SECRET_MANAGER_EMULATOR_HOST=(unset), "
            "RESOURCE_MANAGER_EMULATOR_HOST=(unset)",
        ),
        (
            {
                "SECRET_MANAGER_EMULATOR_HOST": "127.0.0.1:8086",
                "RESOURCE_MANAGER_EMULATOR_HOST": "127.0.0.1:8085",
            },
            "CLOUD_RUN_EMULATOR_HOST=(unset), SECRET_MANAGER_EMULATOR_HOST=127.0.0.1:8086, "
            "RESOURCE_MANAGER_EMULATOR_HOST=127.0.0.1:8085",
        ),
        (
            {"RESOURCE_MANAGER_EMULATOR_HOST": "127.0.0.1:8085"},
            "CLOUD_RUN_EMULATOR_HOST=(unset), SECRET_MANAGER_EMULATOR_HOST=(unset), "
            "RESOURCE_MANAGER_EMULATOR_HOST=127.0.0.1:8085",
        ),
    ],
    ids=["run-only", "no-run", "resources-only"],
)
def test_an_emulator_is_never_mixed_with_the_real_apis(env: dict[str, str], shown: str) -> None:
    """Never half an emulator and half the real API (which would ask for credentials)."""
    full = dict.fromkeys(VARIABLES, "") | env
    done = drift("check", "staging", env=full)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"drift: error: the emulator variables are half set: {shown}: an emulator is never "
        "mixed with the real APIs",
        "  hint: set CLOUD_RUN_EMULATOR_HOST and SECRET_MANAGER_EMULATOR_HOST (`drift sandbox` "
        "prints the export lines to paste), or unset them all to use the real APIs",
    ]
    assert "Application Default Credentials" not in done.stderr


def test_the_two_variables_the_spec_names_are_enough(sandbox_env: dict[str, str]) -> None:
    """SPEC Configuration names CLOUD_RUN_EMULATOR_HOST and SECRET_MANAGER_EMULATOR_HOST:
    Resource Manager is then read at the Cloud Run emulator's address (revspec1)."""
    env = {k: v for k, v in sandbox_env.items() if k != "RESOURCE_MANAGER_EMULATOR_HOST"}
    done = drift("check", "staging", env={**env, "RESOURCE_MANAGER_EMULATOR_HOST": ""})
    assert done.returncode in (0, 1), done.stderr  # checked, as with the three
    assert done.stdout == drift("check", "staging", env=sandbox_env).stdout


def test_each_client_talks_to_its_own_emulator(
    sandbox_env: dict[str, str], closed_port: str
) -> None:
    """Two addresses (Google's convention: one variable per client) are two emulators: Cloud
    Run is read at its own, and Secret Manager's refusing is said naming its variable."""
    env = {**sandbox_env, "SECRET_MANAGER_EMULATOR_HOST": closed_port}
    done = drift("check", "staging", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == (
        f"drift: error: SECRET_MANAGER_EMULATOR_HOST points at {closed_port}, where no "
        "emulator answers (connection refused)"
    ), done.stderr


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("http://127.0.0.1:18085", "drop the scheme (the variables take no URL)"),
        ("[::1]:x", "'x' is not a port (1 to 65535)"),
        ("127.0.0.1", "no port (HOST:PORT)"),
        ("[::1:18085", "an IPv6 address goes in brackets, the port after them"),
    ],
    ids=["scheme", "port", "no-port", "brackets"],
)
def test_a_malformed_emulator_address_says_what_is_wrong_with_it(host: str, why: str) -> None:
    """Not "the host name does not resolve" (what gRPC makes of it): what to fix."""
    done = drift("check", "staging", env=dict.fromkeys(VARIABLES, host))
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        "drift: error: CLOUD_RUN_EMULATOR_HOST, SECRET_MANAGER_EMULATOR_HOST and "
        f"RESOURCE_MANAGER_EMULATOR_HOST name {host!r}: {why}"
    ), done.stderr


def test_one_malformed_emulator_address_is_said_of_its_variable(
    sandbox_env: dict[str, str],
) -> None:
    """One variable "names" it (it was "CLOUD_RUN_EMULATOR_HOST name '…'"; helper-740)."""
    done = drift("check", "staging", env={**sandbox_env, "CLOUD_RUN_EMULATOR_HOST": "127.0.0.1"})
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        "drift: error: CLOUD_RUN_EMULATOR_HOST names '127.0.0.1': no port (HOST:PORT)"
    ), done.stderr


def _serving(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """host:port of a loopback server that is not gRPC: each connection it accepts goes to
    `handle` on a thread of its own."""
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)  # the loop looks at `stop` between accepts
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    # The server is closed only once its loop has ended: closed under a thread between its
    # accept and `held`, a connection was never closed (a ResourceWarning failed CI's run).
    looping = threading.Thread(target=accept, daemon=True)
    looping.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        looping.join()
        server.close()
        for conn in held:
            conn.close()


def _http_1(conn: socket.socket) -> None:
    """What an HTTP/1.1 server (a web app on the port, `python -m http.server`) answers gRPC's
    HTTP/2 preface with."""
    try:
        conn.recv(1024)
        conn.sendall(b"HTTP/1.0 505 HTTP Version Not Supported\r\nContent-Length: 0\r\n\r\n")
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _closes(conn: socket.socket) -> None:
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:  # closed already: the test ended as gRPC reconnected (its thread's error
        pass  # was the next test's failure: PytestUnhandledThreadExceptionWarning)
    finally:
        conn.close()  # a reset, as a program that takes and drops every connection gives


def _silent(conn: socket.socket) -> None:
    """A port forward or tunnel with nothing behind it: the connection is taken, never answered
    (held open until the test ends)."""


@pytest.mark.parametrize(
    ("handle", "why"),
    [
        (_http_1, "what listens there is not a gRPC server: it speaks no HTTP/2"),
        (_closes, "the connection was closed at once"),
        (_silent, "a connection was accepted, but nothing answered"),
    ],
    ids=["http-1", "closes", "silent"],
)
def test_a_server_that_is_not_an_emulator_is_one_message(
    handle: Callable[[socket.socket], None], why: str
) -> None:
    """Reviewer-517 #4: the variables pointing at another program's port were 8 "could not
    verify" rows, exit 3 and "run again"; no call to it can ever work, as with no listener.
    The silent port is a real one here, not gRPC's words for it (how soon it is said, within
    `drift.live.clients.CONNECT_WITHIN` and `answers`' 2 s, is `make bench`'s to measure)."""
    address = next(served := _serving(handle))
    try:
        no_proxy = dict.fromkeys(("grpc_proxy", "https_proxy", "http_proxy"), "")
        environ = {**dict.fromkeys(VARIABLES, address), **no_proxy}
        done = drift("check", "staging", env=environ)
    finally:
        served.close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == (
        "drift: error: CLOUD_RUN_EMULATOR_HOST, SECRET_MANAGER_EMULATOR_HOST and "
        f"RESOURCE_MANAGER_EMULATOR_HOST point at {address}, where no emulator answers ({why})"
    ), done.stderr


@pytest.mark.parametrize(
    ("last_error", "why"),
    [
        (
            "UNKNOWN: ipv4:127.0.0.1:9: connection attempt timed out before receiving SETTINGS "
            "frame",
            "a connection was accepted, but nothing answered",
        ),
        ("UNAVAILABLE: ipv4:127.0.0.1:9: something gRPC has not said yet", "no gRPC connection"),
    ],
    ids=["silent", "other"],
)
def test_every_failure_to_connect_to_an_emulator_ends_the_run_at_once(
    last_error: str, why: str
) -> None:
    """A port that is listened on and never answers takes the emulator channel's connect
    timeout (5 s): said once, not retried four times more."""
    runner = CallRunner(Limits(), seed=1)
    runner.emulator = Emulators(dict.fromkeys(VARIABLES, "127.0.0.1:9"))
    failure = f"failed to connect to all addresses; last error: {last_error}"
    calls, fn = refusing(gexc.ServiceUnavailable(failure))
    with pytest.raises(EmulatorUnreachable) as caught:
        asyncio.run(runner.call("run", "GetService", "svc", fn))
    assert len(calls) == 1 and not runner.retries
    assert f"where no emulator answers ({why}" in caught.value.message


@pytest.mark.parametrize(
    "relayed",
    [
        "upstream store: failed to connect to all addresses; last error: UNKNOWN: "
        "ipv4:10.0.0.5:8080: connection attempt timed out before receiving SETTINGS frame",
        "backend: failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.5:8080: "
        "Failed to connect to remote host: Connection refused",
    ],
    ids=["timed-out", "refused"],
)
def test_an_emulator_relaying_its_backends_failure_is_there_and_retried(
    sandbox: Sandbox, sandbox_env: dict[str, str], relayed: str
) -> None:
    """helper-519: a gRPC server passing on its own backend's failure answers UNAVAILABLE in
    the words gRPC uses for a connection of the client's that failed. The emulator is there:
    the call is retried and the run ends as without the fault, never "no emulator answers"."""
    alone = drift("check", "staging", "--no-history", env=sandbox_env)
    sandbox.inject(Fault("*", "UNAVAILABLE", first_n=1, message=relayed))
    done = drift("check", "staging", "--no-history", env=sandbox_env)
    assert "no emulator answers" not in done.stderr, done.stderr
    assert (done.returncode, done.stdout) == (alone.returncode, alone.stdout), done.stderr


def test_answers_makes_a_connection_of_its_own() -> None:
    """helper-520: the check shared gRPC's connection of the channel whose call had just
    failed, still backing off: an emulator up since (a sandbox restarted on its port) was
    "not answering" for seconds."""
    import grpc

    from drift.live.clients import emulator_channel
    from drift.live.unreachable import answers

    with socket.socket() as sock:  # a port free now, taken by the server below
        sock.bind(("127.0.0.1", 0))
        host, port = sock.getsockname()
    closed_port = f"{host}:{port}"

    async def scene() -> tuple[bool, bool]:
        failed = emulator_channel(closed_port)
        try:
            before = await answers(closed_port)  # nothing listens yet: refused
            state = failed.get_state(try_to_connect=True)
            async with asyncio.timeout(5):
                while state is not grpc.ChannelConnectivity.TRANSIENT_FAILURE:
                    await failed.wait_for_state_change(state)
                    state = failed.get_state()
            server = grpc.aio.server()
            server.add_insecure_port(f"{host}:{port}")
            await server.start()
            try:
                return before, await answers(closed_port)
            finally:
                await server.stop(None)
        finally:
            await failed.close()

    assert asyncio.run(scene()) == (False, True)
