"""The reference WebSocket backend every serving revision runs: it accepts the handshake, then
checks its configuration and auth the way the demo's API server does, and a test JWT minter."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import socket
import time
import weakref
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

LOGGER = logging.getLogger("drift.sandbox.backend")
JWT_PREFIX = "jwt."
INTERNAL_ERROR = (1011, "internal error")
POLICY_VIOLATION = (1008, "policy violation")
TRY_AGAIN = (1013, "try again later")

Env = Mapping[str, str]
HEALTH_PATHS = ("/", "/healthz")
"""The paths an HTTP GET without an upgrade is answered 200 on (any other: 404)."""


@dataclass(frozen=True)
class BackendConfig:
    """What one service's backend checks. `checks=False`: accept any WebSocket, check nothing."""

    checks: bool = False
    path: str = "/ws"
    require: tuple[str, ...] = ()
    e2e_header: str | None = None
    e2e_value: str = "e2e"
    e2e_require: tuple[str, ...] = ()
    e2e_bypass_auth: tuple[tuple[str, str], ...] = ()
    jwt_secret_env: str | None = None
    selects_subprotocol: bool = True
    """The app names the subprotocol it takes in its 101, as a browser client requires (False:
    it accepts without naming one: RFC 6455 allows it, browsers fail the connection)."""
    echo: str | None = None
    """A variable the app quotes in the reason of the 1011 it closes every socket with (an app
    that echoes its configuration in an error: what drift must mask, SPEC invariant 1)."""
    closes_after_answer: bool = False
    """A request/response endpoint: it closes with 1000 once it has answered a ping."""


@dataclass(frozen=True)
class NoInstance:
    """A revision none of whose instances can start: Cloud Run answers every request to it
    with `status` (option `no_instance_status`) before any container sees it. `why` is the
    sandbox's own note (never a secret's value), not sent."""

    status: int
    why: str = ""


@dataclass
class Instances:
    """Whether a revision has an instance running when a request comes (option
    `cold_start_ms`). "When a revision does not receive any traffic, by default it is scaled in
    to zero instances"; "Scaling from zero can only be triggered by a request"
    (cloud.google.com/run/docs/about-instance-autoscaling): the first request to a revision
    with none waits `start_s` for one to start, and every request that comes meanwhile waits
    for the same one; then it runs (the sandbox never scales it in again). `start_s` 0: one
    is running (min instances keep it "warm and ready to serve requests",
    cloud.google.com/run/docs/configuring/min-instances)."""

    start_s: float = 0.0
    ready_at: float | None = None
    """When (the event loop's clock) the instance the first request started is ready."""
    stopped: asyncio.Event | None = None
    """Set when the revision's backends stop: a request waiting for its instance is answered
    as one with none (`ready` False), not held until the instance would be ready."""

    async def ready(self) -> bool:
        """Wait for the revision's instance (False: the revision stopped meanwhile)."""
        if not self.start_s:
            return True
        loop = asyncio.get_running_loop()
        if self.ready_at is None:
            self.ready_at = loop.time() + self.start_s
        self.stopped = self.stopped or asyncio.Event()
        if (wait := self.ready_at - loop.time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), wait)
        return not self.stopped.is_set()

    def warm(self) -> None:
        """Min instances now keep one running (a setting that applies to a running revision):
        a request from now on finds it. One already waiting keeps waiting for the instance it
        started."""
        self.start_s = 0.0

    def stop(self) -> None:
        if self.stopped is not None:
            self.stopped.set()


