"""Whether a new revision's instances start: the ingress container's startup probe, tried against
what the revision's backend serves (option `startup_probes: served`). The backend
(`drift.sandbox.backend`) listens on the container's port and answers an HTTP GET on
`HEALTH_PATHS` with 200 and any other path with 404 (on an h2c port, as option
`http_probe_h2c` says); it speaks no gRPC.

"Any response between 200 and 400 is a success, everything else indicates failure"; "If a
startup probe does not succeed within the specified time … Cloud Run shuts down the container"
(cloud.google.com/run/docs/configuring/healthchecks): the revision never becomes ready, its
Ready condition failed with RevisionReason HEALTH_CHECK_CONTAINER_ERROR ("There was a health
check error", condition.proto). The message is the one users quote for the default probe
("Default STARTUP TCP probe failed 1 time consecutively for container "worker" on port 8080.
The instance was not started."); a custom HTTP, TCP or gRPC probe's is said in the same form,
which no public document quotes whole. A sidecar's probes are stored, never tried (the sandbox
runs no sidecar process)."""

from __future__ import annotations

from typing import Any

from drift.sandbox.backend import HEALTH_PATHS
from drift.sandbox.kinds import Kind
from drift.sandbox.registry import Problem
from drift.sandbox.revisions import ingress_container
from drift.sandbox.server_defaults import PORT, PROBE_S
from drift.sandbox.state import World

_KINDS = {"http_get": "HTTP", "tcp_socket": "TCP", "grpc": "GRPC"}


def startup_problem(world: World, kind: Kind, template: Any) -> Problem | None:
    """Why the instances of a new revision of this template never start: a service's ingress
    container's startup probe fails against the backend (which serves services only), or
    None."""
    if world.options.startup_probes != "served" or not kind.serves or not template.containers:
        return None
    container = ingress_container(template)
    if not container.HasField("startup_probe"):
        return None
    probe = container.startup_probe
    which = probe.WhichOneof("probe_type")
    if which is None:
        return None
    action = getattr(probe, which)
    served = container.ports[0].container_port if container.ports else 0
    served = served or PORT
    port = action.port or served
    path = (action.path or "/") if which == "http_get" else ""
    if port == served and which == "tcp_socket":
        return None
    # "your service must use HTTP/1 (the Cloud Run default), not HTTP/2" (healthchecks page,
    # "Configure an HTTP startup probe"): an h2c port's app answers HTTP/1 or not, as the
    # option `http_probe_h2c` says (not documented)
    h2c = len(container.ports) > 0 and container.ports[0].name == "h2c"
    speaks = not h2c or world.options.http_probe_h2c == "passes"
    if port == served and which == "http_get" and speaks and path.split("?")[0] in HEALTH_PATHS:
        return None
    default = which == "tcp_socket" and probe.timeout_seconds == probe.period_seconds == PROBE_S
    times = probe.failure_threshold or 3  # Probe.failure_threshold "Defaults to 3"
    where = f'on path "{path}"' if path else f"on port {port}"
    said = (
        f"{'Default ' if default else ''}STARTUP {_KINDS[which]} probe failed {times} "
        f'time{"s" if times != 1 else ""} consecutively for container "{container.name}" '
        f"{where}. The instance was not started."
    )
    return Problem(said, 0)  # no CommonReason: a container's (revisions.set_ready)


def kept_warm(service: Any, revision: Any, percent: int) -> bool:
    """Whether min instances keep an instance of `revision` running (option `cold_start_ms`),
    `percent` its share of the traffic (0: reached only through a tag).
    - Automatic scaling: its own `scaling.min_instance_count` (RevisionScaling), or the
      service's minimum, which "is divided among all revisions with specified traffic based on
      the percent of traffic they are receiving" (ServiceScaling, google/cloud/run/v2/
      vendor_settings.proto): "Tagged revisions are started, but only count toward the
      service-level minimum instances if they are a part of a traffic split"
      (cloud.google.com/run/docs/configuring/min-instances).
    - Manual scaling (`scaling_mode` MANUAL): "any revision-level minimum and maximum instance
      settings are ignored"; "each revision is allocated instances proportionally, based on
      traffic split" of the manual instance count, but a revision active only through tags
      with a revision-level minimum has those instances started
      (cloud.google.com/run/docs/configuring/services/manual-scaling). The count is
      `manual_instance_count`, else the minimum (ScalingMode MANUAL: "Scale to exactly min
      instances").
    A share of the service's count keeps one warm wherever it is above 0 (how Cloud Run rounds
    a share below one instance is not documented). A count of 0 leaves a revision with traffic
    none, and none starts (`scaled_to_zero`)."""
    own: bool = revision.scaling.min_instance_count > 0
    scaling = service.scaling
    if not _manual(scaling):
        return own or (percent > 0 and int(scaling.min_instance_count) > 0)
    if percent <= 0:
        return own
    manual = scaling.HasField("manual_instance_count")
    count: int = scaling.manual_instance_count if manual else scaling.min_instance_count
    return count > 0


def scaled_to_zero(service: Any, revision: Any, percent: int, tags: str) -> bool:
    """Whether manual scaling leaves `revision`, with `percent` of the service's traffic (0:
    reached only through a tag), no instance, so that every request to it gets the error of a
    disabled revision (`NoInstance`): "If the number of revisions receiving traffic exceeds the
    manual instance count, some of the revisions will have no instances. Traffic sent to those
    revisions will get the same error as if the revisions were disabled"
    (cloud.google.com/run/docs/configuring/services/manual-scaling). Modelled for a count of 0,
    which leaves every revision with traffic none (which of several a count of 1 leaves none
    is not documented). A tag-only revision with its own minimum always has it: "If a revision
    is active only due to traffic tags: If revision-level minimum instances is set, the
    specified number of instances will start but does not count toward the total service
    manual instance count" (same page: whatever the count, 0 too; `kept_warm`); one without, as
    option `manual_zero_tags` says (`tags`: the page does not say whether a count of 0 leaves it
    the instance it otherwise gets for its tag URL)."""
    scaling = service.scaling
    if not _manual(scaling):
        return False
    if percent <= 0 and revision.scaling.min_instance_count > 0:
        return False
    manual = scaling.HasField("manual_instance_count")
    count: int = scaling.manual_instance_count if manual else scaling.min_instance_count
    return count == 0 and (percent > 0 or tags == "refused")


def _manual(scaling: Any) -> bool:
    """Whether a service's scaling (ServiceScaling) is MANUAL (a worker pool's scaling, which
    serves nothing, has no mode)."""
    field = scaling.DESCRIPTOR.fields_by_name.get("scaling_mode")
    return (
        field is not None
        and scaling.scaling_mode == field.enum_type.values_by_name["MANUAL"].number
    )
