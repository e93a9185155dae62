"""Fixtures of the sandbox tests: a sandbox on `real-shapes.yaml`, and the Resource Manager
clients and the Cloud Run Jobs, Executions and WorkerPools clients beside the Cloud Run and
Secret Manager ones."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import resourcemanager_v3, run_v2
from google.cloud.resourcemanager_v3.services.folders.transports import FoldersGrpcTransport
from google.cloud.resourcemanager_v3.services.organizations.transports import (
    OrganizationsGrpcTransport,
)
from google.cloud.resourcemanager_v3.services.projects.transports import ProjectsGrpcTransport
from google.cloud.run_v2.services.executions import transports as executions
from google.cloud.run_v2.services.jobs import transports as jobs
from google.cloud.run_v2.services.revisions import transports as revisions
from google.cloud.run_v2.services.worker_pools import transports as pools

from drift.sandbox import Sandbox
from tests.conftest import Clients, ClientsFor, MakeSandbox

REAL_SHAPES = Path(__file__).resolve().parents[2] / "drift/sandbox/scenarios/real-shapes.yaml"


@pytest.fixture(scope="module")
def real_session() -> Iterator[Sandbox]:
    with Sandbox(REAL_SHAPES) as sandbox:
        yield sandbox


@pytest.fixture
def real(real_session: Sandbox) -> Sandbox:
    """A sandbox on real-shapes.yaml, reset for each test."""
    real_session.reset()
    return real_session


@pytest.fixture
def real_clients(real: Sandbox, clients_for: ClientsFor) -> Clients:
    return clients_for(real)


@dataclass
class Crm:
    projects: Any
    folders: Any
    organizations: Any


@pytest.fixture
def crm_for() -> Iterator[Any]:
    """`crm_for(sandbox)`: the official Resource Manager v3 clients on one channel."""
    channels: list[grpc.Channel] = []

    def make(sandbox: Sandbox) -> Crm:
        channel = grpc.insecure_channel(sandbox.address)
        channels.append(channel)
        return Crm(
            resourcemanager_v3.ProjectsClient(transport=ProjectsGrpcTransport(channel=channel)),
            resourcemanager_v3.FoldersClient(transport=FoldersGrpcTransport(channel=channel)),
            resourcemanager_v3.OrganizationsClient(
                transport=OrganizationsGrpcTransport(channel=channel)
            ),
        )

    yield make
    for channel in channels:
        channel.close()


@dataclass
class Run:
    """The official Cloud Run clients for jobs, executions, worker pools and revisions."""

    jobs: Any
    executions: Any
    pools: Any
    revisions: Any


@pytest.fixture
def run_for() -> Iterator[Any]:
    """`run_for(sandbox)`: the sync JobsClient, ExecutionsClient, WorkerPoolsClient and
    RevisionsClient on one channel."""
    channels: list[grpc.Channel] = []

    def make(sandbox: Sandbox) -> Run:
        channel = grpc.insecure_channel(sandbox.address)
        channels.append(channel)
        return Run(
            run_v2.JobsClient(transport=jobs.JobsGrpcTransport(channel=channel)),
            run_v2.ExecutionsClient(transport=executions.ExecutionsGrpcTransport(channel=channel)),
            run_v2.WorkerPoolsClient(transport=pools.WorkerPoolsGrpcTransport(channel=channel)),
            run_v2.RevisionsClient(transport=revisions.RevisionsGrpcTransport(channel=channel)),
        )

    yield make
    for channel in channels:
        channel.close()


@asynccontextmanager
async def async_run(sandbox: Sandbox) -> AsyncIterator[Run]:
    """The async flavour of `run_for`, inside the caller's event loop."""
    channel = grpc.aio.insecure_channel(sandbox.address)
    try:
        yield Run(
            run_v2.JobsAsyncClient(transport=jobs.JobsGrpcAsyncIOTransport(channel=channel)),
            run_v2.ExecutionsAsyncClient(
                transport=executions.ExecutionsGrpcAsyncIOTransport(channel=channel)
            ),
            run_v2.WorkerPoolsAsyncClient(
                transport=pools.WorkerPoolsGrpcAsyncIOTransport(channel=channel)
            ),
            run_v2.RevisionsAsyncClient(
                transport=revisions.RevisionsGrpcAsyncIOTransport(channel=channel)
            ),
        )
    finally:
        await channel.close()


__all__ = ["REAL_SHAPES", "Crm", "MakeSandbox", "Run", "async_run"]
