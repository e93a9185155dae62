"""The live read `drift init` needs beyond `read_live`: the names of a region's services."""

from __future__ import annotations

from drift.check import limits
from drift.errors import ApiError
from drift.live.calls import CallFailure, CallRunner
from drift.live.reader import list_services
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
