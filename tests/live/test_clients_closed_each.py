"""helper-827 S1: as a command ends (`one_set_of_clients`), every set of clients its sessions
were lent is closed, even when closing one fails or is interrupted (a second Ctrl-C): the
first such error then goes on. Before, the sets after it were left open."""

from __future__ import annotations

import asyncio

import pytest

import drift.live.clients as made_here
from drift.live.session import Access, Session, after_a_prompt, one_set_of_clients
from tests.conftest import MakeSandbox

WORLD = {"projects": {"p": {"number": 5, "services": {"api": {"template": {"image": "x/api:1"}}}}}}


@pytest.mark.parametrize("error", [OSError("closing failed"), KeyboardInterrupt()])
def test_every_set_is_closed_when_closing_the_first_fails(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    for key, value in make_sandbox(WORLD).environ().items():
        monkeypatch.setenv(key, value)
    closed: list[made_here.Clients] = []
    close = made_here.Clients.close

    async def closing(clients: made_here.Clients) -> None:  # drift's own method, around
        await close(clients)  # the Google clients' real close
        closed.append(clients)
        if len(closed) == 1:
            raise error

    monkeypatch.setattr(made_here.Clients, "close", closing)

    async def command() -> None:
        async with one_set_of_clients():  # as `drift.cli.loop.run` runs a command
            for _ in range(3):  # a set each: a prompt after each session (`renew`)
                async with Session(Access()):
                    pass
                after_a_prompt()

    with pytest.raises(type(error)) as raised:
        asyncio.run(command())
    assert raised.value is error
    assert len(closed) == 3
    assert len({id(clients) for clients in closed}) == 3
