"""A session of a command that found the emulator unreachable leaves the next session a set of
clients made anew (helper-820 F4). Its channel is then in gRPC's reconnect backoff (5 s and
more: `drift.live.clients.CONNECT_WITHIN`): a session sharing it failed fast ("failed to
connect to all addresses") while the emulator, back since, answered a new connection at once."""

from __future__ import annotations

import asyncio
import socket

import pytest

from drift.errors import EmulatorUnreachable
from drift.live.calls import Limits
from drift.live.session import Access, Session, one_set_of_clients
from drift.sandbox import Sandbox

WORLD = {"projects": {"p": {"number": 5, "services": {"api": {"template": {"image": "x/api:1"}}}}}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def listed() -> str:
    """A session of its own lists the services: "ok", or the error's kind."""
    access = Access(limits=Limits(retry_budget=1.0, call_timeout=5.0))
    try:
        async with Session(access) as session:
            await session.list_services("p", "us-central1")
    except EmulatorUnreachable:
        return "unreachable"
    return "ok"


def test_a_session_after_the_emulator_is_back_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    box = Sandbox(WORLD, port=free_port()).start()
    for key, value in box.environ().items():
        monkeypatch.setenv(key, value)

    async def command() -> list[str]:
        async with one_set_of_clients():  # as `drift.cli.loop.run` runs a command
            said = [await listed()]
            box.stop()
            said.append(await listed())
            box.start()  # on the same port, listening once it returns
            said.append(await listed())
            return said

    try:
        assert asyncio.run(command()) == ["ok", "unreachable", "ok"]
    finally:
        box.stop()
