"""WebSocket handshake probes: open, hold, classify exactly what the client saw, never leak."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedError,
    InvalidHandshake,
    InvalidMessage,
    InvalidProxy,
    InvalidStatus,
    InvalidURI,
    ProxyError,
)
from websockets.frames import CLOSE_CODE_EXPLANATIONS
from websockets.protocol import State
from websockets.typing import Subprotocol

from drift import __version__, redact
from drift.errors import AuthError, DriftError
from drift.findings import ProbeOutcome, ProbeResult
from drift.profiles.model import Probe

log = logging.getLogger(__name__)

IdTokenProvider = Callable[[str], Awaitable[str]]
"""Given an audience (the service URL), return a Google ID token for it."""

CLOSE_TIMEOUT = 1.0
"""Seconds to wait for the server's close frame after our own; the result is known by then."""
BODY_BYTES = 200
"""How much of a rejection body (or of an unexpected message) the detail line shows."""
_TOKEN_REFRESH_AFTER = 45 * 60.0
_POLL = 0.1
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TCHAR = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
    }
)
_CREDENTIAL_HEADER = re.compile(
    r"(authorization|cookie|token|secret|key|session|password|passwd|credential|jwt)", re.I
)


class ProbeConfigError(DriftError):
    """A probe cannot be built from its profile block in this environment (nothing probed)."""


class ProbeAuthError(AuthError):
    """No Google ID token could be obtained for a probe with `auth: google-id-token`."""


@dataclass(frozen=True)
class ProbeTarget:
    service: str
    revision: str | None
    base_url: str
    """The service URL or a revision's tag URL, e.g. `https://api-xyz.a.run.app`."""
    spec: Probe
    audience: str | None = None
    """ID-token audience when it is not the origin of `base_url` (e.g. a custom audience)."""


# --- URLs -----------------------------------------------------------------------------------


def websocket_url(base_url: str, path: str) -> str:
    """`https://host[:port][/prefix]` + `/ws` -> `wss://host[:port][/prefix]/ws` (http -> ws)."""
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise ProbeConfigError(
            f"cannot probe {display_url(base_url)!r}: expected an http(s) URL with a host"
        )
    extra = urlsplit(path if path.startswith("/") else f"/{path}")
    joined = parts.path.rstrip("/") + extra.path
    return urlunsplit((scheme, parts.netloc, joined, extra.query, ""))


def display_url(url: str) -> str:
    """The URL to show: no user info, and every query value masked (it may be a token)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = "&".join(
        f"{item.partition('=')[0]}={redact.MASK}" if "=" in item else item
        for item in parts.query.split("&")
        if item
    )
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, ""))


def _audience(target: ProbeTarget) -> str:
    if target.audience:
        return target.audience
    parts = urlsplit(target.base_url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], "", "", ""))


# --- ${VAR} expansion -----------------------------------------------------------------------


def _where(spec: Probe) -> str:
    return f"{spec.location.file}:{spec.location.line}"


def _problems(template: str, environ: Mapping[str, str], where: str) -> tuple[list[str], set[str]]:
    problems: list[str] = []
    names: set[str] = set()
    for match in _VAR.finditer(template):
        name = match.group(1)
        value = environ.get(name)
        if value is None:
            problems.append(
                f"{where}: probe uses ${{{name}}}, which is not set in this environment"
            )
            names.add(name)
        elif value == "":
            problems.append(f"{where}: probe uses ${{{name}}}, which is empty in this environment")
            names.add(name)
    leftover = _VAR.sub("", template)
    if "${" in leftover:
        start = leftover.index("${")
        fragment = leftover[start : leftover.find("}", start) + 1 or start + 20]
        problems.append(
            f"{where}: malformed variable reference {fragment!r} in probe "
            "(write ${NAME} with letters, digits and underscores)"
        )
    return problems, names


def _config_error(problems: Sequence[str], names: Iterable[str]) -> ProbeConfigError:
    unique = list(dict.fromkeys(problems))
    message = (
        unique[0]
        if len(unique) == 1
        else (f"{len(unique)} probe configuration errors:\n" + "\n".join(unique))
    )
    missing = sorted(set(names))
    hint = None
    if missing:
        listed = ", ".join(missing)
        hint = (
            f"set {listed} in the environment that runs drift "
            "(in GitHub Actions, map the secret into the step's env:)"
        )
    return ProbeConfigError(message, hint=hint)


def expand(template: str, environ: Mapping[str, str], *, where: str) -> str:
    """Replace each `${VAR}` with its value from `environ`; a missing or empty variable, or a
    malformed reference, is a `ProbeConfigError` naming the variable and `where` (never a
    value)."""
    problems, names = _problems(template, environ, where)
    if problems:
        raise _config_error(problems, names)
    return _VAR.sub(lambda m: environ[m.group(1)], template)


def _templates(spec: Probe) -> Iterable[str]:
    yield from spec.subprotocols
    for _, value in spec.headers:
        yield value


def check_expansions(targets: Iterable[ProbeTarget], environ: Mapping[str, str]) -> None:
    """Validate every `${VAR}` of every probe up front: one error listing all that is missing,
    before any probe runs."""
    problems: list[str] = []
    names: set[str] = set()
    seen: set[int] = set()
    for target in targets:
        if id(target.spec) in seen:
            continue
        seen.add(id(target.spec))
        for template in _templates(target.spec):
            found, missing = _problems(template, environ, _where(target.spec))
            problems.extend(found)
            names |= missing
    if problems:
        raise _config_error(problems, names)


# --- what is sent, and what must never be shown --------------------------------------------


class _Secrets:
    """The credentials a probe sends; scrubbed from everything it reports."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str, *, everywhere: bool = False) -> None:
        if len(value) >= 4:
            self._values.add(value)
            if everywhere:
                redact.register(value)

    def scrub(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, redact.MASK)
        return redact.scrub(text)


