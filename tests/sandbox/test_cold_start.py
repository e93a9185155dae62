"""Option `cold_start_ms`: a revision with no instance running takes that long to answer the
first request, which starts one ("When a revision does not receive any traffic, by default it is
scaled in to zero instances"; "Scaling from zero can only be triggered by a request",
cloud.google.com/run/docs/about-instance-autoscaling). A seeded revision has none unless min
instances keep one warm (cloud.google.com/run/docs/configuring/min-instances); a deploy's
revision has one."""

from __future__ import annotations

import asyncio

import pytest
from google.cloud import run_v2
from websockets.asyncio.client import connect

from drift.sandbox import Sandbox
from drift.sandbox.startup import kept_warm
from tests.conftest import ClientsFor
from tests.sandbox.helpers import PROJECT, cold_start, service_name


def answers_within(url: str, seconds: float) -> bool:
    """Whether the WebSocket handshake at `url` (web's path: no checks) is answered in time."""

    async def attempt() -> bool:
        try:
            async with connect(url.replace("http://", "ws://", 1) + "/ws", open_timeout=seconds):
                return True
        except TimeoutError:
            return False

    return asyncio.run(attempt())


def test_an_idle_revision_answers_its_first_handshake_only_once_an_instance_started(
    reseedable: Sandbox,
) -> None:
    """web, seeded with no min instances, leaves the first handshake unanswered for 1.5 s (the
    client gives up after 0.5 s); the instance that request started then answers the next
    one, which waits for it."""
    cold_start(reseedable, 1500)
    web = reseedable.service(PROJECT, "web").uri
    assert not answers_within(web, 0.5)
    assert answers_within(web, 5)
    assert answers_within(web, 0.5)  # running now


def test_min_instances_keep_an_instance_running(reseedable: Sandbox) -> None:
    """api is seeded with one min instance (the default scenario): no cold start; with none,
    the same revision starts cold."""
    cold_start(reseedable, 1500)
    assert answers_within(reseedable.service(PROJECT, "api").uri, 0.5)
    cold_start(reseedable, 1500, idle=("api",))
    assert not answers_within(reseedable.service(PROJECT, "api").uri, 0.5)


def test_a_deployed_revision_has_an_instance_running(
    reseedable: Sandbox, clients_for: ClientsFor
) -> None:
    """A revision a deploy made started an instance (it became ready): its first handshake is
    answered at once."""
    cold_start(reseedable, 1500)
    clients = clients_for(reseedable)
    web = clients.services.get_service(name=service_name("web"))
    web.template.labels["deployed"] = "now"
    after = clients.services.update_service(service=web).result(timeout=10)
    assert answers_within(after.uri, 0.5)


def test_no_cold_start_at_0(reseedable: Sandbox) -> None:
    """0 (the default): every revision has an instance running, as before the option."""
    cold_start(reseedable, 0)
    assert answers_within(reseedable.service(PROJECT, "web").uri, 0.5)


MANUAL = run_v2.ServiceScaling.ScalingMode.MANUAL


def _scaled_later(sandbox: Sandbox, clients_for: ClientsFor, **scaling: int) -> str:
    """web (seeded with no min instances: no instance running) with its service-level
    `scaling` changed by an UpdateService that makes no new revision; its URL."""
    cold_start(sandbox, 1500)
    clients = clients_for(sandbox)
    web = clients.services.get_service(name=service_name("web"))
    before = web.latest_ready_revision
    for field, value in scaling.items():
        setattr(web.scaling, field, value)
    after = clients.services.update_service(service=web).result(timeout=10)
    assert after.latest_ready_revision == before  # no new revision
    return str(after.uri)


def test_a_service_level_minimum_set_later_starts_an_instance(
    reseedable: Sandbox, clients_for: ClientsFor
) -> None:
    """helper-771 S1: "If you apply this feature at the service-level, the setting goes into
    effect without needing to deploy a new revision" (run/docs/configuring/min-instances):
    the serving revision, idle, has an instance running once the write settled."""
    assert answers_within(_scaled_later(reseedable, clients_for, min_instance_count=1), 0.5)


def test_manual_scaling_set_later_starts_an_instance(
    reseedable: Sandbox, clients_for: ClientsFor
) -> None:
    """Manual scaling sets "a specific instance count … without requiring redeployment"
    (run/docs/configuring/services/manual-scaling): the serving revision's share of it runs."""
    url = _scaled_later(reseedable, clients_for, scaling_mode=MANUAL, manual_instance_count=1)
    assert answers_within(url, 0.5)


@pytest.mark.parametrize(
    ("scaling", "own", "percent", "warm"),
    [
        ({"min_instance_count": 1}, 0, 100, True),
        ({"min_instance_count": 1}, 0, 0, False),  # a tag's revision has no share of it
        ({"scaling_mode": MANUAL, "manual_instance_count": 1}, 0, 100, True),
        ({"scaling_mode": MANUAL, "min_instance_count": 1}, 0, 100, True),  # "exactly min"
        # "For all revisions receiving traffic in a traffic split, any revision-level minimum
        # and maximum instances are disabled"; "If a revision is active only due to traffic
        # tags: If revision-level minimum instances is set, the specified number of instances
        # will start" (run/docs/configuring/services/manual-scaling)
        ({"scaling_mode": MANUAL, "manual_instance_count": 0}, 1, 100, False),
        ({"scaling_mode": MANUAL, "manual_instance_count": 1}, 1, 0, True),
        ({"scaling_mode": MANUAL, "manual_instance_count": 1}, 0, 0, False),
        ({"manual_instance_count": 1}, 0, 100, False),  # a manual count, automatic scaling
    ],
)
def test_what_min_instances_keep_warm(
    scaling: dict[str, int], own: int, percent: int, warm: bool
) -> None:
    service = run_v2.Service(scaling=run_v2.ServiceScaling(**scaling))
    revision = run_v2.Revision(scaling=run_v2.RevisionScaling(min_instance_count=own))
    assert kept_warm(run_v2.Service.pb(service), run_v2.Revision.pb(revision), percent) is warm
