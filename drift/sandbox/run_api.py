"""`google.cloud.run.v2.Services` and `Revisions`: get, list with paging, update and revision
deletion as long-running operations; revisions of services and of worker pools alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud import run_v2
from google.protobuf.message import Message

from drift.sandbox.core import Core
from drift.sandbox.deploy import view
from drift.sandbox.names import (
    LOCATION,
    OWNER,
    REVISION,
    SERVICES,
    ResourceKey,
    invalid,
    not_found,
    parse,
)
from drift.sandbox.pb import RevisionPb, copy
from drift.sandbox.retire import keep_deleted
from drift.sandbox.rpc import Method, paginate, proto_plus_method
from drift.sandbox.state import OwnerRec

SERVICES_API = "google.cloud.run.v2.Services"
REVISIONS = "google.cloud.run.v2.Revisions"


def owners_in(core: Core, project: str, region: str, collection: str) -> list[OwnerRec]:
    """The services (or worker pools) of a project in a region (`-`: every region)."""
    pid = core.world.project(project).id
    found = [
        rec
        for key, rec in core.world.owners(collection).items()
        if key.project == pid and region in ("-", key.region)
    ]
    return sorted(found, key=lambda rec: rec.key)


def one_region(region: str) -> str:
    """The region a ListServices or ListWorkerPools parent names: "Location must be a valid
    Google Cloud region, and cannot be the "-" wildcard." (ListServicesRequest.parent, run v2
    service.proto; ListWorkerPoolsRequest.parent says the same). ListRevisions and
    ListExecutions take "-" for the service or job, not this."""
    if region == "-":
        raise invalid("Location must be a valid Google Cloud region, not '-'.")
    return region


def listed(core: Core, request: Any, collection: str) -> tuple[Sequence[OwnerRec], str]:
    """The page of services (or worker pools) a ListServices (ListWorkerPools) request asks
    for, and the token of the next one."""
    project, region = parse(LOCATION, request.parent, "projects/PROJECT/locations/REGION")
    recs = owners_in(core, project, one_region(region), collection)
    return paginate(recs, request.page_size, request.page_token, shape=core.world.options.pages)


def _stamp(stamp: Any) -> tuple[int, int]:
    return (stamp.seconds, stamp.nanos)


def _made(revision: RevisionPb) -> tuple[int, int]:
    """Newest first: by `create_time`, descending (a stable sort: those made in one instant
    stay newest first as kept)."""
    return (-revision.create_time.seconds, -revision.create_time.nanos)


class RunApi:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def get_service(self, request: Any) -> Message:
        world = self.core.world
        return view(world, world.owner(world.key_of(request.name)).pb)

    async def list_services(self, request: Any) -> Message:
        page, token = listed(self.core, request, SERVICES)
        world = self.core.world
        return run_v2.ListServicesResponse.pb()(
            services=[view(world, rec.pb) for rec in page], next_page_token=token
        )

    async def update_service(self, request: Any) -> Message:
        key = self.core.world.key_of(request.service.name)
        return await self.core.update(key, request, request.service)

    def _revision(self, name: str) -> tuple[OwnerRec, str]:
        project, region, collection, owner, revision = parse(
            REVISION,
            name,
            "projects/PROJECT/locations/REGION/services/SERVICE/revisions/REVISION "
            "(or workerPools/WORKER_POOL/revisions/REVISION)",
        )
        world = self.core.world
        key = ResourceKey(world.project(project).id, region, owner, collection)
        rec = world.owner(key)
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
        """Deletes, and keeps what was deleted for a ListRevisions with `show_deleted`
        (`retire.keep_deleted`, `options.deleted_revisions`)."""
        rec, name = self._revision(request.name)
        revision = rec.revisions[name]
        done = self.core.delete_revision(rec, name, request.etag, request.validate_only)
        if name not in rec.revisions:
            keep_deleted(rec, name, revision, self.core.world.now())
        return done

    async def list_revisions(self, request: Any) -> Message:
        """Of one service or worker pool, or of all of them: "To list all Revisions across
        Services, use "-" instead of Service name" (ListRevisionsRequest.parent, run v2
        revision.proto). The request documents no order ("sorted by creation time,
        descending" is ListExecutionsRequest's); the sandbox answers newest first, and
        drift sorts by `create_time` itself (`drift.live.history`). With `show_deleted`
        ("returns deleted (but unexpired) resources along with active ones"), the deleted
        ones before their `expire_time` where `options.deleted_revisions` is `listed`."""
        project, region, collection, owner = parse(
            OWNER,
            request.parent,
            "projects/PROJECT/locations/REGION/services/SERVICE (or workerPools/WORKER_POOL)",
        )
        if owner == "-":
            recs = owners_in(self.core, project, region, collection)
        else:
            world = self.core.world
            key = ResourceKey(world.project(project).id, region, owner, collection)
            recs = [world.owner(key)]
        revisions: list[RevisionPb] = []
        for rec in recs:
            revisions.extend(sorted(self._listed(rec, request.show_deleted), key=_made))
        page, token = paginate(
            revisions, request.page_size, request.page_token, shape=self.core.world.options.pages
        )
        return run_v2.ListRevisionsResponse.pb()(revisions=page, next_page_token=token)

    def _listed(self, rec: OwnerRec, show_deleted: bool) -> list[RevisionPb]:
        """`rec`'s revisions a listing returns: the deleted ones too where `show_deleted`
        asks for them and `options.deleted_revisions` lists them, until they expire."""
        world = self.core.world
        listed = list(reversed(rec.revisions.values()))  # newest first
        if show_deleted and world.options.deleted_revisions == "listed":
            now = world.now()
            kept = reversed(rec.deleted.values())
            listed += [_unmarked(r) for r in kept if _stamp(r.expire_time) > _stamp(now)]
        return listed

    def methods(self) -> list[Method]:
        services = [
            ("GetService", run_v2.GetServiceRequest, self.get_service),
            ("ListServices", run_v2.ListServicesRequest, self.list_services),
            ("UpdateService", run_v2.UpdateServiceRequest, self.update_service),
        ]
        revisions = [
            ("GetRevision", run_v2.GetRevisionRequest, self.get_revision),
            ("ListRevisions", run_v2.ListRevisionsRequest, self.list_revisions),
            ("DeleteRevision", run_v2.DeleteRevisionRequest, self.delete_revision),
        ]
        return [
            *(proto_plus_method(SERVICES_API, *row) for row in services),
            *(proto_plus_method(REVISIONS, *row) for row in revisions),
        ]


def _unmarked(revision: RevisionPb) -> RevisionPb:
    """A deleted revision as a listing returns it: nothing says it is deleted. Revision
    delete_time and expire_time are "only populated as a response to a Delete request" (run v2
    revision.proto), and no other field of a Revision marks one."""
    listed = copy(revision)
    listed.ClearField("delete_time")
    listed.ClearField("expire_time")
    return listed
