"""A per-minute budget (`DRIFT_RUN_RPM`, `Limits`) is the command's, not each session's: the
quota it stays under is the project's, counted over every call a command makes. A `fix` opens
a session for its check, one for its writes and one for its re-check; `check --probe` one for
the read and one for the read again after the probes; before, each began a budget of its own,
and one `drift fix --yes` sent 15 Cloud Run calls in a minute with DRIFT_RUN_RPM=12
(revperf90 F1). Against the sandbox, on real time: a call the budget holds is one the sandbox
does not receive."""

from __future__ import annotations

import asyncio

import pytest

from drift.live.calls import Limits
from drift.live.session import Access, Session
from drift.sandbox import Sandbox

PROJECT, REGION = "acme-chat-staging", "us-central1"
HELD = 3.0
"""How long a call held by the budget is watched not to go out (it would wait a minute)."""


def listed(sandbox: Sandbox) -> int:
    return sandbox.call_counts()["ListServices"]


@pytest.mark.usefixtures("sandbox_env")
def test_a_second_session_of_one_command_shares_the_first_ones_budget(sandbox: Sandbox) -> None:
    access = Access(Limits(run_rpm=2))

    async def command() -> bool:
        async with Session(access) as first:  # spends the minute's two Cloud Run calls
            await first.list_services(PROJECT, REGION)
            await first.list_services(PROJECT, REGION)
        async with Session(access) as second:  # no runner given: the command's budget
            try:
                await asyncio.wait_for(second.list_services(PROJECT, REGION), HELD)
            except TimeoutError:
                return True
        return False

    sandbox.clear_calls()
    held = asyncio.run(command())
    assert held, "the second session's call went out: a budget of its own"
    assert listed(sandbox) == 2


@pytest.mark.usefixtures("sandbox_env")
def test_each_command_has_a_budget_of_its_own(sandbox: Sandbox) -> None:
    """The budget ends with its command (its event loop): the next command in the same
    process (a test's in-process run) is not held by calls the last one made."""
    access = Access(Limits(run_rpm=1))

    async def command() -> None:
        async with Session(access) as session:
            await asyncio.wait_for(session.list_services(PROJECT, REGION), HELD * 10)

    sandbox.clear_calls()
    asyncio.run(command())
    asyncio.run(command())
    assert listed(sandbox) == 2
