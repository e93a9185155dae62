"""What a server (or the runner's proxy) may answer that drift must still put in words: a
redirect it cannot show, a response the client cannot parse, a proxy that refuses or hangs up.
Each is a verdict on that probe (or a configuration error), never a crash, a traceback or a
credential in the output."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import socket
import struct
from typing import Any
from urllib.parse import quote

import pytest

from drift.errors import ProbeConfigError
from drift.findings import ProbeOutcome, ProbeResult
from drift.probe.client import probe, probe_all
from tests.probe.helpers import accept, read_request, run, target, tcp_server, upgrade

PROXY_PASSWORD = "Pr0xyPassw0rd-9f3c1e"


def _answering(data: bytes, *, keep_open: bool = False) -> Any:
    async def answer(reader: Any, writer: Any, stop: asyncio.Event) -> None:
        await read_request(reader)
        writer.write(data)
        await writer.drain()
        if keep_open:
            await stop.wait()  # as a proxy or a stuck server may

    return answer


def _probe(data: bytes, *, keep_open: bool = False, timeout: float = 2.0) -> Any:
    async def scenario() -> Any:
        async with tcp_server(_answering(data, keep_open=keep_open)) as base:
            return await probe_all([target(base, "/ws", timeout=timeout)], environ={})

    (result,) = run(scenario())
    return result


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (
            b"HTTP/1.1 302 Found\r\nLocation: https://a.example/ws\r\n"
            b"Location: https://b.example/ws\r\nContent-Length: 0\r\n\r\n",
            "HTTP 302 Found: redirect with 2 Location headers (not followed)",
        ),
        (
            b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://[::1/ws\r\n"
            b"Content-Length: 0\r\n\r\n",
            "HTTP 307 Temporary Redirect: redirect to an unreadable Location (not followed)",
        ),
    ],
)
def test_a_redirect_drift_cannot_show_is_a_rejection(answer: bytes, shown: str) -> None:
    result = _probe(answer)
    assert (result.outcome, result.http_status, result.detail) == (
        ProbeOutcome.REJECTED,
        int(shown.split()[1]),
        shown,
    )


# --- the runner's proxy ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_proxy_setting_no_probe_can_use_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # websockets refuses a proxy URL with a path, and its message is the whole URL
    monkeypatch.setenv("ws_proxy", f"http://proxyuser:{PROXY_PASSWORD}@127.0.0.1:9/corp")
    with pytest.raises(ProbeConfigError) as raised:
        run(probe_all([target("http://service.example", "/ws")], environ={}))
    said = raised.value.diagnostics()
    assert "http://127.0.0.1:9/corp" in said and "path is meaningless" in said
    assert PROXY_PASSWORD not in said and "proxyuser" not in said
    # the variables the probe reads (websockets `get_proxy`), not all_proxy (helper-837 F6)
    assert "wss_proxy, ws_proxy, socks_proxy, https_proxy, http_proxy" in said, said
    assert "all_proxy is not read" in said, said


def test_a_proxy_that_refuses_is_named_not_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    monkeypatch.setenv("ws_proxy", f"http://proxyuser:{PROXY_PASSWORD}@127.0.0.1:{port}")
    (result,) = run(probe_all([target("http://service.example", "/ws")], environ={}))
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.detail == f"connection to proxy http://127.0.0.1:{port} refused"
    assert PROXY_PASSWORD not in repr(result)


def test_a_proxy_that_hangs_up_logs_no_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def hang_up(reader: Any, writer: Any, stop: asyncio.Event) -> None:
        await reader.readuntil(b"\r\n\r\n")  # the CONNECT request

    async def scenario() -> Any:
        async with tcp_server(hang_up) as proxy:
            monkeypatch.setenv("ws_proxy", proxy)
            result = await probe(target("http://service.example", "/ws"), environ={})
            await asyncio.sleep(0.1)  # the transport's callbacks run
            return result

    with caplog.at_level(logging.DEBUG):
        result = run(scenario())
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert result.detail.startswith("proxy http://127.0.0.1:")
    assert "failed to reach service.example" in result.detail
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "Traceback" not in caplog.text


def test_an_answer_the_client_cannot_read_is_said_at_once() -> None:
    """The server answers within milliseconds and keeps the connection open: it sent
    something the client cannot read; it did not time out."""
    result = _probe(b"HTTP/1.1 abc\r\n\r\n", keep_open=True, timeout=3.0)
    assert result.outcome is ProbeOutcome.UNREACHABLE
    assert "timeout" not in result.detail, result.detail
    assert "invalid HTTP status" in result.detail, result.detail
    assert result.elapsed_ms < 1000


@pytest.mark.parametrize(
    ("answer", "outcome", "said"),
    [
        (
            b"HTTP/1.1 403 Forbidden\r\n" + b"X-A: b\r\n" * 500 + b"\r\n",
            ProbeOutcome.REJECTED,
            ("no more than 128 headers", "too many HTTP headers"),
        ),
        (
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2097152\r\n\r\n" + b" " * 2**21,
            ProbeOutcome.REJECTED,
            ("body too large",),
        ),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
            ProbeOutcome.UNEXPECTED,
            ("no more than 8192 bytes", "line too long"),
        ),
    ],
)
def test_a_status_whose_rest_the_client_cannot_read_is_kept(
    answer: bytes, outcome: ProbeOutcome, said: tuple[str, ...]
) -> None:
    """The status line arrived, then headers or a body websockets refuses (more than 128
    headers, over 1 MiB of body): the service answered that status (SPEC `probe.rejected`,
    "e.g. 403, 500, 503"), said at once, never "did not reach the service's container"
    (revprobe60 F2). websockets' own words for the limit: 17.x says the limit ("no more than
    128 headers"), 16.x only what broke it ("too many HTTP headers", "line too long")."""
    result = _probe(answer, keep_open=True, timeout=3.0)
    status = int(answer.split()[1])
    assert (result.outcome, result.http_status) == (outcome, status), result.detail
    assert "timeout" not in result.detail, result.detail
    assert any(words in result.detail for words in said), result.detail
    assert result.container_may_cause and result.reached
    assert result.elapsed_ms < 1000


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\nupstream down",
        b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    ],
)
def test_a_status_whose_body_never_ends_is_kept(answer: bytes) -> None:
    """A 503 whose body never completes (a short Content-Length, an unfinished chunked body):
    the status is the service's answer, not a handshake left unanswered (revprobe60 F2)."""
    result = _probe(answer, keep_open=True, timeout=0.5)
    assert (result.outcome, result.http_status) == (ProbeOutcome.REJECTED, 503)
    assert result.detail == (
        "HTTP 503 Service Unavailable: the rest of the answer did not arrive within 0.5 s (timeout)"
    )


