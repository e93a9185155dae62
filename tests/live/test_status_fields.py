"""What Cloud Run's status fields say and what drift does with them (revlro's repros): a
settled service whose terminal condition and serving revision's Ready failed, set directly on
the sandbox's world (as the reviewer built it, independent of the scenario key `unhealthy`),
is never called clean; a revision that stops serving is retired in the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.test_check_not_ready import PROFILE
from tests.test_check_routing_edges import check, world

IMG = "us-central1-docker.pkg.dev/p/apps/"
SERVICES = {
    "api": {
        "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
        "history": [{"image": IMG + "a:1", "env": {"MODE": "good"}}],
    }
}
FAILED = run_v2.Condition.State.CONDITION_FAILED
HEALTH = run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
MESSAGE = "The user-provided container failed the configured startup probe checks."


def _fail_serving_revision(sb: Sandbox) -> None:
    """The state Cloud Run reports for a settled service whose serving revision is no longer
    healthy: the revision's Ready condition FAILED with a RevisionReason
    (HEALTH_CHECK_CONTAINER_ERROR "There was a health check error"; condition.proto also has
    CUSTOMIZED_PATH_RESPONSE_PENDING "Health check failed ... System will retry",
    MIN_INSTANCES_NOT_PROVISIONED, ACTIVE_REVISION_LIMIT_REACHED), and the service's
    terminal_condition ("containing its readiness status, and detailed error information in
    case it did not reach a serving state", Service.terminal_condition) FAILED with it.
    latest_created_revision == latest_ready_revision, reconciling false: nothing else moves.
    Set on the world directly; scenarios say it with the key `unhealthy`."""

    def apply() -> None:
        world: Any = sb._core.world  # noqa: SLF001 — no control call models it
        rec = world.find_service("p", "api")
        serving = rec.pb.latest_ready_revision.rsplit("/", 1)[-1]
        ready = next(c for c in rec.revisions[serving].conditions if c.type_ == "Ready")
        ready.state = FAILED
        ready.revision_reason = HEALTH
        ready.message = MESSAGE
        rec.pb.terminal_condition.state = FAILED
        rec.pb.terminal_condition.message = f"Revision '{serving}' is not ready. {MESSAGE}"

    sb._run(apply)  # noqa: SLF001


def test_a_settled_service_whose_terminal_condition_failed_is_not_called_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """F1: drift judges readiness only by latest_created == latest_ready
    (drift/live/reader.py `created_ready`, drift/diff/rollout.py `failed`), never by
    terminal_condition nor the serving revision's own Ready condition."""
    with Sandbox(world(SERVICES)) as sb:
        _fail_serving_revision(sb)
        svc = sb.service("p", "api")
        assert svc.latest_created_revision == svc.latest_ready_revision
        assert svc.terminal_condition.state == FAILED
        result = check(sb, monkeypatch, tmp_path, PROFILE)
    assert result.report.status != "clean", (
        "drift says `no drift` (exit 0) for a service whose terminal_condition is "
        "CONDITION_FAILED and whose only serving revision's Ready condition failed"
    )


def test_a_revision_that_stops_serving_is_retired_in_the_sandbox() -> None:
    """F2 (sandbox fidelity): a revision moved off traffic keeps exactly the conditions of a
    serving one. Cloud Run marks it with RevisionReason RETIRED ("Revision is Retired",
    condition.proto; users find retired revisions by the Ready condition's revision_reason,
    e.g. the public `delete_retired_revisions` scripts using run_v2), RESERVE while min
    instances keep it warm, and the sandbox decides retirement itself
    (drift/sandbox/retire.py) without ever saying so in the API."""
    with Sandbox(world(SERVICES)) as sb:
        sb.deploy("p", "api", image=IMG + "a:3")
        svc = sb.service("p", "api")
        serving = svc.latest_ready_revision.rsplit("/", 1)[-1]
        names = sb._run(lambda: list(sb._core.world.find_service("p", "api").revisions))  # noqa: SLF001
        old = [sb.revision("p", "api", name) for name in names if name != serving]
    reasons = {c.revision_reason for r in old for c in r.conditions}
    assert reasons & {
        run_v2.Condition.RevisionReason.RETIRED,
        run_v2.Condition.RevisionReason.RESERVE,
        run_v2.Condition.RevisionReason.RETIRING,
    }, f"a revision with no traffic and no tag carries no retirement reason: {reasons}"
