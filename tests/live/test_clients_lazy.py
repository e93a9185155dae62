"""The Secret Manager client is made when a command first reads a secret, on the channel the
Cloud Run clients share when both emulators are at one address, and it reads the emulator."""

from __future__ import annotations

import asyncio

import pytest

from drift.live.clients import make_clients
from drift.sandbox import Sandbox


@pytest.mark.usefixtures("sandbox_env")
def test_the_secret_manager_client_is_made_on_first_use(sandbox: Sandbox) -> None:
    project, spec = next((p, s) for p, s in sandbox.scenario.projects.items() if s.secrets)

    async def run() -> list[str]:
        clients = make_clients()
        try:
            assert clients._secrets is None  # a command reading no secret builds none
            first = clients.secrets
            assert clients.secrets is first
            assert first.transport.grpc_channel is clients.services.transport.grpc_channel
            pager = await first.list_secrets(parent=f"projects/{project}")
            return [secret.name.rsplit("/", 1)[-1] async for secret in pager]
        finally:
            await clients.close()

    assert sorted(asyncio.run(run())) == sorted(spec.secrets)
