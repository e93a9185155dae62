"""The two live reads onboarding needs beyond `read_live`: the services of a region, and secret
values compared in memory (kept only as digests, registered for scrubbing, never returned)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from drift import redact
from drift.check import limits
from drift.errors import ApiError
from drift.live.calls import CallFailure, CallRunner
from drift.live.model import SecretRef
from drift.live.reader import access_secret, list_services
from drift.settings import Settings


async def list_service_names(
    settings: Settings, project: str, region: str, runner: CallRunner | None = None
) -> list[str]:
    """The names of every Cloud Run service in `project`/`region`, sorted."""
    from drift.live.clients import make_clients

    runner = runner or CallRunner(limits(settings))
    clients = make_clients(settings.impersonate_service_account)
    try:
        services = await list_services(clients, runner, f"projects/{project}/locations/{region}")
    except CallFailure as exc:
        raise ApiError(exc.call, exc.resource, exc.status, exc.message) from None
    finally:
        await clients.close()
    return sorted(services)


@dataclass(frozen=True)
class SecretDigests:
    """SHA-256 digests of secret values (to tell equal from different), and what could not be
    read (`(project, ref)` -> reason)."""

    digests: dict[tuple[str, SecretRef], str]
    failed: dict[tuple[str, SecretRef], str]


async def secret_digests(
    settings: Settings,
    wanted: Iterable[tuple[str, SecretRef]],
    runner: CallRunner | None = None,
) -> SecretDigests:
    """Read each `(project, ref)` once and keep only a digest of its value."""
    from drift.live.clients import make_clients

    runner = runner or CallRunner(limits(settings))
    clients = make_clients(settings.impersonate_service_account)
    digests: dict[tuple[str, SecretRef], str] = {}
    failed: dict[tuple[str, SecretRef], str] = {}

    async def read(project: str, ref: SecretRef) -> None:
        name = f"projects/{project}/secrets/{ref.secret}/versions/{ref.version}"
        try:
            data = await access_secret(clients, runner, name)
        except CallFailure as exc:
            failed[(project, ref)] = exc.reason
            return
        redact.register(data.decode("utf-8", errors="replace"))
        digests[(project, ref)] = hashlib.sha256(data).hexdigest()

    try:
        await asyncio.gather(*(read(p, r) for p, r in dict.fromkeys(wanted)))
    finally:
        await clients.close()
    return SecretDigests(digests, failed)
