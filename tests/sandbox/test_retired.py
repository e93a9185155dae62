"""Sandbox fidelity (revlro F2): a revision that stops serving says so on its Ready condition,
RevisionReason RETIRED ("Revision is Retired", condition.proto), with the Ready state option
`retired_ready` gives (not documented); routed to again, it is ready again. Scenario key
`unhealthy` fails the serving revisions' Ready condition and the terminal condition."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

from drift.sandbox import Sandbox
from tests.test_check_routing_edges import world

IMG = "us-central1-docker.pkg.dev/p/apps/"
SERVICES = {
    "api": {
        "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
        "history": [{"image": IMG + "a:1", "env": {"MODE": "good"}}],
    }
}
RETIRED = run_v2.Condition.RevisionReason.RETIRED
State = run_v2.Condition.State
PINNED = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def ready(sb: Sandbox, name: str) -> Any:
    return next(c for c in sb.revision("p", "api", name).conditions if c.type_ == "Ready")


@pytest.mark.parametrize(
    ("option", "state"),
    [("succeeded", State.CONDITION_SUCCEEDED), ("failed", State.CONDITION_FAILED)],
)
def test_a_revision_that_stops_serving_is_retired(option: str, state: State) -> None:
    with Sandbox(world(SERVICES, retired_ready=option)) as sb:
        before = sb.service("p", "api").latest_ready_revision.rsplit("/", 1)[-1]
        assert ready(sb, before).revision_reason != RETIRED  # it serves
        sb.deploy("p", "api", image=IMG + "a:3")
        old = ready(sb, before)
        svc = sb.service("p", "api")
        now = ready(sb, svc.latest_ready_revision.rsplit("/", 1)[-1])
    assert old.revision_reason == RETIRED and old.state == state
    assert now.revision_reason != RETIRED and now.state == State.CONDITION_SUCCEEDED


def test_a_retired_revision_routed_to_again_is_ready_again() -> None:
    with Sandbox(world(SERVICES, retired_ready="failed")) as sb:
        before = sb.service("p", "api").latest_ready_revision.rsplit("/", 1)[-1]
        sb.deploy("p", "api", image=IMG + "a:3")
        assert ready(sb, before).revision_reason == RETIRED
        channel = grpc.insecure_channel(sb.address)
        services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
        svc = services.get_service(name=sb.service("p", "api").name)
        del svc.traffic[:]
        svc.traffic.append(run_v2.TrafficTarget(type_=PINNED, revision=before, percent=100))
        services.update_service(service=svc).result()
        channel.close()
        back = ready(sb, before)
    assert back.revision_reason != RETIRED and back.state == State.CONDITION_SUCCEEDED


def test_scenario_unhealthy_fails_the_serving_revision_and_the_service() -> None:
    with Sandbox(world({"api": {**SERVICES["api"], "unhealthy": "health check failed"}})) as sb:
        svc = sb.service("p", "api")
        serving = ready(sb, svc.latest_ready_revision.rsplit("/", 1)[-1])
    assert svc.latest_created_revision == svc.latest_ready_revision and not svc.reconciling
    assert svc.terminal_condition.state == State.CONDITION_FAILED
    assert "health check failed" in svc.terminal_condition.message
    assert serving.state == State.CONDITION_FAILED
    assert serving.revision_reason == run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
