"""`google.cloud.run.v2.Services` and `Revisions`: get, list with paging, update and revision
deletion as long-running operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.cloud import run_v2
from google.protobuf.message import Message

from drift.sandbox.core import Core
from drift.sandbox.deploy import view
from drift.sandbox.names import LOCATION, REVISION, SERVICE, ServiceKey, not_found, parse
from drift.sandbox.pb import RevisionPb, copy
from drift.sandbox.rpc import Method, paginate
from drift.sandbox.state import ServiceRec

SERVICES = "google.cloud.run.v2.Services"
REVISIONS = "google.cloud.run.v2.Revisions"


class RunApi:
    def __init__(self, core: Core) -> None:
        self.core = core

    def _services_in(self, project: str, region: str) -> list[ServiceRec]:
        pid = self.core.world.project(project).id
        found = [
            rec
            for key, rec in self.core.world.services.items()
            if key.project == pid and region in ("-", key.region)
        ]
        return sorted(found, key=lambda rec: rec.key)

    async def get_service(self, request: Any) -> Message:
        world = self.core.world
        return view(world, world.service(world.service_key(request.name)).pb)

    async def list_services(self, request: Any) -> Message:
        project, region = parse(LOCATION, request.parent, "projects/PROJECT/locations/REGION")
        recs = self._services_in(project, region)
        page, token = paginate(recs, request.page_size, request.page_token)
        world = self.core.world
        return run_v2.ListServicesResponse.pb()(
            services=[view(world, rec.pb) for rec in page], next_page_token=token
        )

    async def update_service(self, request: Any) -> Message:
        key = self.core.world.service_key(request.service.name)
        mask = request.update_mask if request.HasField("update_mask") else None
        return await self.core.deploy(
            key,
            request.service,
            mask,
            allow_missing=request.allow_missing,
            validate_only=request.validate_only,
        )

    def _revision(self, name: str) -> tuple[ServiceRec, str]:
        project, region, service, revision = parse(
            REVISION,
            name,
            "projects/PROJECT/locations/REGION/services/SERVICE/revisions/REVISION",
        )
        world = self.core.world
        key = ServiceKey(world.project(project).id, region, service)
        rec = world.service(key)
        if revision not in rec.revisions:
            raise not_found(
                f"Resource '{revision}' of kind 'REVISION' in region '{region}' "
                f"in project '{key.project}' does not exist."
            )
        return rec, revision

    async def get_revision(self, request: Any) -> Message:
        rec, name = self._revision(request.name)
        return copy(rec.revisions[name])

    async def delete_revision(self, request: Any) -> Message:
        rec, name = self._revision(request.name)
        return self.core.delete_revision(rec, name, request.etag, request.validate_only)

    async def list_revisions(self, request: Any) -> Message:
        project, region, service = parse(
            SERVICE, request.parent, "projects/PROJECT/locations/REGION/services/SERVICE"
        )
        if service == "-":
            recs = self._services_in(project, region)
        else:
            world = self.core.world
            recs = [world.service(ServiceKey(world.project(project).id, region, service))]
        revisions: list[RevisionPb] = []
        for rec in recs:
            revisions.extend(reversed(rec.revisions.values()))  # newest first
        page, token = paginate(revisions, request.page_size, request.page_token)
        return run_v2.ListRevisionsResponse.pb()(revisions=page, next_page_token=token)

    def methods(self) -> list[Method]:
        def method(service: str, name: str, request_type: Any, handler: Any) -> Method:
            wrap: Callable[[Any], Any] = request_type.wrap
            return Method(service, name, request_type.pb(), handler, wrap)

        return [
            method(SERVICES, "GetService", run_v2.GetServiceRequest, self.get_service),
            method(SERVICES, "ListServices", run_v2.ListServicesRequest, self.list_services),
            method(SERVICES, "UpdateService", run_v2.UpdateServiceRequest, self.update_service),
            method(REVISIONS, "GetRevision", run_v2.GetRevisionRequest, self.get_revision),
            method(REVISIONS, "ListRevisions", run_v2.ListRevisionsRequest, self.list_revisions),
            method(REVISIONS, "DeleteRevision", run_v2.DeleteRevisionRequest, self.delete_revision),
        ]
