"""The probe against real servers: every classification, with its status, code and reason."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from drift.errors import ProbeConfigError
from drift.findings import ProbeOutcome, ProbeResult
from drift.probe.client import probe, probe_all
from tests.probe.helpers import (
    AppServer,
    read_request,
    run,
    switching_protocols,
    target,
    tcp_server,
    upgrade,
)

MARKER = "MARKER-c0ffee-5ecret-7f3a9c"
# Distinctive: every token a probe sends is registered with drift.redact for the whole run.
FAKE_ID_TOKEN = "eyJfake.probe-test-id-token.c0ffee"
AFTER_ACCEPT = 5.0
"""The hold of a probe whose server acts right after its 101 (closes, drops): a server thread
slowed by a loaded machine still acts within it (revprobe85 saw 0.2 s missed once)."""


def probe_one(
    base_url: str, path: str, environ: dict[str, str] | None = None, **fields: object
) -> ProbeResult:
    return run(probe(target(base_url, path, **fields), environ=environ or {}))


# --- the FastAPI app under uvicorn ------------------------------------------------------------


def test_ok_holds_sends_and_matches(app_server: AppServer) -> None:
    result = probe_one(
        app_server.base_url,
        "/echo",
        subprotocols=("jwt.abc",),
        send='{"type": "ping"}',
        expect="^pong$",
        hold=0.3,
    )
    assert result.outcome is ProbeOutcome.OK
    assert (result.http_status, result.close_code, result.close_reason) == (101, None, None)
    assert result.url == app_server.base_url.replace("http://", "ws://") + "/echo"
    assert result.service == "api" and result.revision == "api-00042-abc"
    assert result.detail.startswith("open for 0.3 s; first message matched '^pong$'")
    assert result.elapsed_ms >= 300
    [seen] = app_server.record.requests["/echo"]
    assert seen.subprotocols == ["jwt.abc"]


def test_ok_when_the_server_selects_the_subprotocol(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/select", subprotocols=("jwt.abc", "graphql-ws"))
    assert result.outcome is ProbeOutcome.OK


@pytest.mark.parametrize("offered", [("jwt.abc",), ("jwt.abc", "graphql-ws")])
def test_a_101_that_selects_no_offered_subprotocol_fails(
    app_server: AppServer, offered: tuple[str, ...]
) -> None:
    """revprobe F2, decided: RFC 6455 lets a server leave Sec-WebSocket-Protocol out, but
    browsers (WHATWG WebSockets: "If protocols is not the empty list and extracting header list
    values given `Sec-WebSocket-Protocol` … results in null … fail the WebSocket connection")
    and Node's `ws` refuse that handshake: the frontend and a browser E2E suite offering the
    same subprotocols cannot connect, so the probe fails as they do (at the handshake)."""
    result = probe_one(
        app_server.base_url,
        "/ignores-subprotocol",
        subprotocols=offered,
        send="ping",
        expect="pong",
        hold=0.3,
    )
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert (result.http_status, result.close_code) == (101, None)
    which = "the subprotocol it offered" if len(offered) == 1 else "any of the 2 it offered"
    assert result.detail.startswith(
        f"the server accepted the WebSocket (101) without selecting {which} "
        "(no Sec-WebSocket-Protocol in its answer): browsers and Node's ws client refuse"
    )
    assert "WHATWG" in result.detail and "RFC 6455" in result.detail
    assert "jwt.abc" not in result.detail  # offered values may be credentials: never shown
    assert result.elapsed_ms < 300  # a browser stops at the handshake: no hold


def test_no_subprotocol_selected_is_ok_when_none_was_offered(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/ignores-subprotocol", send="ping", expect="pong")
    assert result.outcome is ProbeOutcome.OK, result.detail


def test_expect_without_hold_waits_up_to_the_timeout(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/echo", send="ping", expect="pong", hold=0)
    assert result.outcome is ProbeOutcome.OK
    assert "; first message matched 'pong'" in result.detail
    # read on for READ_ON after the message (a close right after it is seen), not to the timeout
    assert result.elapsed_ms < 3000


def test_close_1011_with_reason(app_server: AppServer) -> None:
    # a hold long enough that a loaded machine's server thread closes within it (the probe
    # ends at the close, not at the hold): with 0.2 s it could be seen open for the hold, OK
    result = probe_one(app_server.base_url, "/close1011", hold=AFTER_ACCEPT)
    assert result.outcome is ProbeOutcome.CLOSE_1011
    assert (result.http_status, result.close_code) == (101, 1011)
    assert result.close_reason == "missing JWT_SECRET_KEY"
    assert result.detail.startswith("server closed with 1011 (internal error) ")
    assert result.detail.endswith("ms after the handshake: missing JWT_SECRET_KEY")


def test_exception_after_accept_is_an_abnormal_drop(app_server: AppServer) -> None:
    # What uvicorn really does (0.54, ws="websockets-sansio", which `auto` picks): it logs
    # "Exception in ASGI application" and closes the TCP connection WITHOUT a close frame,
    # so the client sees 1006 -- not 1011. (The legacy `websockets` implementation, which
    # warns on import, differs; Cloud Run's front end may differ again: the probe reports
    # what the client saw.)
    result = probe_one(app_server.base_url, "/raise-after-accept", hold=AFTER_ACCEPT)
    assert result.outcome is ProbeOutcome.ABNORMAL
    assert (result.http_status, result.close_code, result.close_reason) == (101, 1006, None)
    assert result.detail.startswith("connection dropped without a close frame (1006)")


def test_rejected_before_accept_is_http_403(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/reject")
    assert result.outcome is ProbeOutcome.REJECTED
    assert (result.http_status, result.close_code) == (403, None)
    assert result.detail == "HTTP 403 Forbidden (empty body)"


def test_exception_before_accept_is_http_500(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/raise-before-accept")
    assert result.outcome is ProbeOutcome.REJECTED
    assert result.http_status == 500
    assert result.detail == "HTTP 500 Internal Server Error: Internal Server Error"


def test_rejection_body_is_one_short_line(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/deny503")
    assert result.outcome is ProbeOutcome.REJECTED
    assert result.http_status == 503
    prefix = "HTTP 503 Service Unavailable: upstream unavailable retry later xxx"
    assert result.detail.startswith(prefix)
    assert "\n" not in result.detail and "\t" not in result.detail
    assert result.detail.endswith("x…")
    assert len(result.detail) < len("HTTP 503 Service Unavailable: ") + 200 + 2


def test_redirect_is_a_rejection_and_not_followed(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/redirect", subprotocols=("jwt.abc",))
    assert result.outcome is ProbeOutcome.REJECTED
    assert result.http_status == 307
    assert "redirect to /echo?token=*** (not followed)" in result.detail
    assert "/echo" not in app_server.record.requests


def test_normal_close_before_the_hold_is_unexpected(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/bye", hold=1.0)
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert (result.http_status, result.close_code, result.close_reason) == (101, 1000, "bye")
    assert "server closed with 1000 (OK)" in result.detail
    assert result.detail.endswith("(it was to stay open 1 s)")


def test_other_close_code_is_unexpected(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/policy", hold=1.0)
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert (result.close_code, result.close_reason) == (1008, "not allowed")


def test_first_message_not_matching_is_unexpected(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/echo", send="hello", expect="^pong$")
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert result.http_status == 101 and result.close_code is None
    assert "did not match '^pong$': echo:hello" in result.detail


def test_an_error_message_then_close_1011_is_close_1011(app_server: AppServer) -> None:
    """revprobe F1: the server answers the ping with an error message, then closes with 1011
    (FastAPI: `send_json({...})`, `close(1011)`). The SPEC's `probe.close_1011` is what
    happened; the message that did not match is said in the detail, as it was shown before."""
    result = probe_one(
        app_server.base_url, "/error-then-1011", send='{"type": "ping"}', expect="pong", hold=2.0
    )
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert (result.http_status, result.close_code) == (101, 1011)
    assert result.close_reason == "internal error"
    assert result.detail.startswith("server closed with 1011 (internal error) ")
    assert result.detail.endswith(
        """did not match 'pong': {"type":"error","message":"JWT_SECRET_KEY is not configured"}"""
    )
    assert "; before it, first message " in result.detail
    assert result.elapsed_ms < 1000  # the close came at once: no wait for the hold


def test_an_error_message_then_a_drop_is_abnormal(app_server: AppServer) -> None:
    result = probe_one(
        app_server.base_url, "/error-then-raise", send='{"type": "ping"}', expect="pong"
    )
    assert result.outcome is ProbeOutcome.ABNORMAL, result.detail
    assert (result.http_status, result.close_code) == (101, 1006)
    assert result.detail.startswith("connection dropped without a close frame (1006)")
    assert "did not match 'pong': " in result.detail


def test_an_error_message_then_another_close_stays_unexpected(app_server: AppServer) -> None:
    result = probe_one(
        app_server.base_url, "/error-then-bye", send='{"type": "ping"}', expect="pong"
    )
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert result.close_code is None
    assert result.detail.startswith("first message ")
    assert "did not match 'pong': " in result.detail


def test_expected_message_never_coming_is_unexpected(app_server: AppServer) -> None:
    result = probe_one(app_server.base_url, "/silent", expect="pong", hold=0.3)
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert result.detail == "no message within 0.3 s (expected one matching 'pong')"


def test_tls_to_a_plain_server_is_unreachable(app_server: AppServer) -> None:
    base = app_server.base_url.replace("http://", "https://")
    result = probe_one(base, "/echo")
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.url.startswith("wss://")
    assert "TLS handshake with 127.0.0.1:" in result.detail
    assert result.http_status is None


# --- the network and raw servers -------------------------------------------------------------


def test_closed_port_is_unreachable() -> None:
    with socket.socket() as sock:  # bound, never listening: refused, and no one else's port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        result = probe_one(f"http://127.0.0.1:{port}", "/ws")
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.detail == f"connection to 127.0.0.1:{port} refused"
    assert (result.http_status, result.close_code) == (None, None)


def test_dns_failure_is_unreachable() -> None:
    result = probe_one("https://drift-probe-test.invalid", "/ws", timeout=3.0)
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.detail.startswith("DNS lookup failed for drift-probe-test.invalid")


def test_server_that_never_answers_times_out_within_the_bound() -> None:
    async def silent(reader: asyncio.StreamReader, writer: object, stop: asyncio.Event) -> None:
        await stop.wait()

    async def scenario() -> ProbeResult:
        async with tcp_server(silent) as base:
            return await probe(target(base, "/ws", timeout=0.5, hold=0.3), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.detail.endswith("within 0.5 s (timeout)")
    # Bounded by the connect timeout (plus the hold and a margin), never a hang.
    assert 450 <= result.elapsed_ms < (0.5 + 0.3 + 2) * 1000
    # The connection was made: the service left the handshake unanswered (a hung or starting
    # app, which its configuration can cause: revprobe F3)
    assert result.detail.startswith("127.0.0.1:") and "took the connection but answered no" in (
        result.detail
    )
    assert result.handshake_hung and result.container_may_cause


def test_a_connection_never_made_times_out_as_the_network() -> None:
    """The TLS handshake never completes (the server says nothing): the connection to the
    service was never made, so the timeout is the network's, not the service's silence."""

    async def silent(reader: asyncio.StreamReader, writer: object, stop: asyncio.Event) -> None:
        await stop.wait()

    async def scenario() -> ProbeResult:
        async with tcp_server(silent) as base:
            https = base.replace("http://", "https://")
            return await probe(target(https, "/ws", timeout=0.5), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.detail.startswith("no connection to 127.0.0.1:")
    assert result.detail.endswith("within 0.5 s (timeout)")
    assert not result.handshake_hung and not result.container_may_cause


def test_connection_closed_before_any_response_is_unreachable() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: object, stop: asyncio.Event) -> None:
        await read_request(reader)

    async def scenario() -> ProbeResult:
        async with tcp_server(hang_up) as base:
            return await probe(target(base, "/ws"), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert "closed the connection before answering the WebSocket handshake" in result.detail


def test_invalid_101_is_unexpected() -> None:
    async def bogus(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await read_request(reader)
        writer.write(switching_protocols("bogus"))
        await stop.wait()

    async def scenario() -> ProbeResult:
        async with tcp_server(bogus) as base:
            return await probe(target(base, "/ws"), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert result.http_status == 101
    assert result.detail.startswith("invalid WebSocket handshake: ")


def test_drop_after_101_is_abnormal() -> None:
    async def drop(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await upgrade(reader, writer)
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.transport.abort()

    async def scenario() -> ProbeResult:
        async with tcp_server(drop) as base:
            return await probe(target(base, "/ws", hold=1.0), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.ABNORMAL
    assert (result.http_status, result.close_code) == (101, 1006)


def test_protocol_violation_is_unexpected_not_abnormal() -> None:
    async def garbage(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await upgrade(reader, writer)
        writer.write(b"\x8f\x00")  # FIN + reserved opcode 0xF
        await reader.read(1024)  # the client's close frame; then hang up

    async def scenario() -> ProbeResult:
        async with tcp_server(garbage) as base:
            return await probe(target(base, "/ws", hold=1.0), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert (result.http_status, result.close_code) == (101, 1002)
    assert "client closed with 1002 (protocol error)" in result.detail


# --- authentication and credentials ----------------------------------------------------------


def test_google_id_token_is_sent_for_the_service_url(app_server: AppServer) -> None:
    audiences: list[str] = []

    async def fake_provider(audience: str) -> str:
        audiences.append(audience)
        return f"eyJfake.{MARKER}"

    spec_target = target(app_server.base_url, "/echo", auth="google-id-token")
    result = run(probe(spec_target, environ={}, id_token=fake_provider))
    assert result.outcome is ProbeOutcome.OK
    assert audiences == [app_server.base_url]
    [seen] = app_server.record.requests["/echo"]
    assert seen.headers["authorization"] == f"Bearer eyJfake.{MARKER}"
    assert MARKER not in repr(result)


def test_id_token_moves_aside_when_the_app_needs_authorization(app_server: AppServer) -> None:
    async def fake_provider(audience: str) -> str:
        return FAKE_ID_TOKEN

    spec_target = target(
        app_server.base_url,
        "/echo",
        auth="google-id-token",
        headers=(("Authorization", "Bearer ${APP_TOKEN}"),),
    )
    environ = {"APP_TOKEN": "app-t0k3n-c0ffee"}
    result = run(probe(spec_target, environ=environ, id_token=fake_provider))
    assert result.outcome is ProbeOutcome.OK
    [seen] = app_server.record.requests["/echo"]
    assert seen.headers["authorization"] == "Bearer app-t0k3n-c0ffee"
    assert seen.headers["x-serverless-authorization"] == f"Bearer {FAKE_ID_TOKEN}"


def test_credentials_never_appear_in_results_or_logs(
    app_server: AppServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="websockets")
    environ = {"E2E_JWT": MARKER}
    fields: dict[str, object] = {
        "subprotocols": ("jwt.${E2E_JWT}",),
        "headers": (("Authorization", "Bearer ${E2E_JWT}"), ("X-Test-Type", "e2e")),
    }
    targets = [
        target(app_server.base_url, "/leak-close", service="close", **fields),
        target(app_server.base_url, "/leak-reject", service="reject", **fields),
        target(app_server.base_url, "/leak-message", service="message", expect="pong", **fields),
    ]
    results = run(probe_all(targets, environ=environ))

    # The servers really received the marker and echoed it back ...
    [seen] = app_server.record.requests["/leak-close"]
    assert seen.headers["authorization"] == f"Bearer {MARKER}"
    assert seen.subprotocols == [f"jwt.{MARKER}"]
    # ... and the probe classified each answer while masking it.
    close, reject, message = results
    assert close.outcome is ProbeOutcome.CLOSE_1011 and close.close_reason == "*** ***"
    assert reject.outcome is ProbeOutcome.REJECTED and reject.http_status == 401
    assert reject.detail == "HTTP 401 Unauthorized: *** ***"
    assert message.outcome is ProbeOutcome.UNEXPECTED
    assert message.detail.endswith("did not match 'pong': *** ***")
    for result in results:
        assert MARKER not in repr(result)
    client_logs = [r for r in caplog.records if not r.name.startswith("uvicorn")]
    assert client_logs, "the probe logs at DEBUG"
    for record in client_logs:
        assert MARKER not in record.getMessage()


@pytest.mark.parametrize(
    "value",
    [
        f"{MARKER}\r\nX-Evil: 1",
        f"{MARKER} \u201ccandidate\u201d",  # above U+00FF
        f"{MARKER}\x7f42",
        f"{MARKER}\x01",
    ],
)
def test_invalid_expanded_header_names_no_value(app_server: AppServer, value: str) -> None:
    """A value HTTP cannot carry is the profile's (exit 2), not the service's invalid 101."""
    bad = target(app_server.base_url, "/echo", headers=(("Authorization", "Bearer ${E2E_JWT}"),))
    with pytest.raises(ProbeConfigError) as info:
        run(probe(bad, environ={"E2E_JWT": value}))
    assert str(info.value) == (
        "profiles/e2e.yaml:12: probe header Authorization holds a character no HTTP header can "
        "carry once expanded (a line break or other control character, or one above U+00FF)"
    )
    assert MARKER not in info.value.diagnostics()
    assert app_server.record.requests == {}


# --- probe_all --------------------------------------------------------------------------------


def test_missing_variable_stops_everything_before_any_probe(app_server: AppServer) -> None:
    targets = [
        target(app_server.base_url, "/echo", service="web"),
        target(app_server.base_url, "/echo", subprotocols=("jwt.${STAGING_TEST_JWT}",)),
    ]
    with pytest.raises(ProbeConfigError) as info:
        run(probe_all(targets, environ={}))
    assert str(info.value) == (
        "profiles/e2e.yaml:12: probe uses ${STAGING_TEST_JWT}, which is not set in this environment"
    )
    assert app_server.record.requests == {}


def test_probe_all_runs_concurrently_and_keeps_order(app_server: AppServer) -> None:
    # the shortest hold long enough for all four sockets to open on a loaded machine (0.1 s
    # was not, with 6 workers on 2 cores); each a different length, so they end out of order
    holds = [1.6, 0.8, 1.2, 1.0]
    targets = [
        target(app_server.base_url, "/hold", service=f"svc{i}", hold=hold)
        for i, hold in enumerate(holds)
    ]
    results = run(probe_all(targets, environ={}, concurrency=8))
    assert [r.service for r in results] == ["svc0", "svc1", "svc2", "svc3"]
    assert all(r.ok for r in results)
    assert app_server.record.peak == 4  # every socket was open at the same time


def test_probe_all_respects_the_concurrency_limit(app_server: AppServer) -> None:
    hold = 0.3
    targets = [target(app_server.base_url, "/hold", service=f"svc{i}", hold=hold) for i in range(4)]
    results = run(probe_all(targets, environ={}, concurrency=2))
    assert all(r.ok for r in results)
    accepted = sorted(app_server.record.accepted_at)
    # The third socket could only open once one of the first two had been held.
    assert accepted[2] - accepted[0] >= hold * 0.8


def test_probe_all_fetches_one_token_per_audience(app_server: AppServer) -> None:
    calls: list[str] = []

    async def fake_provider(audience: str) -> str:
        calls.append(audience)
        return FAKE_ID_TOKEN

    targets = [
        target(app_server.base_url, "/echo", service=f"svc{i}", auth="google-id-token")
        for i in range(3)
    ]
    results = run(probe_all(targets, environ={}, id_token=fake_provider))
    assert all(r.ok for r in results)
    assert calls == [app_server.base_url]
    seen = app_server.record.requests["/echo"]
    assert [s.headers["authorization"] for s in seen] == [f"Bearer {FAKE_ID_TOKEN}"] * 3


def test_a_normal_close_with_no_hold_says_how_long_it_was_watched(app_server: AppServer) -> None:
    """helper-517: `hold: 0s` gave "(before the 1 s hold ended)" beside an expected "open for
    0s": with no hold a socket is still watched `NO_HOLD_WATCH` after its handshake, and both
    say so."""
    from drift.profiles.model import NO_HOLD_WATCH

    result = probe_one(app_server.base_url, "/bye", hold=0)
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert result.detail.endswith(f"(it was to stay open {NO_HOLD_WATCH:g} s)"), result.detail
    assert "hold" not in result.detail


def test_with_no_hold_and_an_expect_a_close_says_what_the_socket_was_to_stay_open_for(
    app_server: AppServer,
) -> None:
    """helper-519: with `hold: 0s` and `expect`, the socket is to stay open until a first
    message comes (up to the timeout), then `NO_HOLD_WATCH` after it: a close while waiting
    was "(it was to stay open 1 s)" whenever it came."""
    result = probe_one(app_server.base_url, "/bye", hold=0, expect="pong", timeout=5)
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert result.detail.endswith("(before a first message matching 'pong' came)"), result.detail
