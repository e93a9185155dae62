"""The read calls several layers make, each one attempt through the call runner: the services
of a region (paged), a service, a secret version's payload (CRC32C verified)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from drift.errors import ApiError
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.crc32c import crc32c

LIST_PAGE_SIZE = 500


def attempt(method: Callable[..., Awaitable[Any]], **request: Any) -> Callable[[float], Any]:
    """One attempt of a client method for the runner (which retries: the client must not)."""
    return lambda timeout: method(retry=None, timeout=timeout, **request)


def short(name: str) -> str:
    """The last segment of a resource name."""
    return name.rsplit("/", 1)[-1]


async def list_services(clients: Clients, runner: CallRunner, parent: str) -> dict[str, Any]:
    """Every service under `parent` (a location), by short name; one call per page."""
    from google.cloud import run_v2

    request = run_v2.ListServicesRequest
    call = clients.services.list_services
    return await list_pages(runner, "ListServices", parent, request, call, "services")


async def list_pages(
    runner: CallRunner, method: str, parent: str, request_type: Any, call: Any, field: str
) -> dict[str, Any]:
    """Every resource a List method (ListServices, ListJobs, ListWorkerPools) answers under
    `parent`, by short name; one call per page."""
    found: dict[str, Any] = {}
    token = ""
    while True:
        request = request_type(parent=parent, page_size=LIST_PAGE_SIZE, page_token=token)
        page = await runner.call("run", method, parent, attempt(call, request=request))
        response = page._response  # one page per call: we follow the tokens ourselves
        for item in getattr(response, field):  # `services`, `jobs`, `worker_pools`
            found[short(item.name)] = item
        token = response.next_page_token
        if not token:
            return found


async def get_service(clients: Clients, runner: CallRunner, name: str) -> Any:
    return await runner.call(
        "run", "GetService", name, attempt(clients.services.get_service, name=name)
    )


async def access_secret(clients: Clients, runner: CallRunner, name: str) -> bytes:
    """A secret version's payload, its CRC32C verified (DATA_LOSS when it does not match).
    The caller keeps it in memory only."""
    response = await runner.call(
        "access",
        "AccessSecretVersion",
        name,
        attempt(clients.secrets.access_secret_version, name=name),
    )
    data = bytes(response.payload.data)
    checksum = response.payload.data_crc32c
    if checksum and crc32c(data) != checksum:
        raise ApiError("AccessSecretVersion", name, "DATA_LOSS", "payload crc32c mismatch")
    return data
