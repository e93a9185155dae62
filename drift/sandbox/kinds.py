"""The two kinds of Cloud Run resources that own revisions — services and worker pools — and
where each keeps its template, its split (traffic or instances) and the split's status."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from google.protobuf import field_mask_pb2
from google.protobuf.message import Message

from drift.protofield import is_repeated
from drift.sandbox.names import POOLS, SERVICES, ResourceKey
from drift.sandbox.pb import (
    COMMON_OUTPUT_ONLY,
    PoolPb,
    PoolTemplatePb,
    RevisionPb,
    ServicePb,
    SplitPb,
    SplitStatusPb,
    TemplatePb,
    TrafficPb,
    TrafficStatusPb,
)

_OUTPUT_ONLY = COMMON_OUTPUT_ONLY | {
    "latest_ready_revision",
    "latest_created_revision",
    "threat_detection_enabled",
}


@dataclass(frozen=True)
class Kind:
    """One kind of revision owner: its message and template types, the field holding its
    split (`traffic` / `instance_splits`, the same shape: type, revision, percent) and its
    status, the conditions its status reports, and whether it serves requests (URLs, tags,
    an ingress container, backends)."""

    collection: str
    message: Any
    template: Any
    split: str
    statuses: str
    target: Any
    status: Any
    conditions: tuple[str, ...]
    serves: bool
    output_only: frozenset[str]

    @cached_property  # a message type's fields never change
    def mutable(self) -> tuple[str, ...]:
        return tuple(
            f.name for f in self.message.DESCRIPTOR.fields if f.name not in self.output_only
        )

    @cached_property
    def revision_fields(self) -> tuple[str, ...]:
        """The template fields a revision carries under the same name."""
        return tuple(
            f.name
            for f in self.template.DESCRIPTOR.fields
            if f.name != "revision" and f.name in RevisionPb.DESCRIPTOR.fields_by_name
        )


SERVICE = Kind(
    collection=SERVICES,
    message=ServicePb,
    template=TemplatePb,
    split="traffic",
    statuses="traffic_statuses",
    target=TrafficPb,
    status=TrafficStatusPb,
    conditions=("ConfigurationsReady", "RoutesReady"),
    serves=True,
    output_only=_OUTPUT_ONLY | {"traffic_statuses", "uri", "urls"},
)
# WorkerPool (worker_pool.proto): no URL, `instance_splits` instead of traffic (no tags),
# WorkerPoolRevisionTemplate without scaling, timeout or concurrency.
POOL = Kind(
    collection=POOLS,
    message=PoolPb,
    template=PoolTemplatePb,
    split="instance_splits",
    statuses="instance_split_statuses",
    target=SplitPb,
    status=SplitStatusPb,
    conditions=("ConfigurationsReady",),
    serves=False,
    output_only=_OUTPUT_ONLY | {"instance_split_statuses"},
)
KINDS = {SERVICES: SERVICE, POOLS: POOL}


def kind_of(key: ResourceKey) -> Kind:
    return KINDS[key.collection]


def implied_mask(request: Message, kind: Kind) -> field_mask_pb2.FieldMask:
    """AIP-134's "implied field mask equivalent to all fields that are populated (have a
    non-empty value)" of an update sent without one: each populated scalar, list and map,
    reached through the messages that hold them (a message of google.protobuf's own — a
    Duration — is one value; a message sent present but empty holds none)."""

    def paths(message: Message, prefix: str) -> list[str]:
        out: list[str] = []
        for field, _ in message.ListFields():
            path = prefix + field.name
            if prefix == "" and field.name in kind.output_only:
                continue
            nested = field.message_type is not None and not is_repeated(field)
            if nested and not field.message_type.full_name.startswith("google.protobuf."):
                out += paths(getattr(message, field.name), path + ".")
            else:
                out.append(path)
        return out

    return field_mask_pb2.FieldMask(paths=paths(request, ""))
