"""The probe itself: open the WebSocket, hold it, classify what the client saw, never leak."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, ConnectionClosedError
from websockets.frames import CloseCode
from websockets.protocol import State
from websockets.typing import Data, Subprotocol

from drift.findings import ProbeOutcome, ProbeResult
from drift.probe.classify import (
    Mask,
    Verdict,
    connect_failure,
    no_subprotocol,
    one_line,
    secs,
    too_big_for_drift,
)
from drift.probe.connection import WIRE_LOG, NoRedirects, Seen, noting_connection, quiet_loop_errors
from drift.probe.expand import build_request, check_expansions
from drift.probe.idtoken import IdTokenProvider, google_id_token_provider, once_per_audience
from drift.probe.limits import after_limit, closed_by
from drift.probe.targets import (
    ProbeTarget,
    display_url,
    id_token_audience,
    route,
    websocket_url,
)
from drift.profiles.model import NO_HOLD_WATCH, Probe, re2_search

Echoes = Callable[[list[ProbeResult]], Awaitable[list[ProbeResult]]]
"""What masks the results of a run of probes of the secrets the services hold."""

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 1.0
"""Seconds to wait for the server's close frame after our own; the result is known by then."""
READ_ON = NO_HOLD_WATCH
"""Seconds (at most the probe's timeout) to read on at least after a first message that does
not match `expect`, when the hold would end sooner: a server that answers with an error
message and then closes (FastAPI's `send_json({"type": "error", …})` then `close(1011)`) sends
both at once, and its close code is the verdict the SPEC names (`probe.close_1011`), not the
message. Also how long a socket is watched when the profile sets no hold (`hold: 0s`), after
the 101 and after a message that matched `expect` (`Probe.watched`)."""
MAX_MESSAGE = 16 * 2**20
"""The largest message drift's client reads (websockets `max_size`: "Maximum size of incoming
messages in bytes", default 2**20, websockets.readthedocs.io reference/asyncio/client). Browsers
cap nothing, so a service's large first message (a chat history, a document snapshot) must not
fail the probe: over this, drift stops reading and the verdict says it is drift's limit
(`over_limit`). A cap, not `None`: a hostile server cannot make drift buffer without bound
(at most `MAX_QUEUE` frames of it at once)."""
MAX_QUEUE = 4
"""websockets `max_queue` (high-water mark of received frames, default 16): the probe reads each
message as it comes, so a few are enough, and `MAX_QUEUE * MAX_MESSAGE` bounds the memory."""
_POLL = 0.1
_DRAIN = 0.01
"""Seconds to take a message still queued on a closing socket."""


