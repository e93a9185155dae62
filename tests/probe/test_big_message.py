"""A service whose socket sends a large message (a chat history, a document snapshot on
connect) passes the probe: browsers cap no message size, and websockets' client default
(`max_size`, 2**20 bytes) once made drift's OWN client close with 1009 and the verdict
`unexpected`, blamed on configuration drift (revcode4 F2). drift now reads up to
`MAX_MESSAGE`; over it (a hostile or huge sender: drift keeps a cap) the verdict says the 1009
was drift's own limit (RFC 6455 §7.4.1), not the service's failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import serve

from drift.findings import ProbeOutcome, ProbeResult
from drift.probe import client
from drift.probe.client import probe_all
from tests.probe.helpers import run, target

SNAPSHOT = 1_500_000
"""A first message a browser takes without a word (Chrome and Firefox cap nothing near it)."""


async def _keep_open(ws: Any) -> None:
    # keeps the socket open past the hold: until drift closes it (a fixed 1.5 s sleep here
    # held each test's server shut-down that long after the probe had ended)
    await ws.wait_closed()


def _probe(
    size: int,
    then: Callable[[Any], Awaitable[None]] = _keep_open,
    compression: str | None = "deflate",
    **fields: Any,
) -> ProbeResult:
    async def handler(ws: Any) -> None:
        await ws.send("x" * size)
        await then(ws)

    async def scenario() -> ProbeResult:
        async with serve(handler, "127.0.0.1", 0, compression=compression) as server:
            port = server.sockets[0].getsockname()[1]
            base = f"http://127.0.0.1:{port}"
            (result,) = await probe_all(
                [target(base, "/ws", **{"hold": 0.5, **fields})], environ={}
            )
            return result

    return run(scenario())


def test_a_large_first_message_is_not_a_failed_handshake() -> None:
    result = _probe(SNAPSHOT)
    assert result.outcome is ProbeOutcome.OK, result.detail


def test_a_large_first_message_can_match_expect() -> None:
    result = _probe(SNAPSHOT, expect="^x+$")
    assert result.outcome is ProbeOutcome.OK, result.detail


def test_drift_keeps_a_cap_on_what_it_reads() -> None:
    # a hostile server must not make drift buffer without bound
    assert client.MAX_MESSAGE is not None and client.MAX_MESSAGE <= 64 * 2**20
    assert client.MAX_QUEUE * client.MAX_MESSAGE <= 128 * 2**20


def test_a_message_over_drifts_limit_is_drifts_limit_not_the_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(SNAPSHOT)
    assert result.outcome is ProbeOutcome.OK, result.detail
    assert "drift's 1 MiB reading limit" in result.detail
    assert "closed with 1009 itself" in result.detail
    assert not result.container_may_cause
    # revown53 F3: drift stopped reading; it says how long it watched, never that the service
    # did not fail
    assert "did not fail" not in result.detail
    assert "the 0.5 s hold was watched" in result.detail and "answered with close 1009" in (
        result.detail
    ), result.detail


def test_with_no_hold_a_message_over_drifts_limit_says_how_long_it_was_watched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`hold: 0s`: the socket is watched `Probe.watched` (1 s here), never "the 0 s hold"."""
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(SNAPSHOT, hold=0.0)
    assert result.outcome is ProbeOutcome.OK, result.detail
    assert "0 s hold" not in result.detail
    assert "of the 1 s hold" in result.detail and "the 1 s hold was watched" in result.detail


async def _crash(ws: Any) -> None:
    await ws.close(1011, "internal error")


async def _another_then_crash(ws: Any) -> None:
    await ws.send("y" * SNAPSHOT)
    await ws.send("z")
    await ws.close(1011, "internal error")


async def _drop(ws: Any) -> None:
    ws.transport.abort()  # no close frame


@pytest.mark.parametrize("compression", [None, "deflate"])
@pytest.mark.parametrize("then", [_crash, _another_then_crash])
def test_a_crash_right_after_a_message_over_drifts_limit_is_the_verdict(
    monkeypatch: pytest.MonkeyPatch,
    then: Callable[[Any], Awaitable[None]],
    compression: str | None,
) -> None:
    """revown53 F3: the service sends a message over drift's cap and closes with 1011 (its
    crash): drift's 1009 no longer hides it; `ok`, "the service did not fail", before. With
    and without permessage-deflate (the message's payload is still to come, or already read,
    when drift stops), and with messages between."""
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(SNAPSHOT, then, compression)
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_code == 1011
    assert "server closed with 1011" in result.detail
    assert "a message over drift's 1 MiB reading limit" in result.detail


def test_a_drop_right_after_a_message_over_drifts_limit_is_the_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(SNAPSHOT, _drop, None)
    assert result.outcome is ProbeOutcome.ABNORMAL, result.detail
    assert "dropped without a close frame (1006)" in result.detail


def test_a_crash_after_a_mismatch_and_a_message_over_drifts_limit_is_close_1011(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """helper-744 L4: a first message that does not match `expect`, then one over drift's cap,
    then the crash's 1011: the 1011 is the verdict, as after a mismatch alone (`unexpected`,
    the mismatch, before: drift's 1009 hid the server's close)."""
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(10, _another_then_crash, None, expect="^pong$")
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_code == 1011
    assert "did not match '^pong$': xxxxxxxxxx" in result.detail


async def _revoke(ws: Any) -> None:
    await ws.close(4001, "session revoked")  # its own close, not an answer to drift's 1009


async def _policy(ws: Any) -> None:
    await ws.close(1008, "policy violation")


@pytest.mark.parametrize("hold", [0.5, 0.0])
@pytest.mark.parametrize("then", [_revoke, _policy])
def test_the_servers_own_close_right_after_a_message_over_drifts_limit_is_the_verdict(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[Any], Awaitable[None]], hold: float
) -> None:
    """helper-744: a close the server sends of its own accord after a message over drift's
    cap (a code that does not answer drift's 1009: not its echo, 1000 nor an empty close)
    fails as it does after any message (`ok` before: a canary that closed every socket so
    passed the fix's proof)."""
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(SNAPSHOT, then, None, hold=hold)
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    # with no hold (`hold: 0s`), as long as it is watched (`Probe.watched`), never "0 s"
    assert f"(it was to stay open {'0.5 s' if hold else '1 s'})" in result.detail
    assert result.close_code in (4001, 1008)
    assert f"server closed with {result.close_code} " in result.detail
    assert "a message over drift's 1 MiB reading limit" in result.detail


def test_a_first_message_over_the_limit_cannot_be_matched_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)
    result = _probe(SNAPSHOT, expect="^x+$")
    assert result.outcome is ProbeOutcome.UNEXPECTED
    assert "over drift's 1 MiB reading limit" in result.detail
    assert "not a failure of the service" in result.detail
