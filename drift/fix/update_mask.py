"""The `update_mask` of drift's UpdateService and UpdateWorkerPool: only what drift means to
write (review 848 F1, SPEC invariant 2: "every other variable, setting, label and annotation of
the service survives byte for byte").

Sent whole with no mask, a write puts back every field as drift read it: a teammate's label
written between that read and the write is gone, and under a server that lets a stale etag
through ("May be used to detect modification conflict during updates", run v2
`Service.etag`) and leaves `generation` for a label (knative/pkg#117) nothing tells. run v2
`UpdateServiceRequest.update_mask` (UpdateWorkerPoolRequest's alike): "Optional. The list of
fields to be updated" (googleapis google/cloud/run/v2/service.proto, worker_pool.proto; the
client libraries support it since July 2024, Google.Cloud.Run.V2 2.9.0: "Support update_mask
in Cloud Run UpdateService", googleapis/google-cloud-dotnet#13303). UpdateJobRequest has none:
a job is written whole, as before.

The mask names, derived from the request and the workload it was built from (`base`, drift's
read), never from a list of settings (a setting the catalogue gains needs nothing here):
- `client`, `client_version`: set on every write (SPEC invariant 12, `drift.fix.update`), so a
  mask is never empty (an empty one may read as none);
- the template and the split (`traffic`, a pool's `instance_splits`), on every write: each of
  drift's writes sends them as it means them to be — a canary's, a clean-up's, a restoration's
  template; the traffic a promotion routes through LATEST to the canary, which resolves to
  the canary only while the template is the canary's; the template as read, so that a write
  of traffic or settings makes no revision — and what someone else's deploy or routing
  between drift's read and its write became is told by the generation and their revision
  (`drift.fix.overwrote`). The template is named field by field (`template.containers`,
  `template.revision`, …) and down into each message it holds
  (`template.scaling.max_instance_count`), so that it is replaced whole whether the server
  replaces a message a path names (AIP-161: "If a user updates a resource with a given mask,
  and then reads the same resource with the same mask, the exact same data must be
  returned") or merges into it (google/protobuf/field_mask.proto: "If a sub-message is
  specified in the last position of the field mask for an update operation, then new value
  will be merged into the existing sub-message"; sandbox option `mask_message`). A template
  field drift leaves empty is named too: the canary's clean-up clears `template.revision` so
  that Cloud Run names the revision it makes (a path "set to the default value in the
  provided resource" resets it, field_mask.proto);
- every other field where drift's request differs from its read: a label map (named whole),
  and each service-level setting by the field that holds it (`scaling.min_instance_count`,
  not all of `scaling`: a teammate's maximum set meanwhile stays). A message drift's request
  leaves out that the read had is named whole (cleared). A field drift's change sets (its
  `parts`) is named whole on each of its writes, as read or not.
Their label, annotation or setting written between drift's read and its write — which may
not move `generation` (knative/pkg#117; sandbox option `labels_bump_generation`) — stays.
System labels and annotations drift never sends (`without_system_metadata`) are no change."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drift.fix.knative import OUTPUT_ONLY
from drift.fix.patch import copy_workload, without_system_metadata
from drift.kinds import Kind
from drift.live.normalize import raw
from drift.protofield import field_value, nested

ALWAYS = ("client", "client_version")
"""Written by each of drift's writes, whatever else it changes."""

WRITTEN = ("template", "traffic", "instance_splits")
"""Named whole by every write of a service or worker pool (a pool has no `traffic`)."""

UNMASKED = frozenset({*OUTPUT_ONLY, *ALWAYS, "name"})
"""Top-level fields a mask never names by difference: set by the server, the write's own
identity (`name`, `etag`: the resource and its precondition), or named always (`ALWAYS`)."""


def with_mask(
    call: Any, kind: Kind, request: Any, base: Any | None, parts: Collection[str] = ()
) -> None:
    """`call` (an UpdateServiceRequest or UpdateWorkerPoolRequest sending `request`) given
    `update_mask`'s paths; an UpdateJobRequest, none (it has no mask)."""
    from google.protobuf import field_mask_pb2

    if kind is not Kind.JOB:
        call.update_mask = field_mask_pb2.FieldMask(paths=update_mask(kind, request, base, parts))


def update_mask(
    kind: Kind, request: Any, base: Any | None, parts: Collection[str] = ()
) -> list[str]:
    """The paths of the `update_mask` drift's write `request` (a run_v2 Service or WorkerPool)
    carries, built from `base` (the workload as read, whose other fields it holds; None: every
    writable field, as a write with no mask); [] for a job (UpdateJob has no mask). `parts`:
    the top-level fields drift's change sets (`drift.fix.recorded.service_parts`), named
    whole whatever the read shows: a read may not show what the service holds
    (`Service.ingress`: "On output, returns the currently observed ingress settings"), and
    the write means to set them (a canary's, a clean-up's, a restoration's)."""
    if kind is Kind.JOB:
        return []
    mine = raw(without_system_metadata(copy_workload(request)))
    was = None if base is None else raw(without_system_metadata(copy_workload(base)))
    paths = list(ALWAYS)
    for field in mine.DESCRIPTOR.fields:
        if field.name in UNMASKED:
            continue
        if was is None or field.name in WRITTEN or field.name in parts:
            paths += _whole(mine, field, "")
        else:
            paths += _changed(mine, was, field, "")
    return paths


def _changed(mine: Any, was: Any, field: Any, prefix: str) -> list[str]:
    """The paths of `field` where `mine` differs from `was`: within a message both hold, its
    fields that differ; a message only `mine` holds, whole (`_whole`); else the field."""
    if field_value(mine, field) == field_value(was, field):
        return []
    path, name = prefix + field.name, field.name
    if nested(field) and mine.HasField(name):
        if not was.HasField(name):
            return _whole(mine, field, prefix)
        inner, before = getattr(mine, name), getattr(was, name)
        return [p for f in inner.DESCRIPTOR.fields for p in _changed(inner, before, f, path + ".")]
    return [path]


def _whole(message: Any, field: Any, prefix: str) -> list[str]:
    """`field` of `message` as paths that write all of it: a message it holds, each of its
    fields (and theirs); a list, a map, a scalar, a message it does not hold (cleared) or a
    well-known type (a Duration: one value), the field itself."""
    path = prefix + field.name
    if not (nested(field) and message.HasField(field.name)):
        return [path]
    inner = getattr(message, field.name)
    return [p for f in inner.DESCRIPTOR.fields for p in _whole(inner, f, path + ".")]
