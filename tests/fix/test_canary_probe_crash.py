"""A canary probe that fails in any way (a redirect drift cannot show, an error drift did not
foresee) is a failed canary: the cleanup removes it, and nothing the error carried is shown."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import drift.probe.client
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.fix.conftest import PROJECT, ScriptedUI, assert_serves_as_before, entries, fix


@pytest.fixture
def two_locations() -> Iterator[str]:
    """A server answering every handshake with a 302 carrying two `Location` headers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 302 Found\r\nLocation: https://a.example/ws\r\n"
                    b"Location: https://b.example/ws\r\nContent-Length: 0\r\n\r\n"
                )

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    sock.close()


def _serve_at(sandbox: Sandbox, base: str) -> None:
    """The serving revision's URL (the service URL) answers from `base`."""
    world = sandbox._core.world  # type: ignore[attr-defined]
    sandbox._run(lambda: setattr(world.find_service(PROJECT, "api", None).pb, "uri", base))  # type: ignore[attr-defined]


def test_a_redirect_drift_cannot_show_is_a_rejection(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, two_locations: str
) -> None:
    _serve_at(sandbox, two_locations)
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    (outcome,) = result.outcomes
    assert outcome.live_probe is not None
    assert outcome.live_probe.outcome.value == "rejected"
    assert "2 Location headers" in outcome.live_probe.detail
    now = sandbox.service(PROJECT, "api")
    assert not any(t.tag.startswith("drift-") for t in now.traffic)


def test_any_error_of_the_canary_probe_cleans_up(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    leaked = "http://user:Pr0xyPassw0rd-77@proxy.example:3128"

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"something drift did not foresee: {leaked}")

    monkeypatch.setattr(drift.probe.client, "probe_all", broken)
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert "could not be probed" in result.summary() and "ValueError" in result.summary()
    assert "Pr0xyPassw0rd" not in result.summary()
    assert_serves_as_before(sandbox, PROJECT, "api", before, outcome.canary)
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert State.CANARY_FAILED in [h["state"] for h in entry.history]
