"""A server's close whose reason is not UTF-8 (RFC 6455 §5.5.1: it MUST be): websockets fails
the connection with 1007 as drift's own close, and drift reported that 1007 (`unexpected`)
where the server had said 1011. Realistic: a server that cuts its crash's reason to the
123-byte limit of a close frame (RFC 6455 §5.5: a control frame's payload is at most 125
bytes, 2 of them the code) in the middle of a character. The code is the server's word; the
reason is shown with replacement characters."""

from __future__ import annotations

import asyncio
import struct

import pytest

from drift.findings import ProbeOutcome, ProbeResult
from drift.probe.client import probe_all
from tests.probe.helpers import run, target, tcp_server, upgrade
from tests.probe.test_big_message_hostile import frame

# "Umgebungsvariable DATABASE_URL fehlt: Verbindung für …" cut at 123 bytes inside "ü"
_REASON = ("DATABASE_URL fehlt: Verbindung zur Datenbank für Mandant " + "ü" * 40).encode()[:123]
assert _REASON[-1:] == b"\xc3"  # the cut falls inside a two-byte character


def _probe(*sent: bytes, **spec: object) -> ProbeResult:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        await upgrade(reader, writer)
        for data in sent:
            writer.write(data)
        await writer.drain()
        await stop.wait()

    async def scenario() -> ProbeResult:
        async with tcp_server(handler) as base:
            spec.setdefault("hold", 2.0)
            (result,) = await probe_all([target(base, "/ws", **spec)], environ={})
            return result

    return run(scenario(), limit=30)


def _close(code: int, reason: bytes) -> bytes:
    return frame(0x8, struct.pack("!H", code) + reason)


def test_a_1011_whose_reason_was_cut_inside_a_character_is_close_1011() -> None:
    result = _probe(_close(1011, _REASON))
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_code == 1011
    assert result.close_reason is not None
    assert result.close_reason.startswith("DATABASE_URL fehlt"), result.close_reason
    assert result.close_reason.endswith("\ufffd"), result.close_reason
    assert "server closed with 1011" in result.detail, result.detail
    assert "close reason was not UTF-8" in result.detail, result.detail


def test_a_1011_after_a_message_that_did_not_match_is_close_1011() -> None:
    result = _probe(frame(0x1, b"hello"), _close(1011, b"\xff boom"), expect="ready")
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_code == 1011
    assert "close reason was not UTF-8" in result.detail, result.detail
    assert "hello" in result.detail, result.detail


def test_another_code_is_the_servers_early_close_not_drifts_1007() -> None:
    result = _probe(_close(1001, b"going \xff"))
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    assert result.close_code == 1001, result.detail
    assert "server closed with 1001" in result.detail, result.detail


@pytest.mark.parametrize("code", [1005, 999])
def test_a_code_rfc_6455_forbids_stays_drifts_own_protocol_close(code: int) -> None:
    """1005 is never sent on the wire (§7.4.1), 999 is not a close code (§7.4.2): the close is
    not the server's word; websockets' own close is the verdict (1007: it reads the reason
    first), never a 1011 or a pass."""
    result = _probe(_close(code, b"\xff"))
    assert result.outcome is ProbeOutcome.UNEXPECTED, result.detail
    assert result.close_code == 1007, result.detail
    assert "client closed with 1007" in result.detail, result.detail


def test_a_1011_whose_frame_is_over_the_control_frame_limit_is_close_1011() -> None:
    """A reason over 123 bytes makes a close frame over RFC 6455 §5.5's 125: websockets fails
    the connection with 1002 ("control frame too long"), and drift reported that 1002 as its
    own where the server had said 1011 (helper-837 F3). The code is the server's word, as for
    a reason not UTF-8. (A scripted server: the sandbox's websockets backend, like ws and
    gorilla, refuses to send such a frame.)"""
    result = _probe(_close(1011, b"database connection refused: " + b"r" * 200))
    assert result.outcome is ProbeOutcome.CLOSE_1011, result.detail
    assert result.close_code == 1011, result.detail
    assert result.close_reason is not None
    assert result.close_reason.startswith("database connection refused"), result.close_reason
    assert "server closed with 1011" in result.detail, result.detail
    assert "over 125 bytes" in result.detail, result.detail
