"""A secret version's value read is shared by every reference that leads to it (`latest` and
the version it resolves to pinned, drift.live.version_values): one reader cancelled leaves
the read to the others (helper-812 A-3: the pin's reader, cancelled while it waited on
`latest`'s read, cancelled that read under `latest`'s own reader; helper-827 V1: the reader
that started a read, cancelled, cancelled it under the others)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

import drift.live.version_values as version_values
from drift.live.secrets import SecretReads
from drift.live.session import Access, Session
from drift.live.state import LiveState
from drift.live.tasks import Tasks
from drift.refs import SecretRef
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

VERSIONS = "projects/p/secrets/db-url/versions"
LATEST = f"{VERSIONS}/latest"
ANSWER = ("projects/111/secrets/db-url/versions/1", b"v1")
Asked = tuple[str, SecretRef]
"""A version name read, and the reference that names it."""


@dataclass
class Held:
    """The sandbox's value reads, each under way until `answer` is set (`asked`: one is)."""

    sandbox: Sandbox
    asked: asyncio.Event = field(default_factory=asyncio.Event)
    answer: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def held(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch) -> Held:
    world = {"projects": {"p": {"number": 111, "secrets": {"db-url": {"versions": ["v1"]}}}}}
    sandbox = make_sandbox(world)
    for name, value in sandbox.environ().items():
        monkeypatch.setenv(name, value)
    real = version_values.access_version
    reads = Held(sandbox)

    async def holding(*args: Any) -> Any:
        reads.asked.set()
        await reads.answer.wait()
        return await real(*args)

    monkeypatch.setattr(version_values, "access_version", holding)
    return reads


def answer_left(held: Held, first: Asked, second: Asked, cancelled: int) -> Any:
    """The answer of the reader of `first` or `second` (the second started once a read was
    under way) left after the other one (`cancelled`: 0 or 1) was cancelled while both
    waited; the sandbox's calls cleared before."""

    async def read() -> Any:
        async with Session(Access()) as session:
            reads = SecretReads(session.clients, session.runner, "p", LiveState(), Tasks())
            readers = [asyncio.ensure_future(reads.value(*first))]
            await asyncio.wait_for(held.asked.wait(), timeout=30)  # a guard, not a timing assertion
            readers.append(asyncio.ensure_future(reads.value(*second)))
            await asyncio.sleep(0)  # the second reader waits on the read under way
            readers[cancelled].cancel()
            await asyncio.gather(readers[cancelled], return_exceptions=True)
            held.answer.set()
            return await asyncio.wait_for(readers[1 - cancelled], timeout=30)

    held.sandbox.clear_calls()
    return asyncio.run(read())


PIN, LATEST_REF = (f"{VERSIONS}/1", SecretRef("db-url", "1")), (LATEST, SecretRef("db-url"))


@pytest.mark.parametrize(
    ("first", "second", "cancelled"),
    [(LATEST_REF, PIN, 1), (LATEST_REF, PIN, 0), (LATEST_REF, LATEST_REF, 1)],
    ids=["the-pins-reader", "latests-own-reader", "a-second-reader-of-latest"],
)
def test_a_reader_cancelled_leaves_the_read_to_the_other(
    held: Held, first: Asked, second: Asked, cancelled: int
) -> None:
    """helper-812 A-3: the pin's reader, cancelled while it waited on `latest`'s read,
    cancelled that read under `latest`'s own reader. helper-827 V1: `latest`'s own reader
    cancelled it under the pin's, and a second reader of `latest` (two references) under the
    first (CancelledError): they awaited the shared read unshielded."""
    # the answer names the project by its number (AccessSecretVersionResponse.name)
    assert answer_left(held, first, second, cancelled) == ANSWER
    assert [(c.short, c.request.name) for c in held.sandbox.calls] == [
        ("AccessSecretVersion", LATEST)
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
