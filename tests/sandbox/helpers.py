"""Names in the default scenario and a small WebSocket probe for the sandbox tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

PROJECT = "acme-chat-staging"
NUMBER = 401234567890
REGION = "us-central1"
PARENT = f"projects/{PROJECT}/locations/{REGION}"


def service_name(service: str, project: str | int = PROJECT) -> str:
    return f"projects/{project}/locations/{REGION}/services/{service}"


def secret_name(secret: str, version: str | int | None = None, project: str | int = PROJECT) -> str:
    name = f"projects/{project}/secrets/{secret}"
    return name if version is None else f"{name}/versions/{version}"


def answered_name(secret: str, version: str | int | None = None) -> str:
    """A secret's (version's) name as Secret Manager answers it: by its project's number,
    whichever form the request used."""
    return secret_name(secret, version, NUMBER)


@dataclass(frozen=True)
class Outcome:
    """What a WebSocket client saw: the HTTP status, then a reply or a close code."""

    status: int
    close_code: int | None = None
    close_reason: str | None = None
    reply: str | None = None


async def aprobe(
    url: str,
    path: str = "/ws",
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    hold: float = 0.3,
) -> Outcome:
    ws_url = url.replace("http://", "ws://", 1) + path
    protocols = [f"jwt.{token}"] if token else None
    try:
        async with connect(
            ws_url, subprotocols=protocols, additional_headers=headers, open_timeout=5
        ) as ws:
            try:
                await ws.send('{"type": "ping"}')
                # the reply's own deadline, not the hold: a loaded machine answers late
                reply = await asyncio.wait_for(ws.recv(), 10)
                await asyncio.sleep(hold)  # still open after the reply?
                await ws.ping()
                return Outcome(101, reply=str(reply))
            except ConnectionClosed as closed:
                rcvd = closed.rcvd
                return Outcome(101, rcvd.code if rcvd else 1006, rcvd.reason if rcvd else None)
    except InvalidStatus as exc:
        return Outcome(exc.response.status_code)


def probe(url: str, path: str = "/ws", **kwargs: object) -> Outcome:
    return asyncio.run(aprobe(url, path, **kwargs))  # type: ignore[arg-type]


def cold_start(sandbox: Any, ms: int, idle: tuple[str, ...] = ()) -> None:
    """The sandbox reset to its scenario with option `cold_start_ms` at `ms`, the services
    `idle` (of PROJECT) seeded with no min instances (so with no instance running)."""
    scenario = sandbox.scenario.model_copy(deep=True)
    scenario.options.cold_start_ms = ms
    for name in idle:
        scenario.projects[PROJECT].services[name].template.min_instances = 0
    sandbox.reset(scenario)
