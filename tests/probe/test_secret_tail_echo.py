"""A server that quotes back the end of a secret the probe sent, not its start (revprobe91 L1):
`redact` recognised a secret cut at its end (a prefix,
as a length limit leaves it: a close reason holds at most 123 bytes, RFC 6455 §5.5) but not one
cut at its start (`…` + its last 40 characters, as a log line shortened from the left shows
it). `redact.Secrets` masks a suffix of `FRAGMENT_MIN` characters or more, as a prefix."""

from __future__ import annotations

from websockets.asyncio.server import ServerConnection, serve

from drift.probe.client import probe
from tests.probe.helpers import run, target

KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dcR8mXn2VbQ5wPz9Kf"


async def _probe() -> str:
    async def handler(ws: ServerConnection) -> None:
        await ws.close(1008, f"unknown key …{KEY[-40:]}")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        result = await probe(
            target(f"http://127.0.0.1:{port}", "/ws", headers=(("X-Api-Key", "${K}"),)),
            environ={"K": KEY},
        )
    return repr(result)


def test_the_end_of_a_secret_quoted_back_is_masked() -> None:
    shown = run(_probe())
    assert "unknown key" in shown
    assert KEY[-40:] not in shown
