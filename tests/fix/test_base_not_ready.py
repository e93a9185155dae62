"""A fix never builds a canary on a serving revision that is not ready (revlro F1): a settled
service whose serving revision's Ready condition failed (HEALTH_CHECK_CONTAINER_ERROR) is no
sound base. The fix stops, exit 4, naming the revision and the reason; nothing is written."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world, spec, updates

MESSAGE = "The user-provided container failed the configured startup probe checks."


def test_a_fix_stops_on_a_serving_revision_that_is_not_ready(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    scenario = lab_world()
    scenario["projects"][LAB]["services"]["app"]["unhealthy"] = MESSAGE
    sandbox = make_sandbox(scenario)
    before = sandbox.service(LAB, "app")
    serving = before.latest_ready_revision.rsplit("/", 1)[-1]
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert f"the serving revision {serving} of app is not ready" in out
    assert "HEALTH_CHECK_CONTAINER_ERROR" in out and "Traceback" not in out
    # why it stops, and what to do: see why, deploy a ready revision, run the fix again
    assert "Cloud Run may refuse traffic sent to a revision that is not ready" in out
    assert f"gcloud run revisions describe {serving} --project {LAB} --region" in out
    assert "deploy a revision that is ready" in out and "run drift fix again" in out
    assert updates(sandbox) == []
    after = sandbox.service(LAB, "app")
    assert after.etag == before.etag and spec(after) == spec(before)


def test_the_manual_step_of_a_serving_revision_that_fails_sends_no_traffic_anywhere(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Its step names what to look at, never `--to-latest` (LATEST is that same revision) nor
    "release the template's revision" (the template is what serves)."""
    scenario = lab_world()
    scenario["projects"][LAB]["services"]["app"]["unhealthy"] = MESSAGE
    sandbox = make_sandbox(scenario)
    serving = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    done = lab_cli(sandbox, tmp_path, "plan", "lab")
    out = done.stdout + done.stderr
    assert f"gcloud run revisions describe {serving}" in out, out
    assert "see why in its conditions and logs, fix it, then deploy again" in out
    assert "--to-latest" not in out and "release the template's revision" not in out
