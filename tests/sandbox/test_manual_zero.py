"""A service manually scaled to 0 instances: "If the number of revisions receiving traffic
exceeds the manual instance count, some of the revisions will have no instances. Traffic sent
to those revisions will get the same error as if the revisions were disabled"
(cloud.google.com/run/docs/configuring/services/manual-scaling). Every request to a revision
with traffic, the WebSocket upgrade included, gets an HTTP status (`no_instance_status`: the
page names none) — through the service URL and through a tag of such a revision. A revision
reached only through a tag is served or refused as option `manual_zero_tags` says (the page's
tag-only rule does not say whether a count of 0 leaves it one). A manual count applies
"without requiring redeployment": set to 0 later, the running revision is refused; set above
0 again, it serves."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from drift.sandbox.startup import scaled_to_zero
from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.helpers import REGION, probe

LAB = "lab-manual-zero"
MANUAL = run_v2.ServiceScaling.ScalingMode.MANUAL


def world(count: int, **options: Any) -> dict[str, Any]:
    """`app` manually scaled to `count` instances, its latest revision serving (tag `now`) and
    an older one reached only through the tag `old`."""
    app = {
        "template": {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080},
        "api": {"scaling": {"scalingMode": "MANUAL", "manualInstanceCount": count}},
        "history": [{}],
        "traffic": [
            {"latest": True, "percent": 100, "tag": "now"},
            {"revision": 1, "tag": "old"},
        ],
    }
    return {
        "options": {"seed": 5, **options},
        "projects": {LAB: {"number": 555000111888, "region": REGION, "services": {"app": app}}},
    }


def statuses(sandbox: Sandbox) -> dict[str, int]:
    """The handshake's HTTP status at the service URL and at each tag's."""
    app = sandbox.service(LAB, "app")
    urls = {"service": app.uri, **{s.tag: s.uri for s in app.traffic_statuses if s.tag}}
    return {where: probe(url).status for where, url in urls.items()}


@pytest.mark.parametrize("status", [503, 429])
@pytest.mark.parametrize("tags", ["served", "refused"])
def test_a_service_manually_at_0_answers_its_revisions_with_traffic_with_an_error(
    make_sandbox: MakeSandbox, status: int, tags: str
) -> None:
    """Before, the first request started an instance (a cold start) and the app answered."""
    sandbox = make_sandbox(world(0, no_instance_status=status, manual_zero_tags=tags))
    old = 101 if tags == "served" else status
    assert statuses(sandbox) == {"service": status, "now": status, "old": old}


def test_a_count_above_0_serves(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(world(1, manual_zero_tags="refused"))
    assert statuses(sandbox) == {"service": 101, "now": 101, "old": 101}


def test_a_count_set_later_applies_to_the_running_revisions(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    """No new revision: 0 refuses what ran, 2 serves it again."""
    sandbox = make_sandbox(world(1))
    clients = clients_for(sandbox)
    name = f"projects/{LAB}/locations/{REGION}/services/app"
    for count, seen in ((0, 503), (2, 101)):
        app = clients.services.get_service(name=name)
        before = app.latest_ready_revision
        app.scaling.manual_instance_count = count
        after = clients.services.update_service(service=app).result(timeout=10)
        assert after.latest_ready_revision == before  # no new revision
        assert statuses(sandbox) == {"service": seen, "now": seen, "old": 101}


def test_a_tag_only_revision_with_its_own_minimum_is_started_at_0(
    make_sandbox: MakeSandbox,
) -> None:
    """ "If revision-level minimum instances is set, the specified number of instances will
    start but does not count toward the total service manual instance count" (manual-scaling
    page, of a revision active only due to traffic tags): at 0 too, whatever
    `manual_zero_tags` says of one without (before, helper-792 F6: refused). A canary copies
    the serving revision's own minimum. With traffic, its minimum is "disabled": refused."""
    w = world(0, manual_zero_tags="refused")
    w["projects"][LAB]["services"]["app"]["history"] = [{"min_instances": 1}]
    sandbox = make_sandbox(w)
    (old,) = [s.revision for s in sandbox.service(LAB, "app").traffic_statuses if s.tag == "old"]
    assert sandbox.revision(LAB, "app", old).scaling.min_instance_count == 1
    assert statuses(sandbox) == {"service": 503, "now": 503, "old": 101}


@pytest.mark.parametrize(
    ("scaling", "percent", "tags", "own", "off"),
    [
        ({"scaling_mode": MANUAL, "manual_instance_count": 0}, 100, "served", 0, True),
        ({"scaling_mode": MANUAL, "manual_instance_count": 0}, 0, "served", 0, False),
        ({"scaling_mode": MANUAL, "manual_instance_count": 0}, 0, "refused", 0, True),
        ({"scaling_mode": MANUAL, "manual_instance_count": 0}, 0, "refused", 1, False),
        ({"scaling_mode": MANUAL, "manual_instance_count": 0}, 100, "served", 1, True),
        ({"scaling_mode": MANUAL}, 50, "served", 0, True),  # no count: "exactly min", 0
        ({"scaling_mode": MANUAL, "manual_instance_count": 1}, 100, "refused", 0, False),
        ({"manual_instance_count": 0}, 100, "refused", 0, False),  # automatic scaling
    ],
)
def test_what_manual_scaling_leaves_no_instance(
    scaling: dict[str, Any], percent: int, tags: str, own: int, off: bool
) -> None:
    """`own`: the revision's own minimum (RevisionScaling.min_instance_count)."""
    service = run_v2.Service.pb(run_v2.Service(scaling=run_v2.ServiceScaling(**scaling)))
    scales = run_v2.RevisionScaling(min_instance_count=own)
    revision = run_v2.Revision.pb(run_v2.Revision(scaling=scales))
    assert scaled_to_zero(service, revision, percent, tags) is off