async def _converse(
    ws: ClientConnection, spec: Probe, window: float, mask: Mask, until: list[str]
) -> Verdict:
    """Optionally send, check the first message against `expect`, and keep the socket open
    for the hold. With `expect`, the message must arrive within `window`. A closed socket
    raises `ConnectionClosed` to the caller; `until` then says what it was to stay open for,
    where that is not the hold (`hold: 0s` with `expect`: the message, then a watch after it)."""
    loop = asyncio.get_running_loop()
    if spec.expect is not None and not spec.hold:
        until[:] = [f"before a first message matching {spec.expect!r} came"]
    opened = loop.time()
    hold_end = opened + spec.watched
    expect_end = opened + window
    if spec.send is not None and ws.state is State.OPEN:
        # not when the server has closed already (an app that sends its error, then 1011, in
        # one write): websockets' send would wait out the close (up to a second), and what the
        # server said before closing, queued, be lost (helper-536); read as it is below
        await ws.send(spec.send)
    first: str | None = None
    first_ms = 0
    while True:
        waiting = spec.expect is not None and first is None
        remaining = (expect_end if waiting else hold_end) - loop.time()
        if remaining <= 0:
            break
        try:
            message = await _next(ws, min(remaining, _POLL))
        except ConnectionClosed as exc:
            if _answered(spec, first) and _normal(exc):
                return _served(spec, first_ms)
            if not too_big_for_drift(exc):
                raise
            least = min(READ_ON, spec.timeout)
            expect = spec.expect if waiting else None
            return await after_limit(ws, opened, spec.hold, least, MAX_MESSAGE, expect, mask)
        if message is None:
            continue
        if first is None:
            first = message if isinstance(message, str) else message.decode("utf-8", "replace")
            first_ms = round((loop.time() - opened) * 1000)
            # RE2, as the profile validated it: a server's reply cannot hang the probe
            if spec.expect is not None and not re2_search(spec.expect, first):
                mismatch = Verdict(
                    ProbeOutcome.UNEXPECTED,
                    f"first message {first_ms} ms after the handshake did not match "
                    f"{spec.expect!r}: {one_line(message, mask=mask)}",
                    101,
                )
                return await _after_mismatch(ws, spec, mask, (opened, window), mismatch)
            if spec.expect is not None and not spec.hold:  # what follows the answer too
                hold_end = loop.time() + spec.watched
                until[:] = [f"it was to stay open {secs(spec.watched)} after that message"]
    try:
        _raise_if_closing(ws)
    except ConnectionClosed as exc:
        if not (_answered(spec, first) and _normal(exc)):
            raise
        return _served(spec, first_ms)
    if spec.expect is not None and first is None:
        return Verdict(
            ProbeOutcome.UNEXPECTED,
            f"no message within {secs(window)} (expected one matching {spec.expect!r})",
            101,
        )
    detail = f"open for {secs(spec.hold or round(hold_end - opened, 1))}"
    if spec.expect is not None:
        detail += f"; first message matched {spec.expect!r} {first_ms} ms after the handshake"
    return Verdict(ProbeOutcome.OK, detail, 101)


def _answered(spec: Probe, first: str | None) -> bool:
    """`hold: 0s` with `expect`, and the expected message came: nothing was to stay open,
    the socket is watched after it only for a crash (1011) or a drop (1006)."""
    return spec.expect is not None and not spec.hold and first is not None


def _normal(exc: ConnectionClosed) -> bool:
    """The server closed with 1000 ("a normal closure, meaning that the purpose for which the
    connection was established has been fulfilled", RFC 6455 §7.4.1), drift's client having
    failed nothing before it."""
    rcvd, sent = exc.rcvd, exc.sent
    normal = rcvd is not None and rcvd.code == CloseCode.NORMAL_CLOSURE
    return normal and (sent is None or bool(exc.rcvd_then_sent))


def _served(spec: Probe, first_ms: int) -> Verdict:
    """A request/response endpoint's pass: it answered what `expect` matched, then closed
    normally (helper-837 F2); its close reason is not shown (nothing failed)."""
    said = f"first message matched {spec.expect!r} {first_ms} ms after the handshake; then the"
    return Verdict(ProbeOutcome.OK, f"{said} server closed with 1000 (normal closure)", 101)


async def _after_mismatch(
    ws: ClientConnection,
    spec: Probe,
    mask: Mask,
    held: tuple[float, float],
    mismatch: Verdict,
) -> Verdict:
    """Read on after a first message that did not match `expect`, until the probe would have
    ended had it matched (`held`: when the socket opened; the hold — without one, a passing
    probe ends `READ_ON` after its message), and for at least `READ_ON` (at most the timeout):
    reading that long costs no more than a passing probe (revown12 F4; not the whole timeout
    when there is no hold, revown14 3). A close with 1011 or a drop (1006)
    within it is the verdict, the message said in its detail; messages in between are read
    past (one over drift's limit too: `after_limit`); another close code, or the socket still
    open at the end, leaves the mismatch as it is."""
    loop = asyncio.get_running_loop()
    opened, _window = held
    deadline = max(opened + spec.hold, loop.time() + min(READ_ON, spec.timeout))
    try:
        while (remaining := deadline - loop.time()) > 0:
            await _next(ws, min(remaining, _POLL))  # what follows: only its close matters
        _raise_if_closing(ws)
    except ConnectionClosed as exc:
        if too_big_for_drift(exc):  # drift's 1009: the server's close is read on, to the deadline
            least = max(deadline - loop.time(), _DRAIN)
            end = await after_limit(ws, opened, spec.hold, least, MAX_MESSAGE, None, mask)
        else:
            after_ms = round((loop.time() - opened) * 1000)
            end = closed_by(exc, ws.protocol, after_ms, spec.hold, mask)
        if end.outcome in (ProbeOutcome.CLOSE_1011, ProbeOutcome.ABNORMAL):
            return replace(end, detail=f"{end.detail}; before it, {mismatch.detail}")
    return mismatch


