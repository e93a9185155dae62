"""The WebSocket connection as the probe opens it: no redirect followed, a response the client
cannot parse ending the handshake at once, no credential in websockets' own log, what the
connection showed before the handshake ended (`Seen`), and no traceback from a transport
callback after the verdict."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from drift.probe.classify import STATUS_LINE_MAX
from drift.probe.limits import Watching

log = logging.getLogger("drift.probe.client")


class NoRedirects(connect):
    """A probe reports what the service answers: a redirect is a rejection, never followed
    (following one would send the subprotocol credentials to another origin)."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


class _Pongs(Watching):
    """`Watching`, that answers a ping only while the server reads what drift sends: while
    drift's unsent bytes are over websockets' write limit (`held`), the pong of the latest
    ping waits, and each later ping replaces it (RFC 6455 §5.5.3: "If an endpoint receives a
    Ping frame and has not yet sent Pong frame(s) in response to previous Ping frame(s), the
    endpoint MAY elect to send a Pong frame for only the most recently processed Ping frame").
    websockets answers every ping at once, so a server that sent pings and read nothing made
    drift keep every pong in memory, as fast as the server sent, for up to the hold (an hour)."""

    held = False
    waiting: bytes | None = None
    """The payload of the latest ping not yet answered."""

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.PING and self.held:
            self.waiting = bytes(frame.data)
            return
        super().recv_frame(frame)

    def release(self) -> None:
        """drift's unsent bytes are back under the write limit: answer the latest ping."""
        self.held = False
        if self.waiting is not None and self.state is State.OPEN:
            self.send_frame(Frame(Opcode.PONG, self.waiting))
        self.waiting = None


class _Answered(ClientConnection):
    """A response the client cannot parse (a garbled status line, too many or too long
    headers) ends the handshake at once: websockets would wait for the server to hang up,
    and a server that keeps the socket open would look like a timeout."""

    def __init__(self, protocol: ClientProtocol, **options: Any) -> None:
        # reads the server's close after drift's own 1009 (`limits`); answers pings as read
        protocol.__class__ = _Pongs
        cast(_Pongs, protocol).watch_frames()
        super().__init__(protocol, **options)

    def pause_writing(self) -> None:
        super().pause_writing()
        if isinstance(self.protocol, _Pongs):
            self.protocol.held = True

    def resume_writing(self) -> None:
        super().resume_writing()
        if isinstance(self.protocol, _Pongs):
            self.protocol.release()
            self.send_data()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.protocol.handshake_exc is not None and not self.response_rcvd.done():
            self.transport.abort()


class _WireLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets logs every handshake header at DEBUG, credentials included: never let it."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


class Seen:
    """What the connection to the service showed before the WebSocket opened (or failed to)."""

    def __init__(self) -> None:
        self.connected = False
        """The connection to the service was made: TCP, TLS and any proxy's tunnel (asyncio
        calls `connection_made` once the TLS handshake is done; websockets calls it after a
        proxy's). A timeout after that is the service's silence (a hung or starting app: the
        container can cause it); before it, the network's."""
        self.head = bytearray()
        """The first bytes the service answered, up to `STATUS_LINE_MAX`: its status line,
        which websockets does not keep when the rest of the answer fails (`connect_failure`)."""


def noting_connection(seen: Seen) -> type[_Answered]:
    """`_Answered` that notes in `seen` what the connection showed before the handshake ended."""

    class Noting(_Answered):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            seen.connected = True

        def data_received(self, data: bytes) -> None:
            if not self.response_rcvd.done() and b"\n" not in seen.head:
                seen.head += data[: STATUS_LINE_MAX - len(seen.head)]
            super().data_received(data)

    return Noting


WIRE_LOG = _WireLogger(logging.getLogger("drift.probe.websockets"), {})


def quiet_loop_errors(loop: asyncio.AbstractEventLoop) -> None:
    """websockets may raise in a transport callback once a proxy hung up (`EOFError: stream
    ended`); asyncio would print that with a traceback, outside drift's scrubbed log. The probe
    has its verdict by then: one line at debug level says it, through drift's log."""
    if loop.get_exception_handler() is not None:
        return  # someone chose how this loop reports its errors

    def handler(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        log.debug("ignored after a probe: %s", type(exc).__name__ if exc else "an error")

    loop.set_exception_handler(handler)
