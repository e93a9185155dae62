"""A Cloud Run v2 `WorkerPool` as the `run.googleapis.com/v1` WorkerPool `gcloud run
worker-pools replace` takes, and back. The document (REST v1 `namespaces.workerpools`):
`spec.template` is a revision template, `spec.instanceSplits[]` the split (`percent`, and
`revisionName` or `latestRevision`); the pool's instance count is the
`run.googleapis.com/manualInstanceCount` annotation beside `run.googleapis.com/scalingMode:
manual`, as exported pools carry it (the installed v2 `WorkerPoolScaling` holds only
`manual_instance_count`: a pool on automatic scaling is not expressed, see
`drift.manifest.scaling`)."""

from __future__ import annotations

from typing import Any

from drift.fix.knative import keys
from drift.fix.knative.conversion import Conversion
from drift.fix.knative.pod import pod_in, pod_out
from drift.fix.knative.service import (
    common_in,
    common_out,
    metadata_in,
    resource_metadata,
    target_in,
    target_out,
    template_metadata,
)

POOL_API = "run.googleapis.com/v1"
POOL_KEYS = frozenset(
    {keys.LAUNCH_STAGE, keys.BINAUTHZ, keys.BINAUTHZ_BREAKGLASS, keys.DESCRIPTION}
    | {keys.SCALING_MODE, keys.MANUAL_INSTANCES}
)
"""WorkerPool annotations that stand for v2 fields."""
MANUAL = keys.SCALING_MODES["MANUAL"]


def pool_out(conv: Conversion, pool: Any, *, project: str, region: str) -> dict[str, Any]:
    fields: dict[str, str] = {}
    common_out(conv, pool, fields)
    if pool.description:
        fields[keys.DESCRIPTION] = conv.free("the description", pool.description)
    if "manual_instance_count" in pool.scaling:
        fields[keys.SCALING_MODE] = MANUAL
        fields[keys.MANUAL_INSTANCES] = str(pool.scaling.manual_instance_count)
    if pool.custom_audiences:
        conv.note("custom_audiences of a worker pool has no Knative form")
    metadata = resource_metadata(
        conv, pool, fields, POOL_KEYS, project=project, region=region, noun="worker pool"
    )
    spec: dict[str, Any] = {"template": _template_out(conv, pool.template)}
    if pool.instance_splits:
        spec["instanceSplits"] = [target_out(s) for s in pool.instance_splits]
    return {"apiVersion": POOL_API, "kind": "WorkerPool", "metadata": metadata, "spec": spec}


def _template_out(conv: Conversion, t: Any) -> dict[str, Any]:
    fields: dict[str, str] = {}
    if t.service_mesh.mesh:
        fields[keys.MESH] = t.service_mesh.mesh
    spec = pod_out(conv, t, fields)
    return {"metadata": template_metadata(conv, t, fields), "spec": spec}


# --- back: Knative -> v2 ------------------------------------------------------------------


def pool_in(doc: dict[str, Any], *, region: str = "") -> Any:
    """The v2 WorkerPool a Knative WorkerPool document describes (what `replace` would make)."""
    from google.cloud import run_v2

    name, labels, ann = metadata_in(doc, "workerPools", region)
    pool = run_v2.WorkerPool(name=name, labels=labels)
    common_in(ann, pool)
    pool.description = ann.pop(keys.DESCRIPTION, "")
    # the installed v2 WorkerPoolScaling holds no scaling mode (only manual_instance_count):
    # `automatic` is dropped here, and the manifest reader keeps it as an Unknown so that
    # instance_count is not verified (drift.manifest.scaling)
    ann.pop(keys.SCALING_MODE, None)
    manual = ann.pop(keys.MANUAL_INSTANCES, None)
    if manual is not None:
        pool.scaling = run_v2.WorkerPoolScaling(manual_instance_count=int(manual))
    pool.annotations = ann
    spec = doc.get("spec") or {}
    pool.template = _template_in(spec.get("template") or {})
    kinds = run_v2.InstanceSplitAllocationType
    types = (
        kinds.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST,
        kinds.INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION,
    )
    pool.instance_splits = [
        target_in(s, run_v2.InstanceSplit, types) for s in spec.get("instanceSplits") or []
    ]
    return pool


def _template_in(doc: dict[str, Any]) -> Any:
    from google.cloud import run_v2

    metadata = doc.get("metadata") or {}
    ann = {k: str(v) for k, v in (metadata.get("annotations") or {}).items()}
    t = run_v2.WorkerPoolRevisionTemplate(
        revision=metadata.get("name", ""),
        labels={k: str(v) for k, v in (metadata.get("labels") or {}).items()},
    )
    mesh = ann.pop(keys.MESH, "")
    if mesh:
        t.service_mesh = run_v2.ServiceMesh(mesh=mesh)
    pod_in(doc.get("spec") or {}, ann, t)
    t.annotations = ann
    return t
