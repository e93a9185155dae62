"""The request-wide limits the API checks before accepting a write of a service or a worker
pool (INVALID_ARGUMENT): a service's request timeout, and the instance counts at either level."""

from __future__ import annotations

from typing import Any

from drift.sandbox.names import invalid

MAX_TIMEOUT_S = 3600
""""The timeout is set by default to 5 minutes (300 seconds) and can be extended up to 60
minutes (3600 seconds)" (cloud.google.com/run/docs/configuring/request-timeout)."""


def validate_request_limits(owner: Any) -> None:
    """A timeout over an hour (a service's; a worker pool's template has none); a negative
    instance count, or a floor above its cap, in the template's scaling (RevisionScaling) or
    the resource's own (ServiceScaling, WorkerPoolScaling). How Google words the last two is
    not documented: refused, as a floor above a cap and a count below zero mean nothing."""
    template = owner.template
    timeout = template.timeout if "timeout" in template.DESCRIPTOR.fields_by_name else None
    if timeout is not None and timeout.seconds + (timeout.nanos > 0) > MAX_TIMEOUT_S:
        raise invalid(
            f"spec.template.timeout: must be at most {MAX_TIMEOUT_S} seconds (60 minutes)."
        )
    for where, holder in (("spec.template.scaling", template), ("spec.scaling", owner)):
        if "scaling" not in holder.DESCRIPTOR.fields_by_name:
            continue
        scaling = holder.scaling
        for field in scaling.DESCRIPTOR.fields:
            if field.name.endswith("instance_count") and getattr(scaling, field.name) < 0:
                raise invalid(f"{where}.{field.name}: must not be negative.")
        fields = scaling.DESCRIPTOR.fields_by_name
        if "min_instance_count" in fields and "max_instance_count" in fields:
            low, high = scaling.min_instance_count, scaling.max_instance_count
            if high and low > high:
                raise invalid(f"{where}: min_instance_count exceeds max_instance_count.")
