"""Build the official async clients: Application Default Credentials in production, an
insecure channel with anonymous credentials when `*_EMULATOR_HOST` points at an emulator."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from drift.errors import AuthError

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
RUN_EMULATOR = "CLOUD_RUN_EMULATOR_HOST"
SECRETS_EMULATOR = "SECRET_MANAGER_EMULATOR_HOST"


@dataclass
class Clients:
    services: Any
    revisions: Any
    secrets: Any

    async def close(self) -> None:
        for client in (self.services, self.revisions, self.secrets):
            await client.transport.close()


def credentials(impersonate: str | None = None) -> Any:
    """ADC (optionally impersonating a service account), or one clear AuthError."""
    import google.auth
    from google.auth import exceptions as auth_exc

    try:
        creds, _ = google.auth.default(scopes=SCOPES)
    except auth_exc.DefaultCredentialsError as exc:
        raise AuthError(
            f"no Application Default Credentials: {exc}",
            hint="run `gcloud auth application-default login`, or set "
            "GOOGLE_APPLICATION_CREDENTIALS to a service account key file",
        ) from exc
    if impersonate:
        from google.auth import impersonated_credentials

        creds = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=creds, target_principal=impersonate, target_scopes=SCOPES
        )
    return creds


def make_clients(impersonate: str | None = None) -> Clients:
    """Create the clients; call inside the running event loop (gRPC asyncio channels)."""
    import grpc
    from google.cloud import run_v2, secretmanager_v1
    from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcAsyncIOTransport
    from google.cloud.run_v2.services.services.transports import ServicesGrpcAsyncIOTransport
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcAsyncIOTransport,
    )

    run_host = os.environ.get(RUN_EMULATOR)
    secrets_host = os.environ.get(SECRETS_EMULATOR)
    creds = None if run_host and secrets_host else credentials(impersonate)
    if run_host:
        channel = grpc.aio.insecure_channel(run_host)
        services = run_v2.ServicesAsyncClient(
            transport=ServicesGrpcAsyncIOTransport(channel=channel)
        )
        revisions = run_v2.RevisionsAsyncClient(
            transport=RevisionsGrpcAsyncIOTransport(channel=channel)
        )
    else:
        services = run_v2.ServicesAsyncClient(credentials=creds)
        revisions = run_v2.RevisionsAsyncClient(credentials=creds)
    if secrets_host:
        secrets = secretmanager_v1.SecretManagerServiceAsyncClient(
            transport=SecretManagerServiceGrpcAsyncIOTransport(
                channel=grpc.aio.insecure_channel(secrets_host)
            )
        )
    else:
        secrets = secretmanager_v1.SecretManagerServiceAsyncClient(credentials=creds)
    return Clients(services=services, revisions=revisions, secrets=secrets)
