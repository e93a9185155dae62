"""Secret values compared in memory for `compare --live`: kept only as digests, registered
for scrubbing, never returned."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from drift import redact
from drift.errors import ApiError
from drift.live.model import SecretRef
from drift.live.session import Session


@dataclass(frozen=True)
class SecretDigests:
    """SHA-256 digests of secret values (to tell equal from different), and what could not be
    read (`(project, ref)` -> reason)."""

    digests: dict[tuple[str, SecretRef], str]
    failed: dict[tuple[str, SecretRef], str]


async def secret_digests(
    session: Session, wanted: Iterable[tuple[str, SecretRef]]
) -> SecretDigests:
    """Read each `(project, ref)` once and keep only a digest of its value."""
    digests: dict[tuple[str, SecretRef], str] = {}
    failed: dict[tuple[str, SecretRef], str] = {}

    async def read(project: str, ref: SecretRef) -> None:
        try:
            data = await session.access_secret(ref.version_resource(project))
        except ApiError as exc:
            failed[(project, ref)] = exc.reason
            return
        redact.register(data.decode("utf-8", errors="replace"))
        digests[(project, ref)] = hashlib.sha256(data).hexdigest()

    await asyncio.gather(*(read(p, r) for p, r in dict.fromkeys(wanted)))
    return SecretDigests(digests, failed)
