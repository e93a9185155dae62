"""A raw server that does what no WebSocket library's server does, to the probe's cost: a flood
of pings it never reads the answers to. The probe must stay within its bounds (time and memory)
and still see what the server does next."""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import pytest
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from drift.findings import ProbeOutcome
from drift.probe import client, connection
from drift.probe.client import probe
from tests.probe.helpers import run, target, tcp_server, upgrade

PING = b"\x89\x7d" + b"p" * 125
"""A ping with the largest payload a control frame carries (RFC 6455 §5.5: 125 bytes)."""
FLOOD = 16 * 2**20
"""How much of pings the server sends (about 130 000 of them)."""


def _close(code: int) -> bytes:
    payload = struct.pack("!H", code) + b"db down"
    return bytes([0x88, len(payload)]) + payload


@pytest.fixture
def most_buffered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The most bytes drift's side of the probe's socket ever held unsent."""
    peak = [0]
    made = connection.noting_connection

    def noting(seen: connection.Seen) -> Any:
        base = made(seen)

        class Measured(base):  # type: ignore[valid-type,misc]
            def data_received(self, data: bytes) -> None:
                super().data_received(data)
                if self.transport is not None:
                    peak[0] = max(peak[0], self.transport.get_write_buffer_size())

        return Measured

    monkeypatch.setattr(client, "noting_connection", noting)
    return peak


def test_a_ping_flood_from_a_server_that_reads_nothing_is_not_buffered(
    most_buffered: list[int],
) -> None:
    """RFC 6455 §5.5.3: "If an endpoint receives a Ping frame and has not yet sent Pong frame(s)
    in response to previous Ping frame(s), the endpoint MAY elect to send a Pong frame for only
    the most recently processed Ping frame." websockets answers every ping, and a server that
    sends pings without reading made drift keep every pong in memory (the buffer grew about as
    fast as the server sent, ~20 MB/s on loopback, for up to the one-hour hold). Its close after
    the flood is still the verdict."""

    async def flood(reader: Any, writer: Any, stop: asyncio.Event) -> None:
        await upgrade(reader, writer)
        chunk = PING * 1024
        for _ in range(FLOOD // len(chunk)):
            writer.write(chunk)
            await writer.drain()
        writer.write(_close(1011))
        await writer.drain()
        await stop.wait()

    async def scenario() -> Any:
        async with tcp_server(flood) as base:
            return await probe(target(base, "/ws", hold=60, timeout=5), environ={})

    result = run(scenario(), limit=120)
    assert (result.outcome, result.close_code) == (ProbeOutcome.CLOSE_1011, 1011)
    assert most_buffered[0] < 2**20, f"{most_buffered[0]} bytes of pongs held"


def _ping(payload: bytes) -> bytes:
    return bytes([0x89, len(payload)]) + payload


def _pongs(protocol: connection._Pongs) -> list[bytes]:
    """The payloads of the pongs drift's client would send, as the server reads them."""
    server = ServerProtocol(state=State.OPEN)
    server.receive_data(b"".join(protocol.data_to_send()))
    return [bytes(f.data) for f in server.events_received() if f.opcode is Opcode.PONG]


def test_while_drift_cannot_send_only_the_latest_ping_is_answered_once_it_can() -> None:
    """The pongs held back are not lost: once the server reads again, the latest ping (RFC 6455
    §5.5.3) gets its pong; a ping while drift can send is answered at once, as always."""
    protocol = connection._Pongs(parse_uri("ws://drift.invalid/"), state=State.OPEN)
    protocol.receive_data(_ping(b"first"))
    assert _pongs(protocol) == [b"first"]
    protocol.held = True  # drift's unsent bytes over the write limit
    protocol.receive_data(_ping(b"second") + _ping(b"third"))
    assert _pongs(protocol) == []
    protocol.release()
    assert _pongs(protocol) == [b"third"]
    protocol.receive_data(_ping(b"fourth"))
    assert _pongs(protocol) == [b"fourth"]
