"""Small builders shared by the probe tests."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

import drift.probe.live as live_probe
from drift.findings import Location
from drift.probe.targets import ProbeTarget
from drift.profiles.model import Probe

if TYPE_CHECKING:  # FastAPI (~1 s of imports) only where the app runs: conftest's fixture
    from tests.probe.wsapp import Record

T = TypeVar("T")
PROFILE_LINE = Location("profiles/e2e.yaml", 12)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class AppServer:
    """The FastAPI app under uvicorn: its base URL and what it received."""

    base_url: str
    record: Record


def spec(path: str, **fields: Any) -> Probe:
    fields.setdefault("hold", 0.2)
    fields.setdefault("timeout", 2.0)
    return Probe(path=path, location=PROFILE_LINE, **fields)


def target(base_url: str, path: str, *, service: str = "api", **fields: Any) -> ProbeTarget:
    return ProbeTarget(service, f"{service}-00042-abc", base_url, spec(path, **fields))


def run(coro: Coroutine[Any, Any, T], limit: float = 20) -> T:
    """Run a coroutine in a fresh loop; a hang fails the test instead of blocking the run."""

    async def guarded() -> T:
        async with asyncio.timeout(limit):
            return await coro

    return asyncio.run(guarded())


@asynccontextmanager
async def tcp_server(handler: Handler) -> AsyncIterator[str]:
    """A raw TCP server on loopback; yields its http:// base URL."""
    stop = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            await handler(reader, writer, stop)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.sleep(0)
        server.close()
        await server.wait_closed()
        for writer in writers:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


def aim_probes(monkeypatch: pytest.MonkeyPatch, handler: Handler) -> None:
    """Every probe drift makes (`drift.probe.live.probe_all`) goes to a raw TCP server that
    `handler` answers, instead of the URL read: the real probe, the real network, only where
    it connects differs."""
    real = live_probe.probe_all

    async def probe_all(targets: Sequence[ProbeTarget], **kwargs: Any) -> Any:
        async with tcp_server(handler) as url:
            return await real([replace(t, base_url=url) for t in targets], **kwargs)

    monkeypatch.setattr(live_probe, "probe_all", probe_all)


async def read_request(reader: asyncio.StreamReader) -> dict[str, str]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = (line.partition(":") for line in lines)
    return {k.strip().lower(): v.strip() for k, _, v in pairs if k}


def accept_key(key: str) -> str:
    guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    return base64.b64encode(hashlib.sha1((key + guid).encode()).digest()).decode()


async def upgrade(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, then: bytes = b""
) -> dict[str, str]:
    """Read a probe's request and answer it with a 101 (no subprotocol) and `then` in the same
    write: its headers."""
    request = await read_request(reader)
    accept(writer, request, then)
    return request


def accept(writer: asyncio.StreamWriter, request: dict[str, str], then: bytes = b"") -> None:
    """Answer `request` (its headers) with a 101 (no subprotocol) and `then`, in one write."""
    writer.write(switching_protocols(accept_key(request["sec-websocket-key"])) + then)


def switching_protocols(accept: str, subprotocol: str | None = None) -> bytes:
    """A 101; with `subprotocol`, the one it selects (a probe that offered some and gets none
    selected fails, as a browser does)."""
    selected = f"Sec-WebSocket-Protocol: {subprotocol}\r\n" if subprotocol else ""
    return (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept}\r\n{selected}\r\n"
    ).encode()


def frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """A server's frame (unmasked) of `payload`."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 2**16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def deflated(payload: bytes) -> bytes:
    """A text frame of `payload` compressed as permessage-deflate has it (RFC 7692 §7.2.1: raw
    DEFLATE, its final 00 00 ff ff removed, RSV1 set): a large message is a small frame, read
    whole in one read, as a chat history or a JSON snapshot is."""
    z = zlib.compressobj(wbits=-15)
    data = z.compress(payload) + z.flush(zlib.Z_SYNC_FLUSH)
    whole = frame(0x1, data[:-4])
    return bytes([whole[0] | 0x40]) + whole[1:]


def accept_deflate(
    writer: asyncio.StreamWriter, request: dict[str, str], subprotocol: str | None = None
) -> None:
    """A 101 that takes the permessage-deflate drift's client offers (and `subprotocol`)."""
    assert "permessage-deflate" in request.get("sec-websocket-extensions", "")
    head = switching_protocols(accept_key(request["sec-websocket-key"]), subprotocol)
    writer.write(head[:-2] + b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")


async def read_close(reader: asyncio.StreamReader) -> bytes:
    """The payload of the client's close frame (unmasked), frames before it skipped."""
    while True:
        first, second = await reader.readexactly(2)
        n = second & 0x7F
        if n >= 126:
            n = int.from_bytes(await reader.readexactly(2 if n == 126 else 8), "big")
        key = await reader.readexactly(4)
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(await reader.readexactly(n)))
        if first & 0x0F == 0x8:
            return payload
