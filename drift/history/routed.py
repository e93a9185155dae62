"""What a service routes to as read (`traffic`: each revision's percentage and tags), and the
revisions it routes to that its listing lacks (`not_listed`: deployed while `drift
history` read it; helper-650 F6: a tag's URL reaches its revision too)."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError
from drift.fields import enum_name
from drift.live.api import short
from drift.live.normalize import raw
from drift.profiles.model import ServiceProfile

Traffic = dict[str, tuple[int, tuple[str, ...]]]
"""revision -> (percent of the service's traffic, tags)"""


def not_listed(svc: Any, listed: list[Any] | ApiError) -> list[str]:
    """The revisions that serve `svc` (read) or that a tag of it reaches (a tag's URL does:
    helper-650 F6), and that `listed` (its revisions) lacks."""
    if svc is None or isinstance(svc, ApiError) or isinstance(listed, ApiError):
        return []
    names = {short(r.name) for r in listed}
    return [
        rev
        for rev, (percent, tags) in traffic(raw(svc)).items()
        if (percent or tags) and rev not in names
    ]


def unlisted_note(service: ServiceProfile, svc: Any, listed: list[Any] | ApiError) -> str:
    """Said when a revision that serves (or a tag reaches) is still not listed once listed
    again: the history shown does not have it (never shown as if nothing served)."""
    served = traffic(raw(svc))
    said = []
    for rev in not_listed(svc, listed):
        percent, tags = served[rev]
        said.append(f"{rev} ({''.join(f'tag {t}, ' for t in tags)}{percent} %)")
    verb = "serves" if any(served[r][0] for r in not_listed(svc, listed)) else "is reached"
    return (
        f"{service.label}: {', '.join(said)} {verb} but is not in its revision listing (it was "
        "deployed while drift read the service): what is shown is not all it routes; run "
        "`drift history` again"
    )


def traffic(svc: Any) -> Traffic:
    """What serves, from `traffic_statuses` (a raw protobuf Service; a WorkerPool's
    `instance_split_statuses`, which have no tags). A LATEST status may or may not name its
    revision (not documented either way): it is the latest ready one
    (TrafficTargetAllocationType LATEST: "the Service's latest ready Revision")."""
    served: Traffic = {}
    pool = "instance_split_statuses" in svc.DESCRIPTOR.fields_by_name
    for status in svc.instance_split_statuses if pool else svc.traffic_statuses:
        latest = enum_name(status, "type_").endswith("LATEST")
        revision = short(status.revision or (svc.latest_ready_revision if latest else ""))
        if not revision:
            continue
        percent, tags = served.get(revision, (0, ()))
        served[revision] = (
            percent + int(status.percent),
            tags + ((status.tag,) if not pool and status.tag else ()),
        )
    return served