async def _next(ws: ClientConnection, wait: float) -> Data | None:
    """The next message within `wait` (None: none came). A message the server sent before its
    close is still returned when the close came with it, even in the same read as the 101 (a
    server that accepts, says its error and closes at once; a proxy that coalesces): it is the
    app's own words, kept in the detail (revown12 F3). Once none is queued, a closing socket
    raises `ConnectionClosed`."""
    closing = ws.state is not State.OPEN
    try:
        # recv() returns a queued message at once; on a closing socket it would otherwise wait
        # for the server to hang up
        async with asyncio.timeout(_DRAIN if closing else wait):
            return await ws.recv()  # cancelling recv() loses nothing
    except TimeoutError:
        if closing:
            _raise_if_closing(ws)
        return None


def _raise_if_closing(ws: ClientConnection) -> None:
    """recv() only raises once the TCP connection is gone; after a protocol error drift's client
    has already sent its close frame and is only waiting for the server to hang up."""
    if ws.state is State.CLOSED:
        raise ws.protocol.close_exc
    if ws.state is State.CLOSING:
        protocol = ws.protocol
        raise ConnectionClosedError(
            protocol.close_rcvd, protocol.close_sent, protocol.close_rcvd_then_sent
        )


async def _hold(ws: ClientConnection, spec: Probe, window: float, mask: Mask) -> Verdict:
    loop = asyncio.get_running_loop()
    opened = loop.time()
    until: list[str] = []
    try:
        # (what follows a message that did not match is read on to the end of the window, or
        # for READ_ON more when it came late in it)
        async with asyncio.timeout(window + READ_ON + CLOSE_TIMEOUT):
            return await _converse(ws, spec, window, mask, until)
    except ConnectionClosed as exc:
        after_ms = round((loop.time() - opened) * 1000)
        return closed_by(exc, ws.protocol, after_ms, spec.watched, mask, until="".join(until))
    except TimeoutError:
        # A send blocked by a server that stopped reading outlasts the window (what drift
        # wrote still waits in its buffer); so can, on a loaded machine, reading a server
        # that never stops sending (seen with 6 pytest workers on 2 cores). Over TLS the
        # buffer asyncio reports leaves out what waits below it (revown59 F1): an empty one
        # proves nothing, so the words then name both.
        if ws.transport.get_write_buffer_size():
            detail = f"socket stalled: could not send within {secs(window)}"
        else:
            limit = secs(window + READ_ON + CLOSE_TIMEOUT)
            detail = (
                f"no verdict within {limit}: the server kept sending, or stopped reading "
                "what drift sent"
            )
        return Verdict(ProbeOutcome.UNEXPECTED, detail, 101)


async def _close_quietly(ws: ClientConnection) -> None:
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT * 2):
            await ws.close()
    except (TimeoutError, OSError, ConnectionClosed):
        ws.transport.abort()


