"""An etag that moved with nobody's write. A resource's etag is "A system-generated fingerprint
for this version of the resource. May be used to detect modification conflict during updates"
(run v2 job.proto, service.proto, worker_pool.proto): whether what the server writes itself is
part of that version is not said — a job's executions (`execution_count`,
`latest_created_execution`, a Cloud Scheduler run every minute), a settled update's status
(sandbox options `etag_on_run`, `etag_on_status`). A write refused for such an etag would be
refused again at every try on a job run often, and said as "written since drift read it" when
nobody wrote it.

So drift's write (`drift.fix.update.update_workload`, given the read it was built from) is
sent again with the etag read now, when the resource read now is that same version but for
what the server writes itself: the same `uid`, the same `generation` ("A number that
monotonically increases every time the user modifies the desired state") and every field a
writer sets as it was read — labels and annotations included, which a write may change
without moving the generation (sandbox option `labels_bump_generation`). The job's execution
token is not compared: the job "loses" it as soon as an execution is created any other way
(GoogleCloudPlatform/magic-modules#19060), and drift never sends it
(`drift.fix.update.without_execution_token`). Anyone's write since is still refused: never
written over."""

from __future__ import annotations

from typing import Any

from drift.fix.knative import OUTPUT_ONLY
from drift.live.normalize import raw

RESENDS = 3
"""How many times one write is sent again with a fresher etag (a job run every minute moves
it again between a read and a write at most now and then)."""

_SERVER_WRITES = frozenset({*OUTPUT_ONLY, "etag"})
"""What the server writes itself (the OUTPUT_ONLY fields of the v2 protos) and the etag."""


def same_version(read: Any, now: Any) -> bool:
    """Whether `now` (a Service, Job or WorkerPool read again) is the version `read` was, but
    for what the server writes itself: nobody wrote it since."""
    was, fresh = raw(read), raw(now)
    if (was.uid, int(was.generation)) != (fresh.uid, int(fresh.generation)):
        return False
    for field in was.DESCRIPTOR.fields:
        if field.name in _SERVER_WRITES or _token(field):
            continue
        if getattr(was, field.name) != getattr(fresh, field.name):
            return False
    return True


def _token(field: Any) -> bool:
    """A job's `start_execution_token` / `run_execution_token` (oneof `create_execution`)."""
    oneof = field.containing_oneof
    return oneof is not None and oneof.name == "create_execution"


def with_etag(request: Any, etag: str) -> None:
    """`request` (an UpdateService/UpdateJob/UpdateWorkerPool request) carrying `etag`."""
    _resource(type(request).pb(request)).etag = etag


def _resource(pb: Any) -> Any:
    for name in ("job", "worker_pool", "service"):
        if name in pb.DESCRIPTOR.fields_by_name:
            return getattr(pb, name)
    raise ValueError(f"no resource in {pb.DESCRIPTOR.full_name}")
