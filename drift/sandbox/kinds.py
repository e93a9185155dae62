"""The two kinds of Cloud Run resources that own revisions — services and worker pools — and
where each keeps its template, its split (traffic or instances) and the split's status."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

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
