"""Verdicts: what a failed connect or an early close means, in the words a report shows."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidMessage,
    InvalidStatus,
    InvalidURI,
    ProxyError,
)
from websockets.frames import CLOSE_CODE_EXPLANATIONS

from drift.findings import ProbeOutcome
from drift.probe.targets import display_url

BODY_BYTES = 200
"""How much of a rejection body (or of an unexpected message) the detail line shows."""
_READ_BYTES = 64 * 1024
"""How much of a body is looked at (and masked) before it is cut to `BODY_BYTES`."""

Mask = Callable[[str], str]
"""Masks the values a probe sent in what the server answered (before it is shaped or cut)."""


@dataclass(frozen=True)
class Verdict:
    """What one probe saw, before it becomes a `ProbeResult`."""

    outcome: ProbeOutcome
    detail: str
    http_status: int | None = None
    close_code: int | None = None
    close_reason: str | None = None
    handshake_hung: bool = False
    """See `ProbeResult.handshake_hung`."""
    not_http: bool = False
    """See `ProbeResult.not_http`."""


def secs(seconds: float) -> str:
    return f"{seconds:g} s"


def _unmasked(text: str) -> str:
    return text


def one_line(data: bytes | bytearray | str, limit: int = BODY_BYTES, mask: Mask = _unmasked) -> str:
    """What a server sent, as one short line: masked first (whole, so that cutting it cannot
    leave a piece of a secret unrecognised), then flattened and cut to `limit` bytes."""
    raw = data if isinstance(data, str) else bytes(data[:_READ_BYTES]).decode("utf-8", "replace")
    text = mask(raw[:_READ_BYTES])
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    cut = text.encode()[:limit].decode("utf-8", errors="ignore")
    return cut + ("…" if len(cut) < len(text) else "")


def _explain(code: int) -> str:
    return CLOSE_CODE_EXPLANATIONS.get(code, "unknown")


def _redirect(headers: Headers) -> str:
    """Where a redirect points, as far as it can be shown: a server may send several
    `Location` headers, or one that is not a URL (it is still a rejection, never a crash)."""
    locations = headers.get_all("Location")
    if len(locations) != 1:
        return f"redirect with {len(locations)} Location headers"
    try:
        return f"redirect to {display_url(locations[0])}"
    except ValueError:  # e.g. `http://[::1/ws`: urlsplit refuses it
        return "redirect to an unreadable Location"


_STATUS_LINE = re.compile(rb"HTTP/1\.1 ([1-5][0-9]{2}) ([\t\x20-\x7e\x80-\xff]*)\r\n")
"""A status line as websockets accepts one (`websockets.http11.Response.parse`)."""
STATUS_LINE_MAX = 8192
"""How much of the start of an answer is kept to find its status line (websockets'
`MAX_LINE_LENGTH`: a longer line is refused as such)."""


def _unread_rest(head: bytes, exc: BaseException, timeout: float, mask: Mask) -> Verdict | None:
    """An answer whose status line arrived but whose headers or body the client could not
    read (more than websockets' 128 headers or 1 MiB of body, a body that never ends, a
    connection closed mid-answer): websockets keeps nothing of it, yet the status is the
    service's answer (SPEC `probe.rejected`: "HTTP status instead of 101 (e.g. 403, 500,
    503)"), never a failure on the way to it. `head`: the first bytes the service sent."""
    line = _STATUS_LINE.match(head)
    if line is None or not isinstance(exc, InvalidMessage | TimeoutError):
        return None
    status = int(line.group(1))
    answer = f"HTTP {status} {line.group(2).decode('iso-8859-1')}".strip()
    cause = exc.__cause__ if isinstance(exc, InvalidMessage) else exc
    if isinstance(cause, TimeoutError):
        rest = f"did not arrive within {secs(timeout)} (timeout)"
    elif isinstance(cause, EOFError) or cause is None:
        rest = "never came: the connection closed"
    else:
        rest = f"cannot be read: {one_line(str(cause) or type(cause).__name__, mask=mask)}"
    if status == 101:
        return Verdict(
            ProbeOutcome.UNEXPECTED,
            f"invalid WebSocket handshake: {answer}, but the rest of the answer {rest}",
            101,
        )
    return Verdict(ProbeOutcome.REJECTED, f"{answer}: the rest of the answer {rest}", status)


_UNKNOWN_AUTHORITY = frozenset({18, 19, 20})
"""OpenSSL's verify codes for a certificate of an authority it does not trust: a self-signed
certificate, a self-signed one in the chain, no local issuer (X509_V_ERR_* in x509_vfy.h)."""
_TRUST = (
    " (a private certificate authority, or a TLS-inspecting proxy's, is trusted through "
    "SSL_CERT_FILE or SSL_CERT_DIR)"
)