def _frame(opcode: int, payload: bytes) -> bytes:
    return bytes([0x80 | opcode, len(payload)]) + payload


def _error_with_the_101(error: bytes, reason: bytes, **fields: Any) -> ProbeResult:
    """A probe (`fields`: its spec's) of a server that answers the 101, `error` and a close
    1011 with `reason` in one write: it accepts, says its error and closes at once (or a
    proxy coalesces)."""

    async def main() -> ProbeResult:
        async def both(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
        ) -> None:
            said = _frame(0x1, error) + _frame(0x8, struct.pack("!H", 1011) + reason)
            await upgrade(reader, writer, then=said)
            await writer.drain()
            await stop.wait()

        async with tcp_server(both) as base:
            return await probe(target(base, "/ws", **fields), environ={})

    return run(main())


def test_an_error_message_sent_with_the_101_is_kept_in_the_1011_detail() -> None:
    """The app's error message with the 101 and its close: the message, the app's own words,
    is in the detail as it is when it comes later (revown12 F3)."""
    error = b'{"type":"error","detail":"JWT_SECRET not set"}'
    result = _error_with_the_101(error, b"internal error", expect="pong")
    assert result.outcome is ProbeOutcome.CLOSE_1011
    assert "JWT_SECRET not set" in result.detail, result.detail


@pytest.mark.parametrize("send", [None, "ping"])
@pytest.mark.parametrize("expect", [None, "pong"])
def test_an_error_sent_with_the_101_is_kept_when_the_probe_sends_first(
    expect: str | None, send: str | None
) -> None:
    """helper-536: with `send:`, drift sent before it read, and websockets' send waited out
    the close the server had already sent (a second): the app's error, queued, was lost (with
    `expect`, it is the first message, quoted), and the detail said the close came 1002 ms
    after the handshake."""
    result = _error_with_the_101(b"error: no redis", b"crash", send=send, expect=expect)
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert ("error: no redis" in result.detail) is (expect is not None), result.detail
    assert " ms after the handshake: crash" in result.detail
    said_ms = int(result.detail.split(" ms after the handshake")[0].rsplit(" ", 1)[1])
    assert said_ms < 500, result.detail  # the close came at once: never the send's wait


def test_a_1011_within_the_hold_after_a_mismatch_is_close_1011() -> None:
    """An error message, another message, then 1011 1.5 s later, with `hold: 5s`: a matching
    message would have held the socket 5 s, so drift reads on that long after a mismatch too
    (not a fixed second) and the verdict is the SPEC's close_1011 (revown12 F4)."""

    async def main() -> ProbeResult:
        async def late(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
        ) -> None:
            await upgrade(reader, writer)
            writer.write(_frame(0x1, b'{"type":"error"}') + _frame(0x1, b"more"))
            await writer.drain()
            await asyncio.sleep(1.5)
            writer.write(_frame(0x8, struct.pack("!H", 1011)))
            await writer.drain()
            await stop.wait()

        async with tcp_server(late) as base:
            return await probe(target(base, "/ws", expect="pong", hold=5, timeout=10), environ={})

    result = run(main())
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert """did not match 'pong': {"type":"error"}""" in result.detail
    assert result.elapsed_ms < 4000  # the close ends it, not the hold


