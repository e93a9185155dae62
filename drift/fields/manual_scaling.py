"""The `manual_instances` row: a service Cloud Run scales manually runs a fixed number of
instances (Service.scaling, ServiceScaling.scaling_mode MANUAL and manual_instance_count,
google/cloud/run/v2 service.proto), else it scales automatically (`auto`). The service holds
it, not a revision: a patch applies it at once and a rollback puts `scaling` back.

How it meets `min_instances` / `max_instances` (drift/fields/scaling.py): in manual mode Cloud
Run ignores both (manual-scaling page: "any revision-level minimum and maximum instance
settings are ignored"; ServiceScaling.scaling_mode MANUAL: "Scale to exactly min instances and
ignore max instances"), and those rows read "manual scaling with N instances". A profile
stating a count here and a bound there states what cannot both be true: it is refused at the
bound's `file:line` (`manual_conflicts`). `manual_instances: auto` goes with bounds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from drift.fields import access as a
from drift.fields.base import SERVICES, Field, SettingValue, Source
from drift.fields.scaling import SCALING_MODE, manual_instances

AUTO = "auto"


def _read(source: Source) -> SettingValue:
    count = manual_instances(source.service)
    return AUTO if count is None else count


def _scaling(source: Source) -> Any | None:
    service = source.service
    if "scaling" in service.DESCRIPTOR.fields_by_name and service.HasField("scaling"):
        return service.scaling
    return None


def _parse(value: Any) -> SettingValue:
    if isinstance(value, str) and value.strip() == AUTO:
        return AUTO
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a number of instances (at least 1) or auto")
    try:
        count = int(value)
    except ValueError:
        raise ValueError("expected a number of instances (at least 1) or auto") from None
    if count < 1:
        # gcloud's ScalingValue: "should be a positive integer"
        raise ValueError("a manually scaled service runs at least 1 instance (or say auto)")
    return count


def _write(service: Any, container: Any, value: SettingValue) -> None:
    """As gcloud's `--scaling` (flags.py _GetServiceScalingChanges): a count sets MANUAL and
    the count and takes the service-level minimum and maximum away; `auto` sets AUTOMATIC and
    takes the count away."""
    mode = a.run_v2().ServiceScaling.ScalingMode
    scaling = service.scaling
    if value == AUTO:
        scaling.scaling_mode = mode.AUTOMATIC
        scaling.manual_instance_count = None
        return
    scaling.scaling_mode = mode.MANUAL
    scaling.manual_instance_count = int(value)
    scaling.min_instance_count = 0
    scaling.max_instance_count = 0


def manual_conflicts(
    service: str, settings: Mapping[str, tuple[SettingValue, str]]
) -> list[tuple[str, str]]:
    """A bound a profile states beside a manual instance count (setting, message) each:
    Cloud Run ignores it in manual mode. `settings`: each value stated with its file:line."""
    if "manual_instances" not in settings:
        return []
    count, where = settings["manual_instances"]
    if count == AUTO:
        return []
    return [
        (
            bound,
            f"{service}: {bound} with manual_instances {count} ({where}): a manually scaled "
            "service ignores minimum and maximum instances; state one or the other "
            "(manual_instances: auto with bounds)",
        )
        for bound in ("min_instances", "max_instances")
        if bound in settings
    ]


MANUAL_FIELDS: tuple[Field, ...] = (
    Field(
        "manual_instances",
        "Manual scaling: the fixed number of instances the service runs, or auto (automatic "
        "scaling between min_instances and max_instances).",
        int | Literal["auto"],
        level="service",
        terraform=SCALING_MODE,
        read=_read,
        unreadable=a.unnamed("the service's scaling_mode", "scaling_mode", _scaling),
        write=_write,
        service_part="scaling",
        # `gcloud beta run services update --scaling=N|auto`; GA gcloud (528) has no
        # --scaling ("available in one or more alternate release tracks"): the GA script
        # leaves it to drift fix
        gcloud=lambda v: f"--scaling={v}",
        flagless=SERVICES,
        parse=_parse,
        conflicts=manual_conflicts,
        examples=("2", AUTO),
    ),
)
