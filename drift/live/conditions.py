"""Whether a settled workload, or a revision it serves, is ready: its `Ready` condition (a
revision's `conditions`, a service's or worker pool's `terminal_condition`) as Cloud Run says
it (google/cloud/run/v2/condition.proto).

- `Service.terminal_condition`: "The Condition of this Service, containing its readiness
  status, and detailed error information in case it did not reach a serving state"; a
  revision's `conditions` say the same of the revision (revision.proto).
- `Condition.severity`: "How to interpret failures of this condition, one of Error, Warning,
  Info"; a condition whose severity is unspecified is an error (Knative's error conditions,
  which the v2 `Condition.type` cites: "Error" is the default). A failed condition at Warning
  or Info does not make the resource not ready.
- `Condition.RevisionReason` names the states a revision can be in after it has served:
  HEALTH_CHECK_CONTAINER_ERROR, CUSTOMIZED_PATH_RESPONSE_PENDING, MIN_INSTANCES_NOT_PROVISIONED,
  ACTIVE_REVISION_LIMIT_REACHED, and RETIRED / RESERVE / RETIRING for a revision that stops
  serving. Which Ready *state* a retired revision has is not documented: a retired revision
  is never judged by it here (only revisions that serve are), whatever its state.

Matching `latest_created_revision` and `latest_ready_revision` only follow from a success
(Service.reconciling); they do not prove one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drift.fields import enum_name
from drift.live.normalize import raw

NOT_SERVING = frozenset({"RETIRED", "RETIRING", "RESERVE"})
"""Revision reasons of a revision that does not serve (condition.proto: "Revision is
Retired", "Revision is being retired", "Revision is in Reserve state")."""

IDLE = NOT_SERVING | {"MIN_INSTANCES_NOT_PROVISIONED"}
"""Revision reasons that say a revision takes no traffic, not that it is broken: the three
above, and MIN_INSTANCES_NOT_PROVISIONED ("A revision with min_instance_count > 0 was created
and is reserved, but it was not configured to serve traffic, so it's not live",
condition.proto) -- what a revision reached only through a tag at 0 % may say. A revision that
serves a share of traffic is judged whatever its reason."""


def failed(condition: Any) -> bool:
    """A condition that failed at severity Error (or unspecified)."""
    pb = raw(condition)
    state = enum_name(pb, "state")
    return state == "CONDITION_FAILED" and enum_name(pb, "severity") in (
        "",
        "SEVERITY_UNSPECIFIED",
        "ERROR",
    )


def failed_ready(conditions: Iterable[Any]) -> Any | None:
    """A revision's Ready condition when it failed as an error; None when it did not (or the
    revision has none)."""
    for condition in conditions:
        if raw(condition).type_ == "Ready" and failed(condition):
            return raw(condition)
    return None


def reason(condition: Any) -> str:
    """The condition's reason, whichever of `reason`, `revision_reason` and
    `execution_reason` it has (a oneof: "Depending on the condition type, it will populate one
    of these fields"); "" when none is set."""
    pb = raw(condition)
    field = pb.WhichOneof("reasons")
    if field is None:
        return ""
    name = enum_name(pb, field)
    return "" if name.endswith("_UNDEFINED") else name


def words(condition: Any) -> str:
    """`REASON: message` as the server wrote them, on one line (a server's text: the caller
    masks it like any live text)."""
    pb = raw(condition)
    message = " ".join(pb.message.split())
    why = reason(pb)
    if why and message:
        return f"{why}: {message}"
    return why or message or "no message"


def not_ready_message(svc: Any) -> str:
    """Why a service (a worker pool) is not ready: the message of its `terminal_condition`,
    else of the first of its `conditions` that did not succeed, on one line; "not ready"
    when none says."""
    for condition in (svc.terminal_condition, *svc.conditions):
        state = enum_name(condition, "state")
        if condition.message and state != "CONDITION_SUCCEEDED":
            return " ".join(condition.message.split())
    return "not ready"
