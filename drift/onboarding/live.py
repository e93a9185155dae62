"""The two live reads onboarding needs beyond `read_live`: the services of a region, and secret
values compared in memory (kept only as digests, registered for scrubbing, never returned)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drift import redact
from drift.check import limits
from drift.errors import ApiError
from drift.live.calls import CallFailure, CallRunner
from drift.live.crc32c import crc32c
from drift.live.model import SecretRef
from drift.settings import Settings

PAGE_SIZE = 500


async def list_service_names(
    settings: Settings, project: str, region: str, runner: CallRunner | None = None
) -> list[str]:
    """The names of every Cloud Run service in `project`/`region`, sorted."""
    from google.cloud import run_v2

    from drift.live.clients import make_clients

    runner = runner or CallRunner(limits(settings))
    clients = make_clients(settings.impersonate_service_account)
    parent = f"projects/{project}/locations/{region}"
    names: list[str] = []
    token = ""
    try:
        while True:
            request = run_v2.ListServicesRequest(
                parent=parent, page_size=PAGE_SIZE, page_token=token
            )

            def list_page(timeout: float, request: Any = request) -> Any:
                return clients.services.list_services(request=request, retry=None, timeout=timeout)

            page = await runner.call("run", "ListServices", parent, list_page)
            response = page._response  # one page per call: we follow the tokens ourselves
            names.extend(s.name.rsplit("/", 1)[-1] for s in response.services)
            token = response.next_page_token
            if not token:
                return sorted(names)
    except CallFailure as exc:
        raise ApiError(exc.call, exc.resource, exc.status, exc.message) from None
    finally:
        await clients.close()


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
            response = await runner.call(
                "secrets",
                "AccessSecretVersion",
                name,
                lambda t: clients.secrets.access_secret_version(name=name, retry=None, timeout=t),
            )
        except CallFailure as exc:
            failed[(project, ref)] = exc.reason
            return
        data = bytes(response.payload.data)
        checksum = response.payload.data_crc32c
        if checksum and crc32c(data) != checksum:
            failed[(project, ref)] = f"AccessSecretVersion {name}: DATA_LOSS: crc32c mismatch"
            return
        redact.register(data.decode("utf-8", errors="replace"))
        digests[(project, ref)] = hashlib.sha256(data).hexdigest()

    try:
        await asyncio.gather(*(read(p, r) for p, r in dict.fromkeys(wanted)))
    finally:
        await clients.close()
    return SecretDigests(digests, failed)
