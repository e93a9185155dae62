"""The `min_instances` / `max_instances` rows: Cloud Run scales a service between a floor and a
cap set at the service level, the revision level or both, or (manual scaling) runs a fixed
number of instances, where the revision's bounds are ignored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from drift.blanks import Arg, blank, word
from drift.fields import access as a
from drift.fields.base import Field, SettingValue, Source, Stated, TerraformPath, Update, enum_name
from drift.kinds import Kind

DEFAULT_MAX_INSTANCES = 100
"""RevisionScaling.max_instance_count: "When unspecified, the field is set to the server
default value of 100"."""


def _service_scaling(source: Source) -> Any | None:
    service = source.service
    if "scaling" in service.DESCRIPTOR.fields_by_name and service.HasField("scaling"):
        return service.scaling
    return None


def _min_instances(source: Source) -> SettingValue:
    manual = manual_instances(source.service)
    if manual is not None:
        return manual_text(manual)
    # Min-instances page: minimum instances can be set "at the service level or at the revision
    # level" and Google recommends to "avoid combining" them; how both combine is not
    # documented. Both keep instances warm, so the larger floor is what the service gets.
    revision = int(source.revision.scaling.min_instance_count)
    service = _service_scaling(source)
    return max(revision, int(service.min_instance_count) if service is not None else 0)


def _max_instances(source: Source) -> SettingValue:
    manual = manual_instances(source.service)
    if manual is not None:
        return manual_text(manual)
    # Max-instances page: service-level and revision-level maximums both cap; the tighter wins.
    caps = [int(source.revision.scaling.max_instance_count)]
    service = _service_scaling(source)
    if service is not None:
        caps.append(int(service.max_instance_count))
    return min((c for c in caps if c), default=DEFAULT_MAX_INSTANCES)


SCALING_MODE: tuple[TerraformPath, ...] = (
    ("scaling", 0, "manual_instance_count"),
    ("scaling", 0, "scaling_mode"),
)
"""Where a Terraform plan holds the scaling mode and the manual count: the mode decides
whether either count applies (a service's ServiceScaling: MANUAL runs its minimum or manual
count, where drift reads min and max as "manual scaling with N instances"; a worker pool's:
AUTOMATIC has no fixed count; run v2 ServiceScaling.manual_instance_count)."""


def _scaling_bound(
    bound: Literal["min", "max"], help: str, read: Callable[[Source], SettingValue]
) -> Field:
    """The `min_instances` / `max_instances` row, written where the service sets
    `BOUND_instance_count` — on the service's own `scaling` (applied at once) if it sets it
    there, else on the template's; where both levels set it, on the level the read takes (the
    larger floor, the tighter cap), and on the other too where it would still bind, so the
    read gives what was written. gcloud has a flag for each level: the service-level
    minimum is `gcloud run services update SERVICE --min MIN-VALUE`, `--min-instances` the
    revision-level one (cloud.google.com/run/docs/configuring/min-instances, "Configure
    service-level minimum instances" / "revision-level"); the reference of `gcloud run
    services update` has `--max=MAX` beside `--max-instances=MAX_INSTANCES` likewise
    (cloud.google.com/sdk/gcloud/reference/run/services/update)."""
    count = f"{bound}_instance_count"

    def read_both(x: int, y: int) -> int:
        return max(x, y) if bound == "min" else min(x, y)

    def written_at(service: Any, value: SettingValue, held: bool = False) -> frozenset[str]:
        # The read is the larger floor / the tighter cap of both levels: write the level it
        # takes, and the other one too where it would still bind, so the read gives VALUE.
        # ServiceScaling.min_instance_count: "Minimum number of instances for the service, to
        # be divided among all revisions receiving traffic" (max: "…for this service"); a
        # service-level minimum "applies to the service as a whole" and keeps instances warm
        # whichever revisions serve (run/docs/configuring/min-instances, "Configure
        # service-level minimum instances"). proto3 reads a service level set to 0 as unset:
        # where the service held a value in a state drift read (`held`: the journal's), the
        # drift is that level's, which a revision's minimum would not repair (helper-700 F3).
        at_service = int(getattr(service.scaling, count))
        at_revision = int(getattr(service.template.scaling, count))
        wanted = int(value)
        if held and not at_service:
            if at_revision and read_both(at_revision, wanted) != wanted:
                return frozenset({"service", "revision"})
            return frozenset({"service"})
        if not (at_service and at_revision):
            return frozenset({"service" if at_service else "revision"})
        binding = "service" if read_both(at_service, at_revision) == at_service else "revision"
        other = at_revision if binding == "service" else at_service
        if read_both(other, wanted) != wanted:
            return frozenset({"service", "revision"})
        return frozenset({binding})

    def held(service: Any, shown: str) -> bool:
        if manual_instances(service) is not None:
            return True
        own = int(getattr(_pb(service).scaling, count))
        return bool(own) and str(own) == shown

    def write_levels(service: Any, value: SettingValue, levels: frozenset[str]) -> None:
        for level in levels:
            scaling = service.scaling if level == "service" else service.template.scaling
            setattr(scaling, count, int(value))

    def write(service: Any, container: Any, value: SettingValue) -> None:
        write_levels(service, value, written_at(service, value))

    def blocked_commands(
        update: Update, kind: Kind, value: SettingValue, reason: str
    ) -> tuple[str, ...]:
        # switching to automatic scaling takes both service-level bounds or neither
        # (manual-scaling page: "You must specify either both service-level minimum and
        # maximum instances, or neither of them"); gcloud's `--scaling` is `auto` or a count
        bounds: dict[str, Arg] = {
            "min": word("--min=", blank("MIN")),
            "max": word("--max=", blank("MAX")),
        }
        bounds[bound] = f"--{bound}={value}"
        return (
            update("--scaling=auto", *bounds.values()),
            update(word("--scaling=", blank("COUNT"))),
        )

    return Field(
        f"{bound}_instances",
        help,
        int,
        read=read,
        write=write,
        service_part="scaling",
        written_at=written_at,
        write_levels=write_levels,
        blocked=manual_reason,
        blocked_commands=blocked_commands,
        terraform=(("scaling", 0, count), ("template", 0, "scaling", 0, count), *SCALING_MODE),
        # a mode added after AUTOMATIC and MANUAL may ignore the bounds as MANUAL does
        unreadable=a.unnamed("the service's scaling_mode", "scaling_mode", _service_scaling),
        held_by_service=held,
        gcloud=a.flag(f"{bound}-instances"),
        service_gcloud=a.flag(bound),
        # a maximum of 0 is proto3's unset, which RevisionScaling.max_instance_count says "is
        # set to the server default value of 100": a profile's cap is at least 1
        minimum=1 if bound == "max" else 0,
        numbers_at=(("workload", f"scaling.{count}"), ("template", f"scaling.{count}")),
    )


