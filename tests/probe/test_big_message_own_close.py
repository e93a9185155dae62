"""A close that came with a message over drift's reading limit, before drift's 1009 was sent,
is the server's own: it answers nothing, and is the verdict like a close after any message
(helper-758 R1: a 1000 or an empty close so was taken as an answer to drift's 1009, and a
canary that closed every socket right after a large first message passed the fix's proof).
A close that came after drift's 1009 (RFC 6455 §5.5.1: the endpoint that receives a close
sends one back, "typically" echoing its code; aiohttp answers 1000) still answers it.
Each server: a raw one on loopback, a 1.5 MB message compressed (permessage-deflate) to a
frame read whole in one read, drift's limit lowered to 1 MiB."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable

import pytest
from websockets.frames import Close
from websockets.protocol import State
from websockets.uri import parse_uri

from drift.findings import ProbeOutcome, ProbeResult
from drift.probe import client
from drift.probe.client import probe_all
from drift.probe.limits import Watching
from tests.probe.helpers import (
    accept_deflate,
    deflated,
    frame,
    read_close,
    read_request,
    run,
    target,
    tcp_server,
)

BIG = deflated(b"x" * 1_500_000)

Then = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _probe(first: bytes, then: Then, hold: float) -> ProbeResult:
    """The server writes `first` (its message, and its close with it or not) in one write,
    then does `then`."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        accept_deflate(writer, await read_request(reader))
        await writer.drain()
        writer.write(first)
        await writer.drain()
        await then(reader, writer)
        await stop.wait()

    async def scenario() -> ProbeResult:
        async with tcp_server(handler) as base:
            (result,) = await probe_all([target(base, "/ws", hold=hold)], environ={})
            return result

    with pytest.MonkeyPatch.context() as monkey:
        monkey.setattr(client, "MAX_MESSAGE", 2**20)
        return run(scenario(), limit=30)


async def _nothing(_reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    pass


def _echo(payload: Callable[[bytes], bytes]) -> Then:
    """Answers drift's close once it came: with `payload` made of its close's payload."""

    async def then(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frame(0x8, payload(await read_close(reader))))
        await writer.drain()

    return then


OWN = {
    "1000": frame(0x8, struct.pack("!H", 1000) + b"bye"),
    "no code": frame(0x8, b""),
    "1009": frame(0x8, struct.pack("!H", 1009)),
}


@pytest.mark.parametrize("hold", [0.5, 0.0])
@pytest.mark.parametrize("close", OWN.values(), ids=OWN.keys())
def test_a_close_that_came_with_a_message_over_drifts_limit_is_the_verdict(
    close: bytes, hold: float
) -> None:
    """`ok` before ("the server answered with close 1000"): the close was written with the
    message, before drift's 1009 could reach the server."""
    result = _probe(BIG + close, _nothing, hold)
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    code = Close.parse(close[2:]).code
    assert result.close_code == code
    assert f"server closed with {code} " in result.detail, result.detail
    assert f"(it was to stay open {'0.5 s' if hold else '1 s'})" in result.detail
    assert "a message over drift's 1 MiB reading limit" in result.detail


ANSWERS = {
    "echo": lambda sent: sent,  # websockets, ws, tornado, wsproto
    "1000": lambda _sent: struct.pack("!H", 1000),  # aiohttp's close() after a close
    "no code": lambda _sent: b"",
}


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
def test_a_close_that_answers_drifts_1009_keeps_the_pass(
    answer: Callable[[bytes], bytes],
) -> None:
    result = _probe(BIG, _echo(answer), 0.5)
    assert result.outcome is ProbeOutcome.OK, result.detail
    assert "the server answered with close" in result.detail, result.detail
    assert "closed with 1009 itself" in result.detail


def test_only_a_close_in_the_read_of_the_message_is_the_servers_own() -> None:
    """What the reader held when drift's 1009 was queued came before it was sent; a close in
    a later read may answer it (counted through the frames skipped before it)."""
    message = frame(0x1, b"x" * 40)  # over the limit (16 bytes) from its header
    close = frame(0x8, struct.pack("!H", 1000))
    skipped = frame(0x1, b"a" * 300)
    for reads, own in [
        ([message + skipped + close], True),
        ([message[:20], message[20:] + skipped + close], False),
        ([message + skipped + close[:1], close[1:]], True),
        ([message + skipped, close], False),
    ]:
        protocol = Watching(parse_uri("ws://drift.invalid/"), state=State.OPEN, max_size=16)
        for data in reads:
            protocol.receive_data(data)
        protocol.receive_data(b"")
        assert protocol.close_after == Close(1000, ""), reads
        assert protocol.own is own, reads
