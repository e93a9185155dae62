"""After drift's own 1009 (a message over its reading limit, `drift/probe/limits.py`): a raw
server that then does what websockets' own server never does. Every scenario: the server sends
one text frame over drift's reading limit (monkeypatched to 1 MiB), then what it says.
revown56 F2: a close whose reason is not UTF-8 escaped drift's reading of the close, and the
verdict was `ok` once the timeouts ran out."""

from __future__ import annotations

import asyncio
import re
import struct
import time
from collections.abc import Awaitable, Callable

import pytest
from websockets.frames import Close
from websockets.protocol import State
from websockets.uri import parse_uri

from drift.findings import ProbeOutcome, ProbeResult
from drift.probe import client
from drift.probe.client import probe_all
from drift.probe.limits import Watching
from tests.probe.helpers import frame, run, target, tcp_server, upgrade

BIG = 1_500_000


Then = Callable[[asyncio.StreamWriter, asyncio.Event], Awaitable[None]]


def _probe(then: Then, hold: float = 0.5, timeout: float = 2.0) -> tuple[ProbeResult, float]:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await upgrade(reader, writer)
        writer.write(frame(0x1, b"x" * BIG))
        await writer.drain()
        await then(writer, stop)

    async def scenario() -> ProbeResult:
        async with tcp_server(handler) as base:
            (result,) = await probe_all(
                [target(base, "/ws", hold=hold, timeout=timeout)], environ={}
            )
            return result

    start = time.monotonic()
    result = run(scenario(), limit=60)
    return result, time.monotonic() - start


