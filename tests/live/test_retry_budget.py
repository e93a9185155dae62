"""The retry budget ("total time retries may take") runs from a call's first failure: a call
that waited for its turn (a concurrency slot, the per-minute rate) longer than the budget
still gets its retry after a transient failure, as a call that did not wait would."""

from __future__ import annotations

import asyncio

import pytest

from drift.live.api import get_service
from drift.live.session import Session
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings

SERVICES = "projects/acme-chat-staging/locations/us-central1/services"


@pytest.mark.usefixtures("sandbox_env")
def test_time_spent_queued_is_not_spent_retrying(sandbox: Sandbox) -> None:
    sandbox.inject(Fault("GetService", None, latency_ms=1500, match="services/web"))
    sandbox.inject(Fault("GetService", "UNAVAILABLE", first_n=1, match="services/api"))
    settings = load_settings(concurrency=1, retry_budget=1.0, call_timeout=5.0)

    async def read() -> list[str]:
        async with Session(settings.access()) as session:

            async def get(name: str) -> str:
                found = await get_service(session.clients, session.runner, f"{SERVICES}/{name}")
                return str(found.name)

            slow = asyncio.create_task(get("web"))  # holds the one slot for 1.5 s
            await asyncio.sleep(0.2)
            return [await get("api"), await slow]  # api waits 1.3 s, fails once, is retried

    names = asyncio.run(read())
    assert [n.rsplit("/", 1)[-1] for n in names] == ["api", "web"]
    api = [c for c in sandbox.calls if c.short == "GetService" and "api" in str(c.request)]
    assert len(api) == 2  # the failure, then the retry that read it