def _mismatch_then_open(text: bytes) -> object:
    async def server(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await upgrade(reader, writer)
        writer.write(_frame(0x1, text))
        await writer.drain()
        await stop.wait()  # the socket stays open, as a healthy app's does

    return server


def _without_hold(text: bytes) -> ProbeResult:
    async def main() -> ProbeResult:
        async with tcp_server(_mismatch_then_open(text)) as base:  # type: ignore[arg-type]
            spec = target(base, "/ws", expect="pong", hold=0, timeout=8)
            return await probe(spec, environ={})

    return run(main())


def test_a_mismatch_without_a_hold_is_not_held_for_the_whole_timeout() -> None:
    """revown14 3: with `hold: 0` a match ends the probe at once; a mismatch on a socket the
    server keeps open waited out the whole timeout (8 s here) before it was reported. It is
    read on for READ_ON (1 s) only, as a hold of 0 means."""
    bad = _without_hold(b"nope")
    assert bad.outcome is ProbeOutcome.UNEXPECTED, bad.detail
    assert bad.elapsed_ms < 8000, bad.elapsed_ms  # not the timeout: about a second


def _failing_on_first_call(reader: Any, writer: Any, stop: asyncio.Event) -> Any:
    async def answer() -> None:
        await upgrade(reader, writer)
        await writer.drain()
        await reader.read(2)  # the client's first frame: the app calls Redis, which is down
        writer.write(_frame(0x8, struct.pack("!H", 1011) + b"redis down"))
        await writer.drain()
        await stop.wait()

    return answer()


def test_without_a_hold_a_close_right_after_the_101_is_still_seen() -> None:
    """revprobe60 F3: `hold: 0s` passed a service that accepts every socket and closes it with
    1011 a few ms later (the SPEC's main failure: "handshake succeeded, server closed with
    1011"): the probe ended at the 101. With no hold, the socket is watched for READ_ON."""

    async def main() -> ProbeResult:
        async with tcp_server(_failing_on_first_call) as base:
            return await probe(target(base, "/ws", send="ping", hold=0, timeout=8), environ={})

    result = run(main())
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_reason == "redis down"


API_KEY = "Zk9x/Qw3+Lp7/Rt2Vb8=="
"""An API key as base64: `/`, `+` and `=` are what JSON and URL encoders change."""


def _echoing(encode: Any, *, close: bool) -> Any:
    async def answer(reader: Any, writer: Any, stop: asyncio.Event) -> None:
        request = await read_request(reader)
        said = f"invalid api key {encode(request['x-api-key'])}".encode()
        if close:
            accept(writer, request)
            writer.write(_frame(0x8, struct.pack("!H", 1011) + said))
        else:
            head = f"HTTP/1.1 401 Unauthorized\r\nContent-Length: {len(said)}\r\n\r\n"
            writer.write(head.encode() + said)
        await writer.drain()
        await stop.wait()

    return answer


@pytest.mark.parametrize(
    ("encode", "close"),
    [
        (lambda key: json.dumps(key).replace("/", "\\/"), False),  # PHP's json_encode
        (lambda key: quote(key, safe=""), False),
        (lambda key: re.sub("%..", lambda hexes: hexes[0].lower(), quote(key, safe="")), False),
        (lambda key: base64.b64encode(key.encode()).decode(), False),
        (lambda key: key.replace("+", "&#43;"), False),  # Go's html/template (revown60b F1)
        (lambda key: key.replace("+", "&#x2B;"), False),  # an XML numeric entity
        (lambda key: quote(key, safe="+=&$,;:@"), False),  # Go's url.PathEscape keeps + and =
        (lambda key: json.dumps(key).replace("/", "\\/"), True),  # a close 1011 reason
    ],
)
def test_a_credential_echoed_encoded_is_masked(encode: Any, close: bool) -> None:
    """A service quotes the probe's API key back as its encoder writes it: each form is
    masked before it is part of the result (revprobe60 F1)."""

    async def scenario() -> Any:
        async with tcp_server(_echoing(encode, close=close)) as base:
            probed = target(base, "/ws", headers=(("X-Api-Key", "${API_KEY}"),))
            return await probe_all([probed], environ={"API_KEY": API_KEY})

    (result,) = run(scenario())
    assert result.outcome is (ProbeOutcome.CLOSE_1011 if close else ProbeOutcome.REJECTED)
    assert "invalid api key " in (result.close_reason if close else result.detail)
    shown = repr(result)
    assert not [piece for piece in ("Zk9x", "Qw3", "Lp7", "Rt2Vb8", "Wms5eC9") if piece in shown]
