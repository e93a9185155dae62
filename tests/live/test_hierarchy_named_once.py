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
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

NUMBER = "500000000001"


@pytest.mark.parametrize("first", ["acme", NUMBER])
def test_the_unreadable_parent_is_named_as_each_caller_names_it_whichever_asks_first(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    world = {"projects": {"acme": {"number": int(NUMBER), "deny": ["GetProject"]}}}
    sandbox = make_sandbox(world)
    for name, value in sandbox.environ().items():
        monkeypatch.setenv(name, value)

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