async def probe(
    target: ProbeTarget,
    *,
    environ: Mapping[str, str],
    id_token: IdTokenProvider | None = None,
) -> ProbeResult:
    """Open the target's WebSocket, hold it, and classify what happened. Network outcomes are
    results, never exceptions; only configuration and authentication problems raise
    (`ProbeConfigError`, `ProbeAuthError`)."""
    spec = target.spec
    token: str | None = None
    build_request(spec, environ, None)  # configuration errors before any token is fetched
    if spec.auth == "google-id-token":
        provider = id_token or google_id_token_provider()
        token = await provider(id_token_audience(target))
    request = build_request(spec, environ, token)
    url = websocket_url(target.base_url, request.path)
    shown = display_url(url)
    spec = replace(spec, send=request.send)  # what is sent: `${VAR}` expanded
    # With `expect` and no hold, the message gets the connect timeout to arrive.
    window = spec.timeout if spec.expect is not None and not spec.hold else spec.watched
    mask = request.secrets.mask
    log.debug("probing %s (%s)", mask(shown), target.service)

    via = route(url)  # the proxy named where it was the proxy that failed
    loop = asyncio.get_running_loop()
    quiet_loop_errors(loop)
    start = loop.time()
    seen = Seen()
    try:
        opener = NoRedirects(
            url,
            subprotocols=[Subprotocol(s) for s in request.subprotocols] or None,
            additional_headers=request.headers,
            user_agent_header=request.user_agent,
            open_timeout=spec.timeout,
            close_timeout=CLOSE_TIMEOUT,
            max_size=MAX_MESSAGE,
            max_queue=MAX_QUEUE,
            ping_interval=None,
            logger=WIRE_LOG,
            proxy=via.proxy,
            create_connection=noting_connection(seen),
        )
        async with asyncio.timeout(spec.timeout + CLOSE_TIMEOUT):
            ws = await opener
    except Exception as exc:  # whatever a server answers is a verdict on it, never a crash
        verdict = connect_failure(
            exc,
            url,
            spec.timeout,
            mask,
            via.shown,
            connected=seen.connected,
            answered=bytes(seen.head),
        )
        elapsed_ms = round((loop.time() - start) * 1000)
    else:
        try:
            if request.subprotocols and ws.subprotocol is None:
                verdict = no_subprotocol(len(request.subprotocols))  # a browser stops here
            else:
                verdict = await _hold(ws, spec, window, mask)
            elapsed_ms = round((loop.time() - start) * 1000)
        finally:
            await _close_quietly(ws)

    result = ProbeResult(
        service=target.service,
        revision=target.revision,
        tag=target.tag,
        url=mask(shown),
        outcome=verdict.outcome,
        elapsed_ms=elapsed_ms,
        http_status=verdict.http_status,
        close_code=verdict.close_code,
        close_reason=None if verdict.close_reason is None else mask(verdict.close_reason),
        detail=mask(verdict.detail),
        handshake_hung=verdict.handshake_hung,
        not_http=verdict.not_http,
    )
    log.debug("probe %s: %s in %d ms", result.url, result.outcome.value, result.elapsed_ms)
    return result


async def probe_all(
    targets: Sequence[ProbeTarget],
    *,
    environ: Mapping[str, str],
    concurrency: int = 8,
    id_token: IdTokenProvider | None = None,
    echoes: Echoes | None = None,
) -> list[ProbeResult]:
    """Probe every target, at most `concurrency` at a time; results in the order of
    `targets`. Every `${VAR}` and every ID token is resolved before the first probe, so a
    configuration or authentication error stops the run before anything is probed. `echoes`:
    masks what the services sent back of the secrets they hold (`drift.probe.echoed`); without
    it only what the probe sent is masked."""
    check_expansions(targets, environ)
    for target in targets:
        request = build_request(target.spec, environ, None)
        route(websocket_url(target.base_url, request.path))
    provider: IdTokenProvider | None = None
    audiences = list(
        dict.fromkeys(id_token_audience(t) for t in targets if t.spec.auth == "google-id-token")
    )
    if audiences:
        provider = once_per_audience(id_token or google_id_token_provider())
        for audience in audiences:
            await provider(audience)

    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(target: ProbeTarget) -> ProbeResult:
        async with gate:
            return await probe(target, environ=environ, id_token=provider)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(target)) for target in targets]
    except BaseExceptionGroup as failed:
        raise _first_leaf(failed) from None
    results = [task.result() for task in tasks]
    return results if echoes is None else await echoes(results)


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
