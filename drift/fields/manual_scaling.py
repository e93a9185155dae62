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
from drift.fields.base import SERVICES, Field, PlannedSetting, SettingValue, Source
from drift.fields.scaling import SCALING_MODE, manual_instances
from drift.yamlfile import wrong_type

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
    if isinstance(value, bool) or not isinstance(value, int):  # `'2'`: text, as to the schema
        raise ValueError(wrong_type("a number of instances (0 or more) or auto", int, value))
    count = value
    if count < 0:
        # gcloud's ScalingValue refuses only `instance_count < 0` (command_lib/run/flags.py:
        # "should be a positive integer or 'auto'"): 0 is a value, a service manually at 0
        # runs no instance (`gcloud beta run services update --scaling=0` parses), and
        # ServiceScaling.manual_instance_count states no minimum
        raise ValueError("a manually scaled service runs 0 or more instances (or say auto)")
    return count


INHERITED = (
    "Cloud Run gives the service-level minimum and maximum instances the manual count {count} "
    'when a switch to automatic scaling names neither (manual-scaling page: they "inherit '
    'the manual instance count"): the service keeps running {count} instances; state '
    "min_instances and max_instances to scale between other bounds"
)
"""https://cloud.google.com/run/docs/configuring/services/manual-scaling, "Switching between
automatic and manual scaling"."""


def inherited(scaling: Any) -> int | None:
    """The count a switch of this (run_v2) ServiceScaling to automatic leaves as both
    service-level bounds: its manual count, when it scales manually and neither bound is set
    (the API's 0 is unset); None otherwise."""
    mode = a.run_v2().ServiceScaling.ScalingMode
    if scaling.scaling_mode != mode.MANUAL:
        return None
    if scaling.min_instance_count or scaling.max_instance_count:
        return None
    # a count of 0 passes on nothing: 0 is the API's unset bound (max unset: the default
    # maximum), so the service scales from 0 to the default, not "keeps running 0"
    return int(scaling.manual_instance_count) or None


def switch_note(c: PlannedSetting) -> str:
    """What a plan says of a switch from a manual count to `auto` beside no bound."""
    if (
        c.after != AUTO
        or not isinstance(c.before, int)
        or c.changed & {"min_instances", "max_instances"}
    ):
        return ""
    if not c.before:  # `inherited`: 0 is no bound
        return ""
    return INHERITED.format(count=c.before)


def _write(service: Any, container: Any, value: SettingValue) -> None:
    """As gcloud's `--scaling` (flags.py _GetServiceScalingChanges): a count sets MANUAL and
    the count and takes the service-level minimum and maximum away; `auto` sets AUTOMATIC and
    takes the count away. From manual with neither service-level bound set, both become the
    count it ran at, as Cloud Run makes them (`inherited`): written so, what is sent is what
    the service holds (revown46 R3)."""
    mode = a.run_v2().ServiceScaling.ScalingMode
    scaling = service.scaling
    if value == AUTO:
        count = inherited(scaling)
        scaling.scaling_mode = mode.AUTOMATIC
        scaling.manual_instance_count = None
        if count is not None:
            scaling.min_instance_count = scaling.max_instance_count = count
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
        ga_since="533",  # --scaling in GA services update from 533.0.0
        parse=_parse,
        conflicts=manual_conflicts,
        plan_note=switch_note,
        examples=(2, AUTO),
        numbers_at=(("workload", "scaling.manual_instance_count"),),
    ),
)