Picked = tuple[Env | NoInstance | None, Instances | None]
"""What serves a request: the revision's environment (NoInstance: none of its instances can
start; None: nothing serves) and its instances (None: always one running)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint_test_jwt(secret_value: str, subject: str = "e2e", *, ttl_seconds: int = 3600) -> str:
    """An HS256 JWT signed with `secret_value`, for the probe's `jwt.<token>` subprotocol."""
    now = int(time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": subject, "iat": now, "exp": now + ttl_seconds}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret_value.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def verify_jwt(token: str, secret_value: str, *, now: float | None = None) -> bool:
    """Whether `token` is an unexpired HS256 JWT signed with `secret_value`."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(payload_b64))
        signature = _unb64(signature_b64)
    except (ValueError, TypeError):
        return False
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        return False
    expected = hmac.new(
        secret_value.encode(), f"{header_b64}.{payload_b64}".encode("ascii"), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(expected, signature):
        return False
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return not isinstance(exp, int | float) or exp > (time.time() if now is None else now)


def check_connection(
    config: BackendConfig, env: Env, headers: Headers, subprotocol: str | None
) -> tuple[int, str] | None:
    """The close code and reason a connection gets right after the handshake, or None."""
    if not config.checks:
        return None
    if config.echo is not None:  # a close frame's reason holds 123 bytes (RFC 6455 §5.5)
        reason = f"bad key {env.get(config.echo, '')}".encode()[:123]
        return (1011, reason.decode("utf-8", "ignore"))
    e2e = config.e2e_header is not None and headers.get(config.e2e_header) == config.e2e_value
    required = config.require + (config.e2e_require if e2e else ())
    if any(not env.get(name) for name in required):
        return INTERNAL_ERROR
    if config.jwt_secret_env is None:
        return None
    if e2e and config.e2e_bypass_auth and all(env.get(k) == v for k, v in config.e2e_bypass_auth):
        return None
    key = env.get(config.jwt_secret_env)
    if not key:
        return INTERNAL_ERROR
    token = subprotocol[len(JWT_PREFIX) :] if subprotocol else ""
    if not token or not verify_jwt(token, key):
        return POLICY_VIOLATION
    return None


class BackendApp:
    """A WebSocket server for one revision (fixed env) or one service URL (env picked per
    request by traffic split). `pick` gives None when nothing serves, NoInstance when the
    picked revision has no instance that can start, and the picked revision's instances, which
    a request waits for (`Instances.ready`); `start_s`: the longest such wait."""

    def __init__(
        self, config: BackendConfig, pick: Callable[[], Picked], start_s: float = 0.0
    ) -> None:
        self.config = config
        self.pick = pick
        self.start_s = start_s
        self._picked: weakref.WeakKeyDictionary[ServerConnection, Env | None] = (
            weakref.WeakKeyDictionary()
        )

    async def serve(self, host: str = "127.0.0.1") -> tuple[Server | Listening, int]:
        """The backend listening on a port of its own: its WebSocket server made when the
        first connection comes (`Listening`), or at once where `host` names more than one
        address (`localhost`), each of which the event loop listens on."""
        found = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        if len(found) != 1:
            server = await self._server(host=host, port=0)
            return server, int(server.sockets[0].getsockname()[1])
        listening = Listening(found[0], lambda sock: self._server(sock=sock))
        return listening, listening.port

    async def _server(self, **where: Any) -> Server:
        return await serve(
            self.handle,
            process_request=self.process_request,
            select_subprotocol=self.select_subprotocol,
            logger=LOGGER,
            server_header="drift-sandbox",
            # Loopback: a client that neither finishes a handshake nor acknowledges a close
            # within these is gone; do not let it hold up stopping the backend. A handshake
            # waiting for an instance to start (`Instances`) has that much longer.
            open_timeout=2 + self.start_s,
            close_timeout=1,
            **where,
        )

    async def process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        picked, instances = self.pick()
        if isinstance(picked, NoInstance):  # no container to see the request
            return connection.respond(HTTPStatus(picked.status), "no available instance\n")
        if picked is not None and instances is not None and not await instances.ready():
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "no available instance\n")
        self._picked[connection] = picked
        path = request.path.split("?", 1)[0]
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if not upgrade:
            if path in HEALTH_PATHS:
                return connection.respond(HTTPStatus.OK, "ok\n")
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if self.config.checks and path != self.config.path:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        return None

    def select_subprotocol(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        """The `jwt.<token>` subprotocol the auth check reads, else the first offered: an app
        takes what its clients offer and says so in its 101 (browsers fail a handshake that
        names none of the subprotocols they offered)."""
        if not self.config.selects_subprotocol or not offered:
            return None
        return next((p for p in offered if p.startswith(JWT_PREFIX)), offered[0])

    async def handle(self, connection: ServerConnection) -> None:
        env = self._picked.pop(connection, None)
        request = connection.request
        verdict = (
            TRY_AGAIN
            if env is None or request is None
            else check_connection(self.config, env, request.headers, connection.subprotocol)
        )
        if verdict is not None:
            await connection.close(*verdict)
            return
        try:
            async for message in connection:
                if _is_ping(message):
                    await connection.send(json.dumps({"type": "pong"}))
                    if self.config.closes_after_answer:
                        await connection.close(1000, "bye")
        except ConnectionClosed:
            pass


def _is_ping(message: str | bytes) -> bool:
    try:
        data: Any = json.loads(message)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("type") == "ping"


class Listening:
    """A backend's port, listening from the start, and its WebSocket server, made when the
    first connection comes: most backends of a sandbox are never connected to, and making
    each server was most of the time of seeding a world (a sandbox starts, or is reset, some
    5,700 times in a run of the tests). A connection that comes first waits in the listening
    socket's queue, as one does while a server is busy, then the server takes it; a backend
    closed before one came refuses connections, as a closed server does. The socket is the
    one the event loop would make (`loop.create_server`: SO_REUSEADDR, IPv6 only on an IPv6
    address, a queue of 100)."""

    def __init__(
        self, address: tuple[Any, ...], make: Callable[[socket.socket], Coroutine[Any, Any, Server]]
    ) -> None:
        family, kind, proto, _, where = address
        self._sock = socket.socket(family, kind, proto)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                self._sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            self._sock.bind(where)
            self._sock.listen(100)
            self._sock.setblocking(False)
        except BaseException:
            self._sock.close()
            raise
        self.port = int(self._sock.getsockname()[1])
        self._make = make
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._sock.fileno(), self._come)
        self._server: asyncio.Task[Server] | None = None

    def _come(self) -> None:
        """A connection waits: the server is made, and takes it."""
        self._loop.remove_reader(self._sock.fileno())
        self._server = self._loop.create_task(self._make(self._sock))

    def close(self) -> None:
        if self._server is None:
            self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
        elif self._server.done() and not self._server.cancelled() and not self._server.exception():
            self._server.result().close()

    async def wait_closed(self) -> None:
        if self._server is None:
            return
        server = await self._server  # made while it closed: closed now
        server.close()
        await server.wait_closed()