def _pb(message: Any) -> Any:
    """The raw protobuf message of a proto-plus one (a raw one as it is)."""
    return type(message).pb(message) if hasattr(type(message), "pb") else message


def manual_instances(service: Any) -> int | None:
    """The instance count of a service Cloud Run scales manually (None: automatically; raw or
    proto-plus message). ServiceScaling.scaling_mode MANUAL: "Scale to exactly min instances
    and ignore max instances"; manual_instance_count: "total instance count for the service
    in manual scaling mode" — that count where it is set, else the minimum."""
    pb = _pb(service)
    if "scaling" not in pb.DESCRIPTOR.fields_by_name or not pb.HasField("scaling"):
        return None
    scaling = pb.scaling
    if enum_name(scaling, "scaling_mode") != "MANUAL":
        return None
    if scaling.HasField("manual_instance_count"):
        return int(scaling.manual_instance_count)
    return int(scaling.min_instance_count)


def manual_text(count: int) -> str:
    """What min/max instances read as where the service scales manually: neither applies."""
    return f"manual scaling with {count} instance{'' if count == 1 else 's'}"


def manual_reason(service: Any) -> str:
    """Why no patch sets min/max instances of a manually scaled service ("" when one can):
    manual-scaling page, "If you set your service to manual scaling, any revision-level
    minimum and maximum instance settings are ignored", and switching to manual unsets the
    service-level ones."""
    count = manual_instances(service)
    if count is None:
        return ""
    return (
        f"the service runs {manual_text(count)}: Cloud Run ignores minimum and maximum "
        "instances; switch it to automatic scaling with the profile's bounds, or change "
        "the profile"
    )


def crossed_bounds(service: str, stated: Stated) -> list[tuple[str, str]]:
    """A floor a profile states above the cap it states: no service scales at least `min`
    and at most `max` instances, at either level (the read is the larger floor and the
    tighter cap: `_min_instances`, `_max_instances`), so no live state meets both and a fix
    would write a contradiction. A bound read as manual scaling (`manual_text`) is not a
    number: the manual row judges it (`manual_conflicts`)."""
    if "min_instances" not in stated or "max_instances" not in stated:
        return []
    (low, _), (high, high_at) = stated["min_instances"], stated["max_instances"]
    if not (isinstance(low, int) and isinstance(high, int)) or low <= high:
        return []
    return [
        (
            "min_instances",
            f"{service}: min_instances {low} is above max_instances {high} ({high_at}): no "
            f"service runs at least {low} and at most {high} instances; state min_instances at "
            "most max_instances",
        )
    ]


SCALING_FIELDS = (
    replace(
        _scaling_bound(
            "min",
            "Minimum number of instances (the service-level minimum counts).",
            _min_instances,
        ),
        conflicts=crossed_bounds,
    ),
    _scaling_bound(
        "max",
        "Maximum number of instances (the service-level maximum counts); 100 when unset.",
        _max_instances,
    ),
)
