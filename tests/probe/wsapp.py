"""A real FastAPI WebSocket app that misbehaves in every way a probe must classify."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from fastapi import FastAPI, WebSocket
from starlette.responses import PlainTextResponse, RedirectResponse


@dataclass
class Seen:
    """What the server received (the server side is real: tests assert on it)."""

    headers: dict[str, str]
    subprotocols: list[str]


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: dict[str, list[Seen]] = field(default_factory=dict)
    accepted_at: list[float] = field(default_factory=list)
    active: int = 0
    peak: int = 0

    def saw(self, path: str, ws: WebSocket) -> None:
        with self.lock:
            self.requests.setdefault(path, []).append(
                Seen(dict(ws.headers), list(ws.scope.get("subprotocols", [])))
            )

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.accepted_at.clear()
            self.active = self.peak = 0


def make_app(record: Record) -> FastAPI:
    app = FastAPI()

    def offered(ws: WebSocket) -> str | None:
        """The first subprotocol the client offered: what an app that takes it names in its 101
        (browsers refuse a 101 that names none of those they offered)."""
        protocols: list[str] = ws.scope.get("subprotocols", [])
        return protocols[0] if protocols else None

    @app.websocket("/echo")
    async def echo(ws: WebSocket) -> None:
        """Takes the first subprotocol offered, if any; answers ping with pong."""
        record.saw("/echo", ws)
        await ws.accept(subprotocol=offered(ws))
        await echoing(ws)

    @app.websocket("/ignores-subprotocol")
    async def ignores_subprotocol(ws: WebSocket) -> None:
        """Accepts without selecting any subprotocol (RFC 6455 allows it; browsers refuse it)."""
        record.saw("/ignores-subprotocol", ws)
        await ws.accept()
        await echoing(ws)

    async def echoing(ws: WebSocket) -> None:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text") or ""
            await ws.send_text("pong" if "ping" in text else f"echo:{text}")

    @app.websocket("/select")
    async def select(ws: WebSocket) -> None:
        record.saw("/select", ws)
        await ws.accept(subprotocol=ws.scope["subprotocols"][0])
        await ws.receive()

    @app.websocket("/silent")
    async def silent(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive()

    @app.websocket("/close1011")
    async def close_1011(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close(code=1011, reason="missing JWT_SECRET_KEY")

    # A server that answers the probe's message with an error and then ends the socket: as
    # FastAPI apps do (`send_json({"type": "error", …})`, then `close(1011)`).
    @app.websocket("/error-then-1011")
    async def error_then_1011(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive()
        await ws.send_json({"type": "error", "message": "JWT_SECRET_KEY is not configured"})
        await ws.close(code=1011, reason="internal error")

    @app.websocket("/error-then-raise")
    async def error_then_raise(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive()
        await ws.send_json({"type": "error", "message": "configuration missing"})
        raise RuntimeError("configuration missing")  # uvicorn drops the socket: 1006

    @app.websocket("/error-then-bye")
    async def error_then_bye(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive()
        await ws.send_json({"type": "error", "message": "unknown message type"})
        await ws.close(code=1000, reason="bye")

    @app.websocket("/raise-after-accept")
    async def raise_after_accept(ws: WebSocket) -> None:
        await ws.accept()
        raise RuntimeError("configuration missing")

    @app.websocket("/reject")
    async def reject(ws: WebSocket) -> None:
        record.saw("/reject", ws)
        await ws.close(code=1008)  # before accept: uvicorn answers HTTP 403

    @app.websocket("/raise-before-accept")
    async def raise_before_accept(ws: WebSocket) -> None:
        raise RuntimeError("cannot start")  # uvicorn answers HTTP 500

    @app.websocket("/deny503")
    async def deny_503(ws: WebSocket) -> None:
        body = "upstream unavailable\r\n\tretry later " + "x" * 400
        await ws.send_denial_response(PlainTextResponse(body, status_code=503))

    @app.websocket("/redirect")
    async def redirect(ws: WebSocket) -> None:
        await ws.send_denial_response(RedirectResponse("/echo?token=abc", status_code=307))

    @app.websocket("/bye")
    async def bye(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close(code=1000, reason="bye")

    @app.websocket("/policy")
    async def policy(ws: WebSocket) -> None:
        await ws.accept()
        await asyncio.sleep(0.05)
        await ws.close(code=1008, reason="not allowed")

    @app.websocket("/hold")
    async def hold(ws: WebSocket) -> None:
        await ws.accept()
        with record.lock:
            record.accepted_at.append(time.monotonic())
            record.active += 1
            record.peak = max(record.peak, record.active)
        try:
            await ws.receive()
        finally:
            with record.lock:
                record.active -= 1

    # Servers that echo the credentials they received, to prove the probe never shows them.
    def credentials(ws: WebSocket) -> str:
        return f"{ws.headers.get('authorization')} {ws.headers.get('sec-websocket-protocol')}"

    @app.websocket("/leak-close")
    async def leak_close(ws: WebSocket) -> None:
        record.saw("/leak-close", ws)
        await ws.accept(subprotocol=offered(ws))
        await ws.close(code=1011, reason=credentials(ws)[:120])

    @app.websocket("/leak-reject")
    async def leak_reject(ws: WebSocket) -> None:
        await ws.send_denial_response(PlainTextResponse(credentials(ws), status_code=401))

    @app.websocket("/leak-message")
    async def leak_message(ws: WebSocket) -> None:
        await ws.accept(subprotocol=offered(ws))
        await ws.send_text(credentials(ws))
        await ws.receive()

    return app
