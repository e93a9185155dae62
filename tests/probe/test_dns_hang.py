"""A name lookup the resolver never answers (a runner whose DNS server drops packets, a host in
a split-horizon zone) ends with the probe's timeout: the command exits then, not when the
resolver gives up (helper-563 F1: asyncio's default executor, which runs `getaddrinfo`, was
waited for at the loop's shutdown without a limit: 8 s after a 1 s probe timeout)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from drift.cli.loop import run
from drift.findings import ProbeOutcome
from drift.probe.client import probe
from tests.probe.helpers import target

HUNG = 10.0
"""How long a hung lookup takes to fail, at most: the test ends, on the code before, then."""


class Lookups:
    """The hung lookups: how many began, and how many have ended (none until released)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.began = 0
        self.ended = 0


@pytest.fixture
def hung(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lookups]:
    """`*.hang.invalid` fails only once released (or after `HUNG` seconds)."""
    real = socket.getaddrinfo
    lookups = Lookups()

    def slow(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith("hang.invalid"):
            with lookups.lock:
                lookups.began += 1
            lookups.release.wait(HUNG)
            with lookups.lock:
                lookups.ended += 1
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    yield lookups
    lookups.release.set()  # the threads left behind end now


def test_a_hung_name_lookup_does_not_outlast_the_probe_timeout(hung: Lookups) -> None:
    result = run(probe(target("http://hang.invalid:8080", "/ws", timeout=1.0), environ={}))
    assert result.outcome is ProbeOutcome.UNREACHABLE
    # the run is over while the lookup still hangs: nothing waited for it
    assert (hung.began, hung.ended) == (1, 0)


def test_hung_lookups_beyond_a_pools_threads_do_not_stack(hung: Lookups) -> None:
    """More hung lookups than asyncio's pool has threads (min(32, cpus + 4)) would have been
    waited for in rounds; each has a thread of its own, waited for by no one."""
    import asyncio

    async def many() -> list[Any]:
        probes = [
            probe(target(f"http://h{i}.hang.invalid:8080", "/ws", timeout=1.0), environ={})
            for i in range(40)
        ]
        return list(await asyncio.gather(*probes))

    results = run(many())
    assert {r.outcome for r in results} == {ProbeOutcome.UNREACHABLE}
    assert (hung.began, hung.ended) == (40, 0)  # each began at once, none waited for


def test_a_call_the_loop_hands_to_a_thread_still_returns_its_result_and_errors() -> None:
    import asyncio

    async def both() -> tuple[int, str]:
        value = await asyncio.to_thread(lambda: 6 * 7)
        try:
            await asyncio.to_thread(int, "x")
        except ValueError as exc:
            return value, str(exc)
        return value, ""

    assert run(both()) == (42, "invalid literal for int() with base 10: 'x'")
