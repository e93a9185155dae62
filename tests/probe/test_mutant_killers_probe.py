"""Killers for surviving probe mutants (revmutant3): what only a 1011 close means."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.frames import Close

from drift.findings import ProbeOutcome
from drift.probe.classify import closed


@pytest.mark.parametrize("code", [1001, 1012, 1013, 4000, 4011])
def test_only_a_1011_close_is_close_1011(code: int) -> None:
    """SPEC `probe.close_1011`: "handshake succeeded, server closed with 1011". A server going
    away (1001), restarting (1012), overloaded (1013) or closing with an app code is another
    close before the hold ended: `probe.unexpected`, never the 1011 of a broken config."""
    exc = ConnectionClosedError(Close(code, "bye"), Close(code, "bye"), True)
    verdict = closed(exc, 20, 1.0)
    assert verdict.outcome is ProbeOutcome.UNEXPECTED
    assert (verdict.http_status, verdict.close_code, verdict.close_reason) == (101, code, "bye")
    assert verdict.detail.endswith("(it was to stay open 1 s)")


def test_a_1011_close_is_close_1011() -> None:
    exc = ConnectionClosedError(Close(1011, "internal error"), None, None)
    verdict = closed(exc, 20, 1.0)
    assert verdict.outcome is ProbeOutcome.CLOSE_1011
    assert (verdict.close_code, verdict.close_reason) == (1011, "internal error")


SECRET = "MARKER-c0ffee-5ecret-7f3a9c-0123456789abcdef"


@pytest.mark.parametrize("before", [185, 197])
def test_a_secret_the_server_echoes_across_the_cut_is_masked_whole(before: int) -> None:
    """The rejection body quotes the credential the probe sent, and the 200-byte cut of the
    detail falls inside it: the body is masked before it is cut (`one_line`), so no piece of
    the credential shows: the echo mask (`redact` pieces) catches most prefixes anyway, but not
    one of 3 characters, and what followed the credential is lost."""
    import asyncio

    from drift.probe.client import probe
    from tests.probe.helpers import read_request, run, target, tcp_server

    async def echo_401(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: object
    ) -> None:
        await read_request(reader)
        body = ("x" * before + SECRET + " trailing words").encode()
        writer.write(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    async def scenario():  # type: ignore[no-untyped-def]
        async with tcp_server(echo_401) as base:
            fields = {"headers": (("Authorization", "Bearer ${E2E_JWT}"),)}
            return await probe(target(base, "/ws", **fields), environ={"E2E_JWT": SECRET})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.REJECTED and result.http_status == 401
    shown = repr(result)
    for piece in (SECRET[:3], SECRET[-12:], "c0ffee-5ecret"):
        assert piece not in shown, result.detail
    # masked whole, then cut: the mask stands in for the whole credential and what the server
    # said after it still fits (cut first, the credential's piece takes the room, or shows)
    if before < 190:
        assert "*** t" in result.detail, result.detail


def test_a_probe_without_a_tag_probes_what_serves_and_names_its_revision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """chat (real shapes): 100 % on its latest revision, revision 2 tagged `e2e` at 0 %. A
    probe without `tag:` reaches what the service URL serves (`drift.probe.moved.reached`:
    "every revision that serves"), so its one probe is at the service URL and credited to the
    serving revision (its findings are paired with it); the 0 % tag is `probe: {tag: e2e}`'s."""
    from pathlib import Path

    from drift.sandbox import Sandbox
    from tests.probe.test_probe_tag import SHAPES, check, profiles

    assert isinstance(tmp_path, Path)
    with Sandbox(SHAPES) as shapes:
        where = profiles(tmp_path, "chat", "{websocket: /ws}")
        report = check(shapes, monkeypatch, where, "chat")
        uri = shapes.service("acme-prod", "chat").uri
    [probe] = report.probes
    assert probe.tag is None
    assert probe.revision is not None and probe.revision != "chat-00002-def"
    port = uri.rsplit(":", 1)[-1]
    assert f":{port}/" in probe.url