async def _close_1011_bad_utf8(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    # the service's crash close, whose reason is not UTF-8 (RFC 6455 §5.5.1: it MUST be)
    writer.write(frame(0x8, struct.pack("!H", 1011) + b"\xff\xfe"))
    await writer.drain()
    await stop.wait()


async def _close_1011(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    writer.write(frame(0x8, struct.pack("!H", 1011) + b"boom"))
    await writer.drain()
    await stop.wait()


async def _flood(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    # never closes: tiny frames as fast as the socket takes them
    chunk = frame(0x1, b"y") * 4096
    while not stop.is_set():
        writer.write(chunk)
        try:
            await writer.drain()
        except OSError:
            return


async def _trickle(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    # a never-ending message: a 2**62-byte frame, one byte every 20 ms
    writer.write(bytes([0x81, 127]) + struct.pack("!Q", 2**62))
    while not stop.is_set():
        writer.write(b"z")
        try:
            await writer.drain()
        except OSError:
            return
        await asyncio.sleep(0.02)


def _limited(then: Then) -> tuple[ProbeResult, float]:
    """`_probe(then)` with drift's reading limit lowered to 1 MiB (a message over it is cheap)."""
    monkey = pytest.MonkeyPatch()
    monkey.setattr(client, "MAX_MESSAGE", 2**20)
    try:
        return _probe(then)
    finally:
        monkey.undo()


def test_baseline_close_1011_after_the_limit() -> None:
    result, took = _limited(_close_1011)
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail


async def _close_bad_code(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    # a close code RFC 6455 §7.4.2 forbids on the wire (1005: "no status received")
    writer.write(frame(0x8, struct.pack("!H", 1005)))
    await writer.drain()
    await stop.wait()


def test_a_close_websockets_refuses_after_the_limit_is_unexpected() -> None:
    """As websockets' parser makes of it after any other message (`Protocol.parse`: 1002 for
    a forbidden code): `unexpected`, never `ok`."""
    result, _took = _limited(_close_bad_code)
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    assert "client closed with 1002 (protocol error)" in result.detail, result.detail
    assert "the server's close frame after it was not valid" in result.detail, result.detail
    assert "drift closed with 1009 itself" in result.detail, result.detail


def test_a_1011_whose_reason_is_not_utf8_after_the_limit_is_close_1011() -> None:
    """websockets would close with 1007 for the reason (`Protocol.parse`); the code is the
    server's crash, the verdict as after any other message (test_close_reason_not_utf8)."""
    result, _took = _limited(_close_1011_bad_utf8)
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_code == 1011, result.detail
    assert "server closed with 1011" in result.detail, result.detail
    assert "close reason was not UTF-8" in result.detail, result.detail
    assert "drift closed with 1009 itself" in result.detail, result.detail


def test_the_verdict_says_when_the_close_came_not_when_the_wait_ended() -> None:
    """A 1011 sent at once, the TCP connection left open: its time is the close's arrival
    (milliseconds), not the end of drift's wait (about a second)."""
    result, _took = _limited(_close_1011)
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    said = re.search(r"server closed with 1011 \(.*?\) (\d+) ms after the handshake", result.detail)
    assert said and int(said.group(1)) < 500, result.detail


@pytest.mark.parametrize("then", [_flood, _trickle])
def test_a_server_that_never_closes_is_bounded(then: Then) -> None:
    """drift ends the probe by its own deadlines (not the harness's 60 s guard, which fails
    the test); no wall-clock bound. On a quiet machine by its close deadline, saying that the
    server never closed; on a loaded one a flood can outlast the probe's whole window, which
    drift's outer deadline ends as `unexpected` (never a 1011 blamed on the service)."""
    result, _ = _limited(then)
    if result.outcome is ProbeOutcome.UNEXPECTED:  # the outer deadline (seen with 6 workers)
        assert result.detail.startswith("no verdict within"), result.detail
        assert "the server kept sending" in result.detail, result.detail
        return
    assert result.outcome is ProbeOutcome.OK, result.detail
    assert "drift stopped reading and closed with 1009 itself" in result.detail, result.detail
    assert "the server had not closed the socket" in result.detail, result.detail


def test_the_outer_deadline_says_a_send_stalled_only_when_one_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The probe's outer deadline (window + READ_ON + CLOSE_TIMEOUT) also ends a probe
    that was reading, not sending (a loaded machine behind a flooding server): "socket
    stalled: could not send" was said whatever kept it, though nothing waited to be sent."""

    async def reads_on(*_args: object) -> None:
        await asyncio.sleep(3600)  # what a probe still reading when the deadline fires does

    monkeypatch.setattr(client, "_converse", reads_on)
    monkeypatch.setattr(client, "READ_ON", 0.05)
    monkeypatch.setattr(client, "CLOSE_TIMEOUT", 0.05)
    result, _ = _limited(_close_1011)
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    assert result.detail.startswith("no verdict within"), result.detail
    assert "could not send" not in result.detail


def test_a_server_that_stops_reading_while_drift_sends_is_a_stalled_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other side of the outer deadline: the probe's `send` (32 MiB, more than loopback's
    buffers take) meets a server that answered the handshake and never reads again; what
    drift could not send is still in its buffer when the deadline ends the probe."""
    monkeypatch.setattr(client, "READ_ON", 0.05)
    monkeypatch.setattr(client, "CLOSE_TIMEOUT", 0.05)

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await upgrade(reader, writer)
        await writer.drain()
        await stop.wait()  # reads nothing more

    async def scenario() -> ProbeResult:
        async with tcp_server(handler) as base:
            spec = target(base, "/ws", hold=0.2, timeout=1.0, send="z" * (32 << 20))
            (result,) = await probe_all([spec], environ={})
            return result

    result = run(scenario(), limit=60)
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    assert result.detail.startswith("socket stalled: could not send within"), result.detail


def _masked(opcode: int, payload: bytes) -> bytes:
    # a masking key (RFC 6455 §5.3), which a server must not send: the frame is skipped all the same
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\x01\x02\x03\x04" + payload


AFTER = b"".join(
    [
        frame(0x1, b"x" * 40),  # over the limit (16 bytes) from its header: drift's 1009
        frame(0x1, b"a" * 300),  # a 2-byte extended length
        bytes([0x82, 127]) + struct.pack("!Q", 5) + b"bbbbb",  # an 8-byte extended length
        _masked(0x1, b"ccc"),
        frame(0x8, struct.pack("!H", 1000) + b"r" * 200),  # no control frame: skipped unread
        _masked(0x8, struct.pack("!H", 1000)),  # masked: skipped unread
        frame(0x8, struct.pack("!H", 1011) + b"boom"),  # the server's close
        frame(0x1, b"after"),
    ]
)


@pytest.mark.parametrize("piece", [len(AFTER), 1, 7])
def test_after_the_limit_frames_are_skipped_however_they_arrive(piece: int) -> None:
    """`Watching.discard` skips whole frames in the reader's buffer at once and waits for the
    rest of one cut by a read (its header, its payload, the close frame): the close it finds
    is the same however the bytes came."""
    protocol = Watching(parse_uri("ws://drift.invalid/"), state=State.OPEN, max_size=16)
    for at in range(0, len(AFTER), piece):
        protocol.receive_data(AFTER[at : at + piece])
    protocol.receive_data(b"")  # as `after_limit` does: what came with the message is read
    assert protocol.close_sent is not None and protocol.close_sent.code == 1009
    assert protocol.close_after == Close(1011, "boom")
    assert not protocol.dropped and protocol.refused is None


@pytest.mark.parametrize("cut", [1, 3])
def test_after_the_limit_a_close_frame_cut_by_the_end_is_a_dropped_connection(cut: int) -> None:
    close = AFTER.index(frame(0x8, struct.pack("!H", 1011) + b"boom"))
    protocol = Watching(parse_uri("ws://drift.invalid/"), state=State.OPEN, max_size=16)
    protocol.receive_data(AFTER[: close + cut])
    protocol.receive_data(b"")
    protocol.receive_eof()
    assert protocol.close_after is None and protocol.dropped
