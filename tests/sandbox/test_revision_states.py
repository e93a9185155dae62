"""Sandbox fidelity (fixstates (b)): the RevisionReasons of a revision that stops serving, and
an update that routes traffic to a revision that is not ready -- both left open by the
documentation, so both are options and each is tested both ways.

- `unserved_reason`: RETIRED ("Revision is Retired") or RESERVE ("Revision is in Reserve
  state", condition.proto); either way the revision can be routed to again, and `drift check`
  does not call it failing.
- `not_ready_traffic`: `refused` (FAILED_PRECONDITION at once, nothing stored) or `operation`
  (the operation fails; the spec keeps the request, traffic stays where it was: the
  Service.reconciling comment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import run_v2
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

from drift.sandbox import Sandbox
from tests.test_check_not_ready import IMG, PROFILE
from tests.test_check_routing_edges import check, world

Reason = run_v2.Condition.RevisionReason
State = run_v2.Condition.State
PINNED = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def services(*, broken: bool = False) -> dict[str, Any]:
    first: dict[str, Any] = {"image": IMG + "a:1", "env": {"MODE": "good"}}
    if broken:
        first.update(ready=False, message="Container failed to start.")
    return {
        "api": {
            "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
            "history": [first],
        }
    }


def ready(sb: Sandbox, name: str) -> Any:
    return next(c for c in sb.revision("p", "api", name).conditions if c.type_ == "Ready")


def route_all_to(sb: Sandbox, name: str) -> tuple[str, Exception | None]:
    """UpdateService sending all traffic to `name`, waited on: where it failed ("request":
    UpdateService itself, "operation": its long-running operation; "" it did not) and why."""
    channel = grpc.insecure_channel(sb.address)
    services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
    svc = services.get_service(name=sb.service("p", "api").name)
    del svc.traffic[:]
    svc.traffic.append(run_v2.TrafficTarget(type_=PINNED, revision=name, percent=100))
    try:
        operation = services.update_service(service=svc)
    except exceptions.GoogleAPICallError as exc:
        return "request", exc
    else:
        try:
            operation.result()
        except exceptions.GoogleAPICallError as exc:
            return "operation", exc
        return "", None
    finally:
        channel.close()


@pytest.mark.parametrize(
    ("option", "reason"), [("RETIRED", Reason.RETIRED), ("RESERVE", Reason.RESERVE)]
)
def test_a_revision_that_stops_serving_says_the_reason_the_option_gives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, option: str, reason: int
) -> None:
    with Sandbox(world(services(), unserved_reason=option, retired_ready="failed")) as sb:
        before = sb.service("p", "api").latest_ready_revision.rsplit("/", 1)[-1]
        sb.deploy("p", "api", image=IMG + "a:3")
        old = ready(sb, before)
        assert old.revision_reason == reason and old.state == State.CONDITION_FAILED
        result = check(sb, monkeypatch, tmp_path, PROFILE)
        assert result.report.status == "clean", result.report.findings
        assert route_all_to(sb, before) == ("", None)  # a rollback: it can serve again
        back = ready(sb, before)
    assert back.revision_reason == Reason.REVISION_REASON_UNDEFINED
    assert back.state == State.CONDITION_SUCCEEDED


def test_traffic_to_a_revision_that_is_not_ready_is_refused_at_once() -> None:
    with Sandbox(world(services(broken=True), not_ready_traffic="refused")) as sb:
        names = [s.revision for s in sb.service("p", "api").traffic_statuses]
        target = _first_revision(sb)
        where, error = route_all_to(sb, target)
        assert where == "request" and isinstance(error, exceptions.FailedPrecondition)
        assert "is not ready" in str(error)
        svc = sb.service("p", "api")
    assert [t.revision for t in svc.traffic] != [target]
    assert [s.revision for s in svc.traffic_statuses] == names


def test_traffic_to_a_revision_that_is_not_ready_fails_its_operation() -> None:
    with Sandbox(world(services(broken=True), not_ready_traffic="operation")) as sb:
        names = [s.revision for s in sb.service("p", "api").traffic_statuses]
        target = _first_revision(sb)
        where, error = route_all_to(sb, target)  # accepted; its operation fails
        assert where == "operation" and "is not ready" in str(error)
        svc = sb.service("p", "api")
    assert [t.revision for t in svc.traffic] == [target]  # the spec keeps the request
    assert [s.revision for s in svc.traffic_statuses] == names  # traffic did not move
    assert svc.terminal_condition.state == State.CONDITION_FAILED
    assert not svc.reconciling


def _first_revision(sb: Sandbox) -> str:
    """The short name of `api`'s first revision (the one that never became ready)."""

    def read() -> str:
        return next(iter(sb._core.world.find_service("p", "api", None).revisions))

    return sb._run(read)


@pytest.mark.parametrize(("option", "fails"), [("refused", "request"), ("operation", "operation")])
def test_pinning_traffic_to_a_serving_revision_that_is_not_ready_fails(
    option: str, fails: str
) -> None:
    """Why `drift fix` stops on a serving revision that is not ready (fixstates (c),
    `drift.fix.base._not_ready_base`): keeping its traffic while a canary exists pins the
    traffic to it by name, which fails either way the option answers."""
    scenario = world(
        {"api": {**services()["api"], "unhealthy": "crashed"}}, not_ready_traffic=option
    )
    with Sandbox(scenario) as sb:
        serving = sb.service("p", "api").latest_ready_revision.rsplit("/", 1)[-1]
        where, error = route_all_to(sb, serving)
    assert where == fails and "is not ready" in str(error)
