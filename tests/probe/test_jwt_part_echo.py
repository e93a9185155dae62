"""A server that quotes back the signature of the JWT a probe sent (revprobe91 F3): `invalid
signature <sig>` in its close reason or its rejection body. A JWS in compact serialization is
`header.payload.signature` (RFC 7515 §7.1, RFC 7519 §3): the header is the same for every
token of its algorithm and the payload is readable by anyone who holds the token, but the
signature is what makes it a credential; shown alone it was not recognised as the token (the
mask looked for the token whole) and reached the report, its close reason and the JSON."""

from __future__ import annotations

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from drift.probe.client import probe
from drift.sandbox import mint_test_jwt
from tests.probe.helpers import run, target

TOKEN = mint_test_jwt("k" * 40)
HEADER, PAYLOAD, SIGNATURE = TOKEN.split(".")


def _shown(result: object) -> str:
    return repr(result)


async def _probe(mode: str, **fields: object) -> str:
    async def handler(ws: ServerConnection) -> None:
        await ws.close(1008, f"invalid signature {SIGNATURE}")

    def reject(_: ServerConnection, request: Request) -> Response | None:
        if mode != "reject":
            return None
        body = f"401: token {PAYLOAD} has invalid signature {SIGNATURE}\n".encode()
        return Response(401, "Unauthorized", Headers({"Content-Length": str(len(body))}), body)

    async with serve(
        handler,
        "127.0.0.1",
        0,
        process_request=reject,
        select_subprotocol=lambda c, s: s[0] if s else None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        result = await probe(
            target(f"http://127.0.0.1:{port}", "/ws", **fields), environ={"TEST_JWT": TOKEN}
        )
    return _shown(result)


@pytest.mark.parametrize("mode", ["close", "reject"])
@pytest.mark.parametrize(
    "fields",
    [
        {"subprotocols": ("jwt.${TEST_JWT}",)},
        {"headers": (("Authorization", "Bearer ${TEST_JWT}"),)},
    ],
    ids=["subprotocol", "header"],
)
def test_an_echoed_jwt_signature_is_masked(mode: str, fields: dict[str, object]) -> None:
    shown = run(_probe(mode, **fields))
    assert "invalid signature" in shown  # the server's words are kept, the signature is not
    assert SIGNATURE not in shown
    assert PAYLOAD not in shown
