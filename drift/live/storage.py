"""Reports in Cloud Storage (`gs://BUCKET/OBJECT`): a report written to an object and a
baseline read from one, through the official client (made by the session's Clients)."""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from drift.errors import ApiError, UsageError
from drift.live.calls import api_errors
from drift.textsafe import visible

SCHEME = "gs://"
# Bucket names: 3-63 characters (up to 222 with dots), lowercase letters, digits, dashes,
# underscores and dots, starting and ending with a letter or digit
# (https://cloud.google.com/storage/docs/buckets#naming).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
# Object names: 1-1024 bytes of UTF-8, no carriage return or line feed
# (https://cloud.google.com/storage/docs/objects#naming).
_OBJECT_BYTES = 1024
TIMEOUT = 60.0
"""Seconds one upload or download may take."""

CONTENT_TYPES = {".json": "application/json", ".sarif": "application/sarif+json"}


@dataclass(frozen=True)
class StorageObject:
    """A Cloud Storage object named on the command line."""

    bucket: str
    name: str

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.name}"

    @property
    def content_type(self) -> str:
        suffix = Path(self.name).suffix.lower()
        return CONTENT_TYPES.get(suffix, "text/plain; charset=utf-8")


def parse_object(value: str) -> StorageObject:
    """`gs://BUCKET/OBJECT` as an object; one clear message for anything else."""
    bucket, _, name = value.removeprefix(SCHEME).partition("/")
    shown = visible(value)  # a workflow's input, perhaps: its line break on drift's line
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:  # `$` matches before a last "\n"
        raise UsageError(f"{shown}: {bucket!r} is not a Cloud Storage bucket name")
    if not name or name.endswith("/"):
        raise UsageError(f"{shown}: name an object in the bucket (gs://{bucket}/staging.json)")
    if len(name.encode()) > _OBJECT_BYTES or "\r" in name or "\n" in name or name in (".", ".."):
        raise UsageError(f"{shown}: not a Cloud Storage object name")
    return StorageObject(bucket, name)


def _retry() -> Any:
    """The library's retries (transient errors, for up to 120 s), but against an emulator: a
    local server that refused once refuses again, said at once as the Cloud Run emulator's
    first refusal is (helper-529 F3: 120 s of retries against a port nothing listens on)."""
    from google.cloud.storage.retry import DEFAULT_RETRY

    from drift.live.clients import STORAGE_EMULATOR

    return None if os.environ.get(STORAGE_EMULATOR) else DEFAULT_RETRY


async def upload(client: Any, target: StorageObject, data: bytes) -> None:
    """Write `data` to the object (a new generation of it when it exists)."""
    blob = client.bucket(target.bucket).blob(target.name)
    with api_errors("storage.objects.insert", str(target)):
        # Retried though unconditional: writing the same report twice leaves the same object.
        await asyncio.to_thread(
            blob.upload_from_string,
            data,
            content_type=target.content_type,
            retry=_retry(),
            timeout=TIMEOUT,
        )


async def download(client: Any, source: StorageObject, limit: int) -> bytes:
    """The object's bytes; refused when it is larger than `limit` (its size is asked first,
    so that a huge object is never read)."""
    bucket = client.bucket(source.bucket)
    with api_errors("storage.objects.get", str(source)):
        get = partial(bucket.get_blob, source.name, timeout=TIMEOUT, retry=_retry())
        blob = await asyncio.to_thread(get)
        if blob is None:
            raise ApiError("storage.objects.get", str(source), "NOT_FOUND", "no such object")
        if blob.size is not None and blob.size > limit:
            raise UsageError(
                f"{source} is {blob.size} bytes, over the {limit} a drift report may have"
            )
        read = partial(blob.download_as_bytes, timeout=TIMEOUT, retry=_retry())
        data: bytes = await asyncio.to_thread(read)
        return data
