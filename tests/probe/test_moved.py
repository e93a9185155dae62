"""The read again after the probes (drift/probe/moved.py): a probe is credited to the revision
read before it only when nothing moved meanwhile — not the revisions that serve, not the tags
probed, not the service's generation — and the service could be read again (revown22)."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

import drift.probe.live as live_probe
from drift.probe.moved import answering
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO
from tests.probe.test_live import (  # noqa: F401
    E2E_FIXED,
    PROJECT,
    SECRETS,
    env,
    probe_only,
    split_blue_green,
)

REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def test_a_deploy_rolled_back_while_probing_is_not_credited_to_the_revision_read(
    sandbox: Sandbox,
    env: dict[str, str],  # noqa: F811
    clients: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """revown22 F1: a CI deploy lands after drift read api (revision A, which closes 1011),
    the probe handshakes with the new revision B (ok), then traffic goes back to A
    (`gcloud run services update-traffic --to-revisions A=100`). A serves before and after,
    but the generation moved (Service.generation: "A number that monotonically increases
    every time the user modifies the desired state", google/cloud/run/v2/service.proto): which
    revision answered is not known, so the probe is unverified (exit 3), never B's `ok`
    credited to A."""
    old = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    real = live_probe.probe_all

    async def deploy_probe_rollback(*args: Any, **kw: Any) -> Any:
        for name, value in E2E_FIXED.items():
            secret = None if value else SECRETS[name]
            sandbox.set_env(PROJECT, "api", name, value, secret=secret)
        results = await real(*args, **kw)
        service = sandbox.service(PROJECT, "api")
        service.traffic = [run_v2.TrafficTarget(type_=REVISION, revision=old, percent=100)]
        clients.services.update_service(service=service).result(timeout=30)
        return results

    monkeypatch.setattr(live_probe, "probe_all", deploy_probe_rollback)
    report = probe_only("e2e", env)
    credited = [(p.revision, p.outcome.value) for p in report.probes]
    assert not credited, (old, credited, report.exit_code)
    assert report.exit_code == 3
    (item,) = [u for u in report.unverified if u.target == "probe"]
    assert "a deploy landed while it was probed" in item.reason, item.reason
    assert f"{old} serves as before" in item.reason and item.reason.count("run again") == 1


def _svc(traffic: list[tuple[str, int, str]]) -> Any:
    """A raw Service whose traffic_statuses are `traffic` ((revision, percent, tag))."""
    pb = run_v2.Service(
        name="projects/acme-chat-staging/locations/europe-west1/services/api",
        latest_ready_revision="api-00002-bbb",
        traffic_statuses=[
            run_v2.TrafficTargetStatus(
                type_=REVISION,
                revision=rev,
                percent=pct,
                tag=tag,
                uri=f"https://{tag}---api-xyz.a.run.app" if tag else "",
            )
            for rev, pct, tag in traffic
        ],
    )
    return run_v2.Service.pb(pb)


def test_a_probed_tag_moved_while_probing_is_a_change() -> None:
    """revown22 F2: blue/green, api serves A (tag blue, 50 %) and B (tag green, 50 %); a
    service-URL probe also probes each serving tag's URL (probe/live.py `targets`), credited
    to the revision the tag named when read. Green moves to A while drift probes (`gcloud run
    services update-traffic --update-tags green=A`): a tag's URL is the tag's
    (`https://green---api-….run.app`, cloud.google.com/run/docs/rollouts-rollbacks-traffic-
    migration), so A answered green's probe. The revisions with traffic are {A, B} before and
    after: where each probed tag points is compared as well."""
    profile = load_profile(REPO / "profiles", "e2e")
    before = _svc([("api-00001-aaa", 50, "blue"), ("api-00002-bbb", 50, "green")])
    after = _svc(
        [("api-00001-aaa", 50, "blue"), ("api-00002-bbb", 50, ""), ("api-00001-aaa", 0, "green")]
    )
    assert answering(profile, "api", before) != answering(profile, "api", after)
    # the same split read twice is no change, whatever order the statuses come in
    again = _svc([("api-00002-bbb", 50, "green"), ("api-00001-aaa", 50, "blue")])
    assert answering(profile, "api", before) == answering(profile, "api", again)


def test_a_tag_moved_while_probing_is_not_credited_to_the_revision_it_left(
    sandbox: Sandbox,
    env: dict[str, str],  # noqa: F811
    clients: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """revown22 F2 end to end (the sandbox routes a tag's URL by the tag, fleet.py): blue is
    A (1011), green is B (fixed), 50/50; green moves to A right before the probes
    (`--update-tags green=A`), so A answers green's URL. That answer is never credited to B."""
    old, new = split_blue_green(sandbox, clients, E2E_FIXED)
    real = live_probe.probe_all

    async def move_green_then_probe(*args: Any, **kw: Any) -> Any:
        service = sandbox.service(PROJECT, "api")
        service.traffic = [
            run_v2.TrafficTarget(type_=REVISION, revision=old, percent=50, tag="blue"),
            run_v2.TrafficTarget(type_=REVISION, revision=new, percent=50),
            run_v2.TrafficTarget(type_=REVISION, revision=old, percent=0, tag="green"),
        ]
        clients.services.update_service(service=service).result(timeout=30)
        return await real(*args, **kw)

    monkeypatch.setattr(live_probe, "probe_all", move_green_then_probe)
    report = probe_only("e2e", env)
    assert not report.probes, [(p.tag, p.revision, p.outcome.value) for p in report.probes]
    (item,) = [u for u in report.unverified if u.target == "probe"]
    assert f"{new} tagged green → " in item.reason and f"{old} tagged blue/green" in item.reason
    assert report.exit_code == 3


def test_a_service_denied_when_read_again_leaves_its_probe_unverified(
    sandbox: Sandbox,
    env: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A guard (revown22, passes before the fix): a PERMISSION_DENIED on the read after the
    probe credits the answer to no revision; the run says so and exits 3."""
    real = live_probe.probe_all

    async def probe_then_deny(*args: Any, **kw: Any) -> Any:
        out = await real(*args, **kw)
        sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED", match="services/api"))
        return out

    monkeypatch.setattr(live_probe, "probe_all", probe_then_deny)
    report = probe_only("e2e", env)
    assert not report.probes and report.exit_code == 3, report
    (item,) = [u for u in report.unverified if u.target == "probe"]
    assert "could not be read again" in item.reason and "PERMISSION_DENIED" in item.reason