@dataclass(frozen=True)
class _Request:
    subprotocols: list[Subprotocol]
    headers: list[tuple[str, str]]
    user_agent: str | None
    secrets: _Secrets


def _expand_tracked(
    template: str, environ: Mapping[str, str], where: str, secrets: _Secrets, credential: bool
) -> str:
    value = expand(template, environ, where=where)
    if value != template:
        # Every substituted value is kept out of this probe's output; a credential is also
        # registered so that no other output of the run can carry it.
        for match in _VAR.finditer(template):
            name = match.group(1)
            everywhere = credential or redact.looks_like_credential(name, environ[name])
            secrets.add(environ[name], everywhere=everywhere)
        secrets.add(value, everywhere=credential)
    elif credential:
        secrets.add(value)
    return value


def _build_request(spec: Probe, environ: Mapping[str, str], token: str | None) -> _Request:
    where = _where(spec)
    secrets = _Secrets()
    subprotocols: list[Subprotocol] = []
    for index, template in enumerate(spec.subprotocols, start=1):
        value = _expand_tracked(template, environ, where, secrets, credential=True)
        if not _TCHAR.match(value):
            raise ProbeConfigError(
                f"{where}: probe subprotocol #{index} is not a valid token once expanded "
                "(no spaces, commas, quotes or control characters)"
            )
        subprotocols.append(Subprotocol(value))
    headers: list[tuple[str, str]] = []
    names = {name.lower() for name, _ in spec.headers}
    for name, template in spec.headers:
        if not _TCHAR.match(name):
            raise ProbeConfigError(f"{where}: probe header name {name!r} is not a valid token")
        if name.lower() in _RESERVED_HEADERS:
            raise ProbeConfigError(
                f"{where}: probe header {name} is set by the WebSocket handshake itself"
                + (" (use `subprotocols`)" if name.lower() == "sec-websocket-protocol" else "")
            )
        credential = bool(_CREDENTIAL_HEADER.search(name))
        value = _expand_tracked(template, environ, where, secrets, credential)
        if any(c in value for c in "\r\n\0"):
            raise ProbeConfigError(
                f"{where}: probe header {name} contains a line break or NUL once expanded"
            )
        headers.append((name, value))
    if token is not None:
        secrets.add(token, everywhere=True)
        # Cloud Run reads the ID token from X-Serverless-Authorization when the application
        # needs Authorization for itself.
        auth_header = "X-Serverless-Authorization" if "authorization" in names else "Authorization"
        headers.append((auth_header, f"Bearer {token}"))
    user_agent = None if "user-agent" in names else f"drift/{__version__} (probe)"
    return _Request(subprotocols, headers, user_agent, secrets)


# --- ID tokens ------------------------------------------------------------------------------


