"""A secret version's value read is shared by every reference that leads to it (`latest` and
the version it resolves to pinned, drift.live.version_values): one reader cancelled leaves
the read to the others (helper-812 A-3: the pin's reader, cancelled while it waited on
`latest`'s read, cancelled that read under `latest`'s own reader)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import drift.live.version_values as version_values
from drift.live.secrets import SecretReads
from drift.live.session import Access, Session
from drift.live.state import LiveState
from drift.live.tasks import Tasks
from drift.refs import SecretRef
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

VERSIONS = "projects/p/secrets/db-url/versions"


def test_a_pins_reader_cancelled_leaves_latests_read_to_its_reader(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = {"projects": {"p": {"number": 111, "secrets": {"db-url": {"versions": ["v1"]}}}}}
    sandbox = make_sandbox(world)
    for name, value in sandbox.environ().items():
        monkeypatch.setenv(name, value)
    real = version_values.access_version
    asked, answer = asyncio.Event(), asyncio.Event()

    async def held(*args: Any) -> Any:  # the read of `latest` under way until let go
        asked.set()
        await answer.wait()
        return await real(*args)

    monkeypatch.setattr(version_values, "access_version", held)

    async def read() -> Any:
        async with Session(Access()) as session:
            reads = SecretReads(session.clients, session.runner, "p", LiveState(), Tasks())
            latest = asyncio.ensure_future(reads.value(f"{VERSIONS}/latest", SecretRef("db-url")))
            await asyncio.wait_for(asked.wait(), timeout=30)  # a guard, not a timing assertion
            pinned = asyncio.ensure_future(reads.value(f"{VERSIONS}/1", SecretRef("db-url", "1")))
            await asyncio.sleep(0)  # the pin's reader waits on `latest`'s read
            pinned.cancel()
            await asyncio.gather(pinned, return_exceptions=True)
            answer.set()
            return await asyncio.wait_for(latest, timeout=30)

    sandbox.clear_calls()
    # the answer names the project by its number (AccessSecretVersionResponse.name)
    assert asyncio.run(read()) == ("projects/111/secrets/db-url/versions/1", b"v1")
    assert [(c.short, c.request.name) for c in sandbox.calls] == [
        ("AccessSecretVersion", f"{VERSIONS}/latest")
    ]


def test_a_group_holds_its_own_tasks_in_the_order_asked() -> None:
    """The index `VersionValues` reads instead of scanning every task of the run (helper-812
    A-2: quadratic in the secrets read)."""

    async def tasks_of() -> list[list[Any]]:
        tasks = Tasks()
        for key, group in [
            (("read", "a/1"), "a"),
            (("read", "b/1"), "b"),
            (("version", "a"), None),
            (("read", "a/latest"), "a"),
            (("read", "a/1"), "a"),  # asked again: the one task
        ]:
            tasks.once(key, lambda: asyncio.sleep(0), group)
        await tasks.wait()
        return [[item for item, _ in tasks.started(group)] for group in ("a", "b", "c")]

    assert asyncio.run(tasks_of()) == [["a/1", "a/latest"], ["b/1"], []]