def connect_failure(
    exc: BaseException,
    url: str,
    timeout: float,
    mask: Mask,
    proxy: str | None,
    *,
    connected: bool,
    answered: bytes = b"",
) -> Verdict:
    """Classify a failure before the WebSocket opened (`mask`: see `Mask`). `proxy` (as it may
    be shown) is named where the socket was the proxy's: a proxy that refuses is not the
    service refusing. `connected`: the connection to the service (TCP, TLS, a proxy's tunnel)
    was made, so a timeout is the service not answering the handshake. `answered`: the first
    bytes the service sent (up to `STATUS_LINE_MAX`), where its status line is."""
    host = urlsplit(url).netloc.rpartition("@")[2]
    via = f" through proxy {proxy}" if proxy else ""
    peer = f"proxy {proxy}" if proxy else host  # whose socket a TCP or DNS failure was
    unreachable = ProbeOutcome.UNREACHABLE
    unread = _unread_rest(answered, exc, timeout, mask)
    if unread is not None:
        return unread
    if isinstance(exc, InvalidStatus):
        response = exc.response
        status = response.status_code
        head = f"HTTP {status} {response.reason_phrase}".strip()
        if 300 <= status < 400 and "Location" in response.headers:
            return Verdict(
                ProbeOutcome.REJECTED,
                f"{head}: {_redirect(response.headers)} (not followed)",
                status,
            )
        body = one_line(response.body or b"", mask=mask)
        return Verdict(
            ProbeOutcome.REJECTED, f"{head}: {body}" if body else f"{head} (empty body)", status
        )
    if isinstance(exc, TimeoutError):
        if connected:
            return Verdict(
                unreachable,
                f"{host}{via} took the connection but answered no WebSocket handshake within "
                f"{secs(timeout)} (timeout)",
                handshake_hung=True,
            )
        return Verdict(
            unreachable, f"no connection to {host}{via} within {secs(timeout)} (timeout)"
        )
    if isinstance(exc, socket.gaierror):
        return Verdict(unreachable, f"DNS lookup failed for {peer}: {exc.strerror or exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        trust = _TRUST if exc.verify_code in _UNKNOWN_AUTHORITY else ""
        return Verdict(
            unreachable, f"TLS certificate of {host} rejected{via}: {exc.verify_message}{trust}"
        )
    if isinstance(exc, ssl.SSLError):
        return Verdict(unreachable, f"TLS handshake with {host}{via} failed: {exc.reason or exc}")
    if isinstance(exc, ConnectionRefusedError):
        return Verdict(unreachable, f"connection to {peer} refused")
    if isinstance(exc, OSError):
        return Verdict(unreachable, f"cannot connect to {peer}: {exc.strerror or exc}")
    if isinstance(exc, ProxyError):
        # websockets' own words: "proxy rejected connection: HTTP 407", …
        return Verdict(
            unreachable, f"{peer if proxy else 'the proxy'} failed to reach {host}: {exc}"
        )
    if isinstance(exc, InvalidMessage):
        cause = exc.__cause__
        if answered and (isinstance(cause, EOFError) or cause is None):  # bytes, then its end
            return Verdict(
                unreachable,
                f"{host}{via} answered the WebSocket handshake with {len(answered)} bytes "
                "that is not HTTP, then closed the connection",
                not_http=True,
            )
        if isinstance(cause, EOFError) or cause is None:  # ended before any HTTP response
            why = "closed the connection" if cause else "sent no valid HTTP"
            return Verdict(
                unreachable, f"{host}{via} {why} before answering the WebSocket handshake"
            )
        # It answered, with what the client cannot read: say what (websockets' words, which
        # may quote the answer: masked and cut).
        said = one_line(str(cause) or type(cause).__name__, mask=mask)
        return Verdict(
            unreachable,
            f"{host}{via} answered the WebSocket handshake with a response that is not HTTP, "
            f"which the client cannot read: {said}",
            not_http=True,
        )
    if isinstance(exc, InvalidHandshake):
        # A 101 whose headers do not complete a valid WebSocket handshake.
        return Verdict(
            ProbeOutcome.UNEXPECTED, f"invalid WebSocket handshake: {mask(str(exc))}", 101
        )
    if isinstance(exc, InvalidURI):
        return Verdict(unreachable, f"cannot open a WebSocket to {host}: {exc.msg}")
    # An error drift does not know: its text may quote what the environment holds (a proxy
    # URL with its password), so only its type is shown.
    return Verdict(unreachable, f"cannot open a WebSocket to {host}{via}: {type(exc).__name__}")


def no_subprotocol(offered: int) -> Verdict:
    """A 101 that selects none of the subprotocols the probe offered (no
    `Sec-WebSocket-Protocol` in the answer). RFC 6455 lets a server do so: §4.1 fails the
    connection only when "this header field indicates the use of a subprotocol that was not
    present in the client's handshake", and §4.2.2 says "if the server does not wish to agree
    to one of the suggested subprotocols, it MUST NOT send back a |Sec-WebSocket-Protocol|
    header field". Browsers follow the WHATWG WebSockets standard instead ("establish a
    WebSocket connection", websockets.spec.whatwg.org): "If protocols is not the empty list
    and extracting header list values given `Sec-WebSocket-Protocol` and response's header
    list results in null, failure, or the empty byte sequence, then fail the WebSocket
    connection" (web-platform-tests websockets/constructor/012.html, "no protocol in
    response"); Node's `ws` does the same ("To comply with the WHATWG specification, the
    connection must fail if the server does not return the `Sec-WebSocket-Protocol` header
    when a client requests specific subprotocols", websockets/ws#2314). The frontend and a
    browser E2E suite that offer the same subprotocols cannot connect: a failure, not `ok`."""
    which = "the subprotocol it offered" if offered == 1 else f"any of the {offered} it offered"
    return Verdict(
        ProbeOutcome.UNEXPECTED,
        f"the server accepted the WebSocket (101) without selecting {which} (no "
        "Sec-WebSocket-Protocol in its answer): browsers and Node's ws client refuse such a "
        "handshake (WHATWG WebSockets standard), although RFC 6455 §4.1 allows it",
        101,
    )


def closed(
    exc: ConnectionClosed, after_ms: int, hold: float, mask: Mask = _unmasked, until: str = ""
) -> Verdict:
    """Classify the end of an open socket before the probe was done with it (the close
    reason masked: see `Mask`). `until`: what it was to stay open for, where not `hold`."""
    when = f"{after_ms} ms after the handshake"
    if exc.rcvd is None:
        if exc.sent is None:
            return Verdict(
                ProbeOutcome.ABNORMAL,
                f"connection dropped without a close frame (1006) {when}",
                101,
                1006,
            )
        # drift's client closed it: the server broke the protocol (1002, 1007, …). Never 1009:
        # RFC 6455 §7.4.1 has the endpoint that RECEIVED a message too big for it send 1009, so
        # drift's 1009 is drift's own limit, not the server's failure (`over_limit`).
        code, reason = exc.sent.code, mask(exc.sent.reason)
        return Verdict(
            ProbeOutcome.UNEXPECTED,
            f"client closed with {code} ({_explain(code)}) {when}: {reason}",
            101,
            code,
            reason or None,
        )
    code, reason = exc.rcvd.code, mask(exc.rcvd.reason)
    text = f"server closed with {code} ({_explain(code)}) {when}"
    if reason:
        text += f": {reason}"
    if code == 1011:
        return Verdict(ProbeOutcome.CLOSE_1011, text, 101, code, reason or None)
    return Verdict(
        ProbeOutcome.UNEXPECTED,
        f"{text} ({until or f'it was to stay open {secs(hold)}'})",
        101,
        code,
        reason or None,
    )


def too_big_for_drift(exc: ConnectionClosed) -> bool:
    """Whether drift's own client ended the socket with 1009 (message too big): RFC 6455
    §7.4.1 has "an endpoint … received a message that is too big for it to process" send it,
    here drift, at its `MAX_MESSAGE` reading limit — whatever the server echoes after."""
    return exc.sent is not None and exc.sent.code == 1009 and not exc.rcvd_then_sent


def over_limit(after_ms: int, hold: float, limit: int, expect: str | None) -> Verdict:
    """The verdict when drift stopped reading at a message over its `limit` (bytes), `after_ms`
    after the handshake. The service opened the socket and kept it open: no browser caps a
    message, so that is no failure of the service and passes — unless the probe's `expect`
    was still waiting for the first message, which drift could then not read (said as such:
    drift's limit, not the service's answer). What the server does next (a 1011, a drop) is
    read by `drift.probe.limits.after_limit`, which says how long the hold was watched."""
    mib = f"{limit // 2**20} MiB"
    if expect is not None:
        return Verdict(
            ProbeOutcome.UNEXPECTED,
            f"the first message ({after_ms} ms after the handshake) is over drift's {mib} "
            f"reading limit, so it could not be matched against {expect!r}: drift closed with "
            "1009 itself (its own limit, not a failure of the service)",
            101,
        )
    return Verdict(
        ProbeOutcome.OK,
        f"open {after_ms} ms of the {secs(hold)} hold; then a message over drift's {mib} "
        "reading limit, at which drift stopped reading and closed with 1009 itself (its own "
        "limit, which browsers do not have: not a failure of the service)",
        101,
    )