def google_id_token_provider(*, impersonate_service_account: str | None = None) -> IdTokenProvider:
    """ID tokens from Application Default Credentials (a service account key, the metadata
    server, or gcloud user credentials), or minted for an impersonated service account.
    Tokens are cached per audience; failures are `ProbeAuthError`."""
    cache: dict[str, tuple[float, str]] = {}
    locks: dict[str, asyncio.Lock] = {}

    async def provide(audience: str) -> str:
        lock = locks.setdefault(audience, asyncio.Lock())
        async with lock:
            hit = cache.get(audience)
            if hit is not None and time.monotonic() - hit[0] < _TOKEN_REFRESH_AFTER:
                return hit[1]
            token = await asyncio.to_thread(
                _fetch_google_id_token, audience, impersonate_service_account
            )
            cache[audience] = (time.monotonic(), token)
            return token

    return provide


def _fetch_google_id_token(audience: str, impersonate: str | None) -> str:
    try:
        import google.auth
        import google.auth.exceptions
        import google.auth.transport.requests
        import google.oauth2.credentials
        import google.oauth2.id_token
    except ImportError as exc:  # pragma: no cover - google-auth is a dependency
        raise ProbeAuthError(f"google-auth is not installed: {exc}") from None

    hint = (
        "use a service account (GOOGLE_APPLICATION_CREDENTIALS, the metadata server, or "
        "--impersonate-service-account) or `gcloud auth application-default login`; the "
        "identity needs roles/run.invoker on the service"
    )
    # google-auth has no type hints.
    id_tokens: Any = google.oauth2.id_token
    request = google.auth.transport.requests.Request()
    try:
        if impersonate:
            return _impersonated_id_token(request, audience, impersonate)
        try:
            token = id_tokens.fetch_id_token(request, audience)
        except google.auth.exceptions.DefaultCredentialsError:
            # gcloud user credentials cannot mint a token for an audience, but Cloud Run
            # accepts the user's own ID token from an invoker.
            credentials, _ = google.auth.default()
            if not isinstance(credentials, google.oauth2.credentials.Credentials):
                raise
            user: Any = credentials
            user.refresh(request)
            token = user.id_token
            if not token:
                raise
        return str(token)
    except google.auth.exceptions.GoogleAuthError as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise ProbeAuthError(
            f"cannot get a Google ID token for {audience}: {text}", hint=hint
        ) from None


def _impersonated_id_token(request: Any, audience: str, service_account: str) -> str:
    import google.auth
    from google.auth import impersonated_credentials as _impersonated

    impersonated: Any = _impersonated
    scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    source, _ = google.auth.default(scopes=scopes)
    target = impersonated.Credentials(
        source_credentials=source, target_principal=service_account, target_scopes=scopes
    )
    credentials = impersonated.IDTokenCredentials(
        target, target_audience=audience, include_email=True
    )
    credentials.refresh(request)
    return str(credentials.token)


# --- the probe ------------------------------------------------------------------------------


