"""After drift's own 1009 (a message over its reading limit): what the server does next.

websockets' client stops reading at drift's 1009 ("An endpoint MUST NOT continue to attempt to
process data (including a responding Close frame) from the remote endpoint after being
instructed to _Fail the WebSocket Connection_", RFC 6455 §7.1.7, as websockets `Protocol.fail`
quotes it), so a server that sent its large message and crashed at once (`close(1011)`) looked
like a socket held open (revown53 F3). drift reads no message after it, only the frames'
headers, to find the server's close: a 1011 (or any close that does not answer drift's 1009:
`_ANSWERS`), or a connection dropped without a close frame, is the verdict
(`classify.closed`), as for a close that follows any message. A close frame
websockets' parser refuses (`Close.parse` raises ProtocolError, or UnicodeDecodeError for a
reason not UTF-8: websockets 16.0 and 17.4 `frames.py`) is what websockets makes of it on any
other socket, a close by drift's client with 1002 or 1007 (`Protocol.parse`): `unexpected`,
never a pass (revown56 F2) — but for a reason not UTF-8 under a valid code, where the code
is the server's word and the verdict (`Watching.unreadable`, on any socket). The verdict's
time is when the server's close (or its end of the connection) arrived, not when drift
stopped waiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Generator
from dataclasses import replace

from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedError,
    PayloadTooBig,
    ProtocolError,
)
from websockets.frames import Close, CloseCode, Frame, Opcode
from websockets.protocol import State

from drift.findings import ProbeOutcome
from drift.probe.classify import Mask, Verdict, closed, over_limit, secs

_CONTROL = 125
"""The largest control frame (RFC 6455 §5.5): a larger frame is a message, skipped unread."""


class Watching(ClientProtocol):
    """websockets' client protocol, that after drift's own 1009 reads on to the server's close
    frame (`close_after`) or to the end of the connection without one (`dropped`), skipping
    every message frame unread; any other close is websockets' own."""

    close_after: Close | None = None
    dropped: bool = False
    refused: Close | None = None
    """The close drift's client makes of a server's close frame websockets refuses."""
    own: bool = False
    """The server's close frame had begun to arrive before drift's 1009 was sent (in the same
    read as the message over the limit): written before drift's 1009 could reach the server,
    it answers nothing, and is the verdict like any close (helper-758 R1)."""
    early: int = 0
    """How many of the bytes left to read had come before drift's 1009 was sent."""
    ended_at: float | None = None
    """When (the event loop's clock) the server's close frame, or the end of the connection,
    arrived."""
    unreadable: Close | None = None
    """A server's close frame whose reason is not UTF-8 (RFC 6455 §5.5.1: it MUST be), its
    code valid: the close as sent, its reason's bytes decoded with replacement characters.
    websockets fails such a connection with 1007 as drift's own close; the code is still the
    server's word (a crash's 1011 whose reason a server cut at the 123-byte limit, in the
    middle of a character), kept for the verdict (`server_close`)."""

    too_long: bool = False
    """`unreadable` is a close frame over a control frame's 125 bytes (RFC 6455 §5.5), which
    websockets fails with 1002 (`Frame.check`: "control frame too long")."""
    _reads: deque[bytearray] | None = None

    def _unreadable(self, data: bytes) -> None:
        if len(data) < 2:
            return
        reason = data[2:_CONTROL].decode("utf-8", "replace")  # at most a control frame's 123
        close = Close(int.from_bytes(data[:2], "big"), reason)
        with contextlib.suppress(ProtocolError):  # a code RFC 6455 forbids: websockets' 1002
            close.check()
            self.unreadable = close

    def watch_frames(self) -> None:
        """Keep the last reads of each frame (its header, extended length, payload): a close
        frame over a control frame's limit is refused (`fail`) once read whole, and its code
        is the server's word (helper-837 F3), as for a reason not UTF-8."""
        reads: deque[bytearray] = deque(maxlen=3)
        self._reads = reads
        read = self.reader.read_exact

        def recording(n: int) -> Generator[None, None, bytearray]:
            data = yield from read(n)
            reads.append(data)
            return data

        self.reader.read_exact = recording  # type: ignore[method-assign]

    def fail(self, code: CloseCode | int, reason: str = "") -> None:
        reads = self._reads
        if code == CloseCode.PROTOCOL_ERROR and reason == "control frame too long" and reads:
            # Frame.parse read the header, the extended length, then the payload
            if len(reads) == 3 and reads[0][0] & 0x0F == Opcode.CLOSE:
                self._unreadable(bytes(reads[-1]))
                self.too_long = self.unreadable is not None
        super().fail(code, reason)

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.CLOSE:
            try:
                bytes(frame.data[2:]).decode()
            except UnicodeDecodeError:
                self._unreadable(bytes(frame.data))
        super().recv_frame(frame)

    def _ended(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: the time stays unknown
            self.ended_at = asyncio.get_running_loop().time()

    def _eat(self, n: int) -> None:
        """Drop the reader's first `n` bytes."""
        del self.reader.buffer[:n]
        self.early = max(0, self.early - n)

    def _skip(self, n: int) -> Generator[None]:
        """Drop `n` bytes of what the server sends, as they come (nothing kept)."""
        while n > 0:
            if (yield from self.reader.at_eof()):
                raise EOFError
            taken = min(n, len(self.reader.buffer))
            self._eat(taken)
            n -= taken

    def _drop(self) -> tuple[int, bytes | None]:
        """Drop the frames the reader's buffer holds, their headers read in place (one `del`,
        not a generator step a frame: a flood of tiny frames is cheap), up to a close frame
        of a control frame's size, unmasked (any other is skipped as a message): its payload,
        once whole. Else how much of the last frame is still to come, for `_skip`: 0 when the
        buffer ends at a header or a close frame not yet whole (left for more bytes)."""
        buf = self.reader.buffer
        end, at, close = len(buf), 0, int(Opcode.CLOSE)  # an int: an enum's == is slow
        while at + 2 <= end:
            second = buf[at + 1]
            length = second & 0x7F
            start = at + 2
            if length >= 126:  # RFC 6455 §5.2: the extended payload length
                start += 2 if length == 126 else 8
                if start > end:
                    break
                length = int.from_bytes(buf[at + 2 : start], "big")
            size = length + 4 if second & 0x80 else length  # a masking key: none from a server
            stop = start + size
            if buf[at] & 0x0F == close and size == length <= _CONTROL:
                if stop > end:
                    break
                data = bytes(buf[start:stop])
                self.own = at < self.early
                self._eat(stop)
                return 0, data
            if stop > end:
                self._eat(end)
                return stop - end, None
            at = stop
        self._eat(at)
        return 0, None

    def discard(self) -> Generator[None]:
        sent = self.close_sent
        if sent is None or sent.code != CloseCode.MESSAGE_TOO_BIG or self.close_rcvd is not None:
            return (yield from super().discard())
        # fail() has only queued drift's 1009: what the reader holds came before it was sent
        self.early = len(self.reader.buffer)
        yield  # fail() starts this at once; parse() records the PayloadTooBig (parser_exc) next
        exc = self.parser_exc
        # the frame's payload is still to come when its header was over the limit (its
        # `size`); a compressed one was read whole before it was found too big (size None)
        skip = exc.size if isinstance(exc, PayloadTooBig) and exc.size is not None else 0
        data: bytes | None = None
        try:
            while self.close_after is None:
                yield from self._skip(skip)
                held = len(self.reader.buffer)
                skip, data = self._drop()
                if data is not None:
                    self._ended()
                    self.close_after = Close.parse(data)
                elif not skip and len(self.reader.buffer) == held:  # no frame whole: wait
                    if self.reader.eof:
                        raise EOFError
                    yield
        except EOFError:
            self._ended()
            self.dropped = True
        except ProtocolError as exc:  # websockets `Protocol.parse`: a close RFC 6455 forbids
            self.refused = Close(CloseCode.PROTOCOL_ERROR, str(exc))
        except UnicodeDecodeError as exc:  # a reason not UTF-8 (RFC 6455 §5.5.1: it MUST be)
            self.refused = Close(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")
            self._unreadable(data or b"")
        return (yield from super().discard())


_ANSWERS = frozenset(
    {CloseCode.MESSAGE_TOO_BIG, CloseCode.NORMAL_CLOSURE, CloseCode.NO_STATUS_RCVD}
)
"""The codes of a close that may answer drift's 1009: its echo ("When sending a Close frame in
response, the endpoint typically echos the status code it received", RFC 6455 §5.5.1), a
normal closure, or a close with no code (`Close.parse` reads an empty one as 1005), when it
came after drift's 1009 was sent (`Watching.own`: one that came with the message is the
server's own, helper-758 R1; one that came later, after a message's payload still to come
when drift stopped, cannot be told from an answer and is taken as one). Any other
(1011, 1008, a 4000-range code of the app's) is the server's own close, the verdict as after
any message: a canary that closed every socket so right after a large first message passed
the fix's proof (helper-744).
1000 stays (helper-770): common servers answer a client's close so. websockets echoes the
close frame's data (`protocol.py`, "7.1.3. The WebSocket Closing Handshake is Started"), ws
(node) the code and reason (none for 1005: `receiverOnConclude`), gorilla/websocket the code
(`defaultHandleClose`: `FormatCloseMessage(code, "")`), coder/websocket (nhooyr) the code
and reason (`writeClose(ce.Code, ce.Reason)`); but aiohttp's server, with `autoclose` (its
default), answers any close with `close()`, whose code is 1000 (`WebSocketResponse.receive`;
seen with aiohttp 3.14.5 for a client's 1009, 1000 and 4000). Without 1000, a healthy
aiohttp app sending a first message over drift's limit would fail the probe."""

_OWN = (
    "it came in the same read as the message over drift's limit, before drift's 1009 was "
    "sent: the server's own close, not an answer to it"
)

_TOO_LONG = (
    "its close frame was over 125 bytes (RFC 6455 §5.5: a control frame's limit), its reason "
    "shown cut to 123; drift's client answered with 1002"
)

_NOT_UTF8 = (
    "its close reason was not UTF-8 (RFC 6455 §5.5.1: it must be), shown with replacement "
    "characters; drift's client answered with 1007"
)


def closed_by(
    exc: ConnectionClosed, protocol: object, after_ms: int, hold: float, mask: Mask, until: str = ""
) -> Verdict:
    """`classify.closed`, but when drift's client closed with 1007 only because the server's
    close reason was not UTF-8 (`Watching.unreadable`), the server's close is the verdict (its
    1011 a crash, not drift's 1007), said as such."""
    unreadable = protocol.unreadable if isinstance(protocol, Watching) else None
    too_long = isinstance(protocol, Watching) and protocol.too_long
    sent = exc.sent
    failed = 1002 if too_long else 1007
    if unreadable is None or exc.rcvd is not None or sent is None or sent.code != failed:
        return closed(exc, after_ms, hold, mask, until=until)
    end = closed(ConnectionClosedError(unreadable, None), after_ms, hold, mask, until=until)
    return replace(end, detail=f"{end.detail} ({_TOO_LONG if too_long else _NOT_UTF8})")


async def after_limit(
    ws: ClientConnection,
    opened: float,
    hold: float,
    least: float,
    limit: int,
    expect: str | None,
    mask: Mask,
) -> Verdict:
    """The verdict once drift stopped reading at a message over its `limit` (bytes): wait for
    the server's close until the hold would have ended, and at least `least` seconds (its
    close answers drift's 1009 at once), then say what ended it and how long was watched."""
    loop = asyncio.get_running_loop()
    after_ms = round((loop.time() - opened) * 1000)
    protocol = ws.protocol
    if (
        isinstance(protocol, Watching)
        and protocol.state is State.CLOSING
        and not protocol.reader.eof
    ):
        protocol.receive_data(b"")  # read what came with the message (its close, sent at once)
    try:
        async with asyncio.timeout_at(max(opened + hold, loop.time() + least)):
            await ws.wait_closed()
    except TimeoutError:
        pass
    watched_ms = round((loop.time() - opened) * 1000)
    watcher = protocol if isinstance(protocol, Watching) else None
    seen = watcher.close_after if watcher else None
    dropped = watcher is not None and watcher.dropped
    ended_at = watcher.ended_at if watcher else None
    # no earlier than the message before it (the close may come in the same read as the message)
    ended_ms = max(after_ms, round((ended_at - opened) * 1000)) if ended_at else watched_ms
    stay = hold or least  # how long it was to stay open: with no hold, `Probe.watched`
    limited = over_limit(after_ms, stay, limit, expect)
    mib = f"{limit // 2**20} MiB"
    before = (
        f"before it, a message over drift's {mib} reading limit {after_ms} ms after the "
        "handshake, at which drift closed with 1009 itself"
    )
    if watcher is not None and watcher.unreadable is not None:
        end = closed(ConnectionClosedError(watcher.unreadable, None), ended_ms, stay, mask)
        return replace(end, detail=f"{end.detail} ({_NOT_UTF8}); {before}")
    if watcher is not None and watcher.refused is not None:
        end = closed(ConnectionClosedError(None, watcher.refused), ended_ms, stay, mask)
        said = "the server's close frame after it was not valid"
        return replace(end, detail=f"{end.detail} ({said}); {before}")
    own = watcher is not None and watcher.own
    if dropped or (seen is not None and (own or seen.code not in _ANSWERS)):
        end = closed(ConnectionClosedError(seen, None), ended_ms, stay, mask)
        if own and seen is not None and seen.code in _ANSWERS:
            end = replace(end, detail=f"{end.detail} ({_OWN})")
        return replace(end, detail=f"{end.detail}; {before}")
    if seen is not None:
        what = f"the server answered with close {seen.code} {ended_ms} ms after the handshake"
    elif protocol.state is State.CLOSED:
        what = "the server closed the connection (its close frame not read)"
        what += f" {watched_ms} ms after the handshake"
    else:
        what = f"the server had not closed the socket {watched_ms} ms after the handshake"
    watched = (
        f"{what}; the {secs(stay)} hold was watched "
        f"{watched_ms} ms, and no failure was seen in them"
    )
    if limited.outcome is ProbeOutcome.OK:
        return replace(limited, detail=f"{limited.detail}; {watched}")
    return limited
