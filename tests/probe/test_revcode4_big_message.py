"""revcode4 F2 (expected to FAIL on main): a service whose socket sends one message over
1 MiB (a chat history, a document snapshot on connect) fails `drift probe` as `unexpected`:
websockets' client refuses any frame over its default `max_size` (2**20 bytes), which
drift.probe.client never sets, and closes with 1009 itself. No browser has that limit, so the
frontend works while drift reports `probe.unexpected` (an error) and ties it to whatever
configuration drift the service has (`ProbeResult.container_may_cause`)."""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.server import serve

from drift.findings import ProbeOutcome
from drift.probe.client import probe_all
from tests.probe.helpers import run, target

SNAPSHOT = 1_500_000
"""A first message a browser takes without a word (Chrome and Firefox cap nothing near it)."""


def test_a_large_first_message_is_not_a_failed_handshake() -> None:
    async def handler(ws: Any) -> None:
        await ws.send("x" * SNAPSHOT)
        await asyncio.sleep(3)  # and keeps the socket open past the hold

    async def scenario() -> Any:
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            base = f"http://127.0.0.1:{port}"
            (result,) = await probe_all([target(base, "/ws", hold=0.5)], environ={})
            return result

    result = run(scenario())
    assert result.outcome is ProbeOutcome.OK, result.detail
