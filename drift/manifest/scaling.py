"""A worker pool a manifest puts on automatic (CPU) scaling has no fixed instance count, and
drift cannot hold its scaling mode: the profile's `instance_count` is then not verified, never
compared with a default of one manual instance (SPEC invariant 6).

Sources:
- Cloud Run docs, run/docs/configuring/workerpools/cpu-autoscaling: a worker pool scales on
  CPU between a minimum and a maximum number of instances once CPU autoscaling is enabled;
  "When you deploy a worker pool without enabling CPU autoscaling, Cloud Run uses manual
  scaling with 1 instance by default."
- The Terraform provider's `google_cloud_run_v2_worker_pool` `scaling` block
  (`CloudRunV2WorkerPoolScaling`, provider 6.49): `scaling_mode` "The scaling mode for the
  worker pool. It defaults to MANUAL. Possible values: ["AUTOMATIC", "MANUAL"]",
  `min_instance_count`, `max_instance_count`, `manual_instance_count`.
- The v2 REST reference of `projects.locations.workerPools` lists `ScalingMode` under
  `WorkerPoolScaling`; the installed google-cloud-run's `WorkerPoolScaling` has only
  `manual_instance_count`, so reading the manifest into it drops the mode and the bounds
  (`drift.manifest.proto.fill` skips fields the message lacks; `pool_in` pops the
  annotation): what is dropped is kept here as an `Unknown` instead."""

from __future__ import annotations

from typing import Any

from drift.fix.knative import keys
from drift.manifest.model import Unknown
from drift.redact import MASK

TARGET = "setting.instance_count"
_HELD = (
    "drift compares instance_count with a manual instance count only (the installed Cloud Run "
    "client's WorkerPoolScaling holds manual_instance_count alone)"
)


def _why(setting: str, bounds: list[str]) -> str:
    limits = f" ({', '.join(bounds)})" if bounds else ""
    return (
        f"{setting}: the worker pool scales automatically{limits}, with no fixed instance "
        f"count; {_HELD}"
    )


_SETTINGS = {"min_instance_count": "min_instances", "max_instance_count": "max_instances"}
"""Each bound of a worker pool's `scaling` block, and the setting it is (`unknowns.SETTINGS`)."""


def terraform_pool(
    after: dict[str, Any], file: str, path: str, hidden: frozenset[str] = frozenset()
) -> list[Unknown]:
    """`scaling { scaling_mode = "AUTOMATIC" }` of a `google_cloud_run_v2_worker_pool`
    (`path`: the JSON path of its `after` in the plan), its bounds said where they are not
    `hidden` (the settings `after_sensitive` marks: `***`, helper-778 F4)."""
    blocks = after.get("scaling")
    block = blocks[0] if isinstance(blocks, list) and blocks else None
    if not isinstance(block, dict) or block.get("scaling_mode") != "AUTOMATIC":
        return []
    bounds = [
        f"{name} = {MASK if setting in hidden else block[name]}"
        for name, setting in _SETTINGS.items()
        if block.get(name) is not None
    ]
    setting = f"{file}: {path}.scaling[0].scaling_mode = AUTOMATIC"
    return [Unknown(TARGET, _why(setting, bounds))]


_BOUNDS = (keys.SERVICE_MIN_SCALE, keys.MIN_SCALE, keys.SERVICE_MAX_SCALE, keys.MAX_SCALE)


def knative_pool(annotations: dict[str, Any], where: str) -> list[Unknown]:
    """`run.googleapis.com/scalingMode: automatic` on a Knative WorkerPool (`where`:
    `file:line` of that annotation), with its min/max scale annotations if any."""
    mode = annotations.get(keys.SCALING_MODE)
    if mode != keys.SCALING_MODES["AUTOMATIC"]:
        return []
    bounds = [f"{k}: {annotations[k]}" for k in _BOUNDS if annotations.get(k) is not None]
    return [Unknown(TARGET, _why(f"{where}: {keys.SCALING_MODE}: {mode}", bounds))]