class _NoRedirects(connect):
    """A probe reports what the service answers: a redirect is a rejection, never followed
    (following one would send the subprotocol credentials to another origin)."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


class _WireLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets logs every handshake header at DEBUG, credentials included: never let it."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


_wire_log = _WireLogger(logging.getLogger("drift.probe.websockets"), {})


@dataclass(frozen=True)
class _Verdict:
    outcome: ProbeOutcome
    detail: str
    http_status: int | None = None
    close_code: int | None = None
    close_reason: str | None = None


def _secs(seconds: float) -> str:
    return f"{seconds:g} s"


def _one_line(data: bytes | bytearray | str, limit: int = BODY_BYTES) -> str:
    raw = data.encode()[:limit] if isinstance(data, str) else bytes(data[:limit])
    text = raw.decode("utf-8", errors="replace")
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split()) + ("…" if len(data) > limit else "")


def _explain(code: int) -> str:
    return CLOSE_CODE_EXPLANATIONS.get(code, "unknown")


def _connect_failure(exc: BaseException, url: str, timeout: float) -> _Verdict:
    """Classify a failure before the WebSocket opened."""
    host = urlsplit(url).netloc.rpartition("@")[2]
    unreachable = ProbeOutcome.UNREACHABLE
    if isinstance(exc, InvalidStatus):
        response = exc.response
        status = response.status_code
        head = f"HTTP {status} {response.reason_phrase}".strip()
        if 300 <= status < 400 and "Location" in response.headers:
            target = display_url(response.headers["Location"])
            return _Verdict(
                ProbeOutcome.REJECTED, f"{head}: redirect to {target} (not followed)", status
            )
        body = _one_line(response.body or b"")
        return _Verdict(
            ProbeOutcome.REJECTED, f"{head}: {body}" if body else f"{head} (empty body)", status
        )
    if isinstance(exc, TimeoutError):
        return _Verdict(
            unreachable, f"no WebSocket handshake from {host} within {_secs(timeout)} (timeout)"
        )
    if isinstance(exc, socket.gaierror):
        return _Verdict(unreachable, f"DNS lookup failed for {host}: {exc.strerror or exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _Verdict(unreachable, f"TLS certificate of {host} rejected: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return _Verdict(unreachable, f"TLS handshake with {host} failed: {exc.reason or exc}")
    if isinstance(exc, ConnectionRefusedError):
        return _Verdict(unreachable, f"connection to {host} refused")
    if isinstance(exc, OSError):
        return _Verdict(unreachable, f"cannot connect to {host}: {exc.strerror or exc}")
    if isinstance(exc, ProxyError):
        return _Verdict(unreachable, f"proxy failed to reach {host}: {exc}")
    if isinstance(exc, InvalidMessage):
        # The connection ended (or carried garbage) before any HTTP response.
        cause = exc.__cause__
        why = "closed the connection" if isinstance(cause, EOFError) else "sent no valid HTTP"
        return _Verdict(unreachable, f"{host} {why} before answering the WebSocket handshake")
    if isinstance(exc, InvalidHandshake):
        # A 101 whose headers do not complete a valid WebSocket handshake.
        return _Verdict(ProbeOutcome.UNEXPECTED, f"invalid WebSocket handshake: {exc}", 101)
    return _Verdict(unreachable, f"cannot open a WebSocket to {host}: {exc}")


def _closed(exc: ConnectionClosed, after_ms: int, hold: float) -> _Verdict:
    """Classify the end of an open socket before the probe was done with it."""
    when = f"{after_ms} ms after the handshake"
    if exc.rcvd is None:
        if exc.sent is None:
            return _Verdict(
                ProbeOutcome.ABNORMAL,
                f"connection dropped without a close frame (1006) {when}",
                101,
                1006,
            )
        # drift's client closed it: the server broke the protocol (1002, 1007, 1009, …).
        code = exc.sent.code
        return _Verdict(
            ProbeOutcome.UNEXPECTED,
            f"client closed with {code} ({_explain(code)}) {when}: {exc.sent.reason}",
            101,
            code,
            exc.sent.reason or None,
        )
    code, reason = exc.rcvd.code, exc.rcvd.reason
    text = f"server closed with {code} ({_explain(code)}) {when}"
    if reason:
        text += f": {reason}"
    if code == 1011:
        return _Verdict(ProbeOutcome.CLOSE_1011, text, 101, code, reason or None)
    return _Verdict(
        ProbeOutcome.UNEXPECTED,
        f"{text} (before the {_secs(hold)} hold ended)",
        101,
        code,
        reason or None,
    )


async def _converse(ws: ClientConnection, spec: Probe, window: float) -> _Verdict:
    """Optionally send, check the first message against `expect`, and keep the socket open
    for the hold. With `expect`, the message must arrive within `window`. A closed socket
    raises `ConnectionClosed` to the caller."""
    loop = asyncio.get_running_loop()
    opened = loop.time()
    hold_end = opened + spec.hold
    expect_end = opened + window
    if spec.send is not None:
        await ws.send(spec.send)
    first: str | None = None
    first_ms = 0
    while True:
        waiting = spec.expect is not None and first is None
        remaining = (expect_end if waiting else hold_end) - loop.time()
        if remaining <= 0:
            break
        _raise_if_closing(ws)
        try:
            async with asyncio.timeout(min(remaining, _POLL)):
                message = await ws.recv()  # cancelling recv() loses nothing
        except TimeoutError:
            continue
        if first is None:
            first = message if isinstance(message, str) else message.decode("utf-8", "replace")
            first_ms = round((loop.time() - opened) * 1000)
            if spec.expect is not None and not _matches(spec.expect, first):
                return _Verdict(
                    ProbeOutcome.UNEXPECTED,
                    f"first message {first_ms} ms after the handshake did not match "
                    f"{spec.expect!r}: {_one_line(message)}",
                    101,
                )
    _raise_if_closing(ws)
    if spec.expect is not None and first is None:
        return _Verdict(
            ProbeOutcome.UNEXPECTED,
            f"no message within {_secs(window)} (expected one matching {spec.expect!r})",
            101,
        )
    detail = f"open for {_secs(spec.hold)}"
    if spec.expect is not None:
        detail += f"; first message matched {spec.expect!r} {first_ms} ms after the handshake"
    return _Verdict(ProbeOutcome.OK, detail, 101)


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


async def _hold(ws: ClientConnection, spec: Probe, window: float) -> _Verdict:
    loop = asyncio.get_running_loop()
    opened = loop.time()
    try:
        async with asyncio.timeout(window + CLOSE_TIMEOUT):
            return await _converse(ws, spec, window)
    except ConnectionClosed as exc:
        return _closed(exc, round((loop.time() - opened) * 1000), spec.hold)
    except TimeoutError:
        # Only a send blocked by a server that stopped reading can outlast the window.
        return _Verdict(
            ProbeOutcome.UNEXPECTED, f"socket stalled: could not send within {_secs(window)}", 101
        )


async def _close_quietly(ws: ClientConnection) -> None:
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT * 2):
            await ws.close()
    except (TimeoutError, OSError, ConnectionClosed):
        ws.transport.abort()


def _matches(pattern: str, text: str) -> bool:
    import re2  # RE2, as the profile validated it: a server's reply cannot hang the probe

    return re2.search(pattern, text) is not None


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
    url = websocket_url(target.base_url, spec.path)
    shown = display_url(url)
    token: str | None = None
    _build_request(spec, environ, None)  # configuration errors before any token is fetched
    if spec.auth == "google-id-token":
        provider = id_token or google_id_token_provider()
        token = await provider(_audience(target))
    request = _build_request(spec, environ, token)
    # With `expect` and no hold, the message gets the connect timeout to arrive.
    window = spec.hold if spec.hold > 0 or spec.expect is None else spec.timeout
    log.debug("probing %s (%s)", request.secrets.scrub(shown), target.service)

    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        opener = _NoRedirects(
            url,
            subprotocols=request.subprotocols or None,
            additional_headers=request.headers,
            user_agent_header=request.user_agent,
            open_timeout=spec.timeout,
            close_timeout=CLOSE_TIMEOUT,
            ping_interval=None,
            logger=_wire_log,
        )
        async with asyncio.timeout(spec.timeout + CLOSE_TIMEOUT):
            ws = await opener
    except (OSError, TimeoutError, InvalidHandshake, InvalidURI, InvalidProxy, ImportError) as exc:
        # ImportError: a SOCKS proxy is configured and python-socks is not installed.
        verdict = _connect_failure(exc, url, spec.timeout)
        elapsed_ms = round((loop.time() - start) * 1000)
    else:
        try:
            verdict = await _hold(ws, spec, window)
            elapsed_ms = round((loop.time() - start) * 1000)
        finally:
            await _close_quietly(ws)

    scrub = request.secrets.scrub
    result = ProbeResult(
        service=target.service,
        revision=target.revision,
        url=scrub(shown),
        outcome=verdict.outcome,
        elapsed_ms=elapsed_ms,
        http_status=verdict.http_status,
        close_code=verdict.close_code,
        close_reason=None if verdict.close_reason is None else scrub(verdict.close_reason),
        detail=scrub(verdict.detail),
    )
    log.debug("probe %s: %s in %d ms", result.url, result.outcome.value, result.elapsed_ms)
    return result


def _cached(provider: IdTokenProvider) -> IdTokenProvider:
    tokens: dict[str, str] = {}

    async def provide(audience: str) -> str:
        if audience not in tokens:
            tokens[audience] = await provider(audience)
        return tokens[audience]

    return provide


async def probe_all(
    targets: Sequence[ProbeTarget],
    *,
    environ: Mapping[str, str],
    concurrency: int = 8,
    id_token: IdTokenProvider | None = None,
) -> list[ProbeResult]:
    """Probe every target, at most `concurrency` at a time; results in the order of
    `targets`. Every `${VAR}` and every ID token is resolved before the first probe, so a
    configuration or authentication error stops the run before anything is probed."""
    check_expansions(targets, environ)
    for target in targets:
        _build_request(target.spec, environ, None)
        websocket_url(target.base_url, target.spec.path)
    provider: IdTokenProvider | None = None
    audiences = list(
        dict.fromkeys(_audience(t) for t in targets if t.spec.auth == "google-id-token")
    )
    if audiences:
        provider = _cached(id_token or google_id_token_provider())
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
    return [task.result() for task in tasks]


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
