"""Fixtures of the sandbox tests: a sandbox on `real-shapes.yaml`, and the Resource Manager
clients beside the Cloud Run and Secret Manager ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import resourcemanager_v3
from google.cloud.resourcemanager_v3.services.folders.transports import FoldersGrpcTransport
from google.cloud.resourcemanager_v3.services.organizations.transports import (
    OrganizationsGrpcTransport,
)
from google.cloud.resourcemanager_v3.services.projects.transports import ProjectsGrpcTransport

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


__all__ = ["REAL_SHAPES", "Crm", "MakeSandbox"]
