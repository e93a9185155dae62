"""Cloud Run v2 services, jobs and worker pools in the Knative form `gcloud run services|jobs|
worker-pools replace` take, both ways: `to_knative` for `drift plan --format yaml`, `from_knative`
to read such a file back into the v2 message (round-trip tests, `check --manifest`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drift.fix.knative.conversion import Conversion

OUTPUT_ONLY = (
    "uid",
    "generation",
    "create_time",
    "update_time",
    "delete_time",
    "expire_time",
    "creator",
    "last_modifier",
    "observed_generation",
    "terminal_condition",
    "conditions",
    "latest_ready_revision",
    "latest_created_revision",
    "traffic_statuses",
    "instance_split_statuses",  # a worker pool's
    "uri",
    "urls",
    "satisfies_pzs",
    "reconciling",
    "etag",
    "threat_detection_enabled",
    "execution_count",
    "latest_created_execution",
)
"""Fields the server sets (the v2 protos mark them OUTPUT_ONLY): not part of a spec."""


@dataclass(frozen=True)
class Exported:
    document: dict[str, Any]
    conversion: Conversion


def to_knative(
    resource: Any,
    *,
    project: str,
    region: str,
    reveal: bool = False,
    numbers: Mapping[str, str] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> Exported:
    """A run_v2 Service, Job or WorkerPool as its Knative document, with what could not be written
    exactly (`conversion.inexact`) and the plain values that look like credentials; `numbers`:
    project id -> number (another project's secret is named by number); `hidden`: its plain
    values never written (`ServicePlan.hidden`)."""
    from google.cloud import run_v2

    conv = Conversion(reveal=reveal, numbers=dict(numbers or {}), hidden=hidden)
    if isinstance(resource, run_v2.Job):
        from drift.fix.knative.job import job_out

        document = job_out(conv, resource, project=project, region=region)
    elif isinstance(resource, run_v2.WorkerPool):
        from drift.fix.knative.pool import pool_out

        document = pool_out(conv, resource, project=project, region=region)
    else:
        from drift.fix.knative.service import service_out

        document = service_out(conv, resource, project=project, region=region)
    # every key and text of it, wherever it stands, once the document is whole
    return Exported(conv.sweep(document), conv)


def from_knative(document: dict[str, Any], *, region: str = "") -> Any:
    """The run_v2 Service, Job or WorkerPool a Knative document describes."""
    if document.get("kind") == "Job":
        from drift.fix.knative.job import job_in

        return job_in(document, region=region)
    if document.get("kind") == "WorkerPool":
        from drift.fix.knative.pool import pool_in

        return pool_in(document, region=region)
    from drift.fix.knative.service import service_in

    return service_in(document, region=region)


def writable(resource: Any) -> Any:
    """A copy of a run_v2 Service, Job or WorkerPool with only what a `replace` sends: no
    output-only field, no `client`/`client_version` (`replace` names its own client), none of the
    annotations the server writes (`gcloud … --format export` leaves them out too), volumes
    by name (mounts name them: their order means nothing, and Knative lists a Cloud SQL
    volume apart)."""
    from drift.fix.knative.keys import SERVER_SET
    from drift.live.normalize import raw

    copy = type(resource).deserialize(type(resource).serialize(resource))
    pb = raw(copy)
    for name in (*OUTPUT_ONLY, "client", "client_version"):
        if name in pb.DESCRIPTOR.fields_by_name:
            pb.ClearField(name)
    copy.annotations = {k: v for k, v in copy.annotations.items() if k not in SERVER_SET}
    template = (
        copy.template.template if "template" in type(copy.template).meta.fields else copy.template
    )
    template.volumes = sorted(template.volumes, key=lambda v: v.name)  # order has no meaning
    return copy
