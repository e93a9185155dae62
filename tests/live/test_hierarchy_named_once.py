"""One project named two ways (by id in one reference, by number in another) whose GetProject
is refused: the grant above it cannot be ruled out, each time said of the project as that
reference names it, whichever name its hierarchy (read once) was asked by first (helper-587
P2: the reasons named `projects/acme` or the number as the reads raced)."""

from __future__ import annotations

import asyncio

import pytest

from drift.live.iam import IamReads
from drift.live.session import Access, Session
from drift.live.tasks import Tasks
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

NUMBER = "500000000001"


def refusing_get_project(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Project acme (NUMBER), its GetProject denied; the environment pointed at the sandbox."""
    world = {"projects": {"acme": {"number": int(NUMBER), "deny": ["GetProject"]}}}
    sandbox = make_sandbox(world)
    for name, value in sandbox.environ().items():
        monkeypatch.setenv(name, value)
    return sandbox


@pytest.mark.parametrize("first", ["acme", NUMBER])
def test_the_unreadable_parent_is_named_as_each_caller_names_it_whichever_asks_first(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    refusing_get_project(make_sandbox, monkeypatch)

    async def read() -> list[dict[str, str]]:
        async with Session(Access()) as session:
            tasks = Tasks()
            iam = IamReads(session.clients, session.runner, tasks)
            order = (first, "acme" if first == NUMBER else NUMBER)
            return [dict((await iam.hierarchy(token, NUMBER)).unreadable) for token in order]

    said = asyncio.run(read())
    order = (first, "acme" if first == NUMBER else NUMBER)
    assert said == [
        {f"projects/{t} (parent)": f"GetProject on projects/{t}: PERMISSION_DENIED"} for t in order
    ]


def test_a_refused_project_is_known_so_to_every_read_sharing_the_call(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reads sharing their answers (`compare --live`: both sides' projects are the run's,
    helper-633 F6) ask GetProject once; the one that did not make the call knows the refusal
    as the other does, with its call and status (`IamReads.failures`, what `unmatched` and
    `own_project` say), never "GetProject was not made"."""
    sandbox = refusing_get_project(make_sandbox, monkeypatch)

    async def read() -> list[dict[str, str]]:
        async with Session(Access()) as session:
            tasks = Tasks()
            both = [IamReads(session.clients, session.runner, tasks) for _ in range(2)]
            assert await asyncio.gather(*(iam.project(NUMBER) for iam in both)) == [None, None]
            return [iam.failures for iam in both]

    sandbox.clear_calls()
    said = asyncio.run(read())
    assert said == [{NUMBER: f"GetProject on projects/{NUMBER}: PERMISSION_DENIED"}] * 2
    assert [c.short for c in sandbox.calls] == ["GetProject"]
