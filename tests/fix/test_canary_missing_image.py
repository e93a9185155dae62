"""revimage94: a fix whose canary Cloud Run cannot create — an image missing from its registry
(the profile's new image never pushed, or a sidecar's tag deleted since the serving revision
imported it), a Serverless VPC Access connector that does not exist — against the sandbox that
now refuses them as Google does (drift/sandbox/registry.py). On a service with a sidecar and a
tagged 0 % revision: `drift fix` does not promote, leaves the traffic exactly as it was (SPEC
invariants 4, 9), names the canary, Cloud Run's words and reason and what to do next, exits 4
and never shows a traceback; `drift check` afterwards is not clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, assert_serves_as_before, spec

APP = "us-docker.pkg.dev/lab/app:v1"
NEVER_PUSHED = "us-docker.pkg.dev/lab/app:v2-never-pushed"
AGENT = "us-docker.pkg.dev/lab/agent:0.9"
OLD = "app-00001-old"
NEXT = "then run drift fix again"
ENV_RULE = "    env:\n      DEBUG: {forbidden: true}\n"


def debug_app() -> dict[str, Any]:
    """The ingress container `app` (APP, port 8080) with the drift: DEBUG set."""
    return {
        "name": "app",
        "image": APP,
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "DEBUG", "value": "true"}],
    }


def world(**options: Any) -> dict[str, Any]:
    """`app`: an ingress container with the drift (DEBUG) and a sidecar, a connector, LATEST
    100 % and an older revision at 0 % under the tag `blue`."""
    template = {
        "containers": [debug_app(), {"name": "agent", "image": AGENT}],
        "vpcAccess": {"connector": "vpc", "egress": "PRIVATE_RANGES_ONLY"},
    }
    return served_with(template, options)


def served_with(template: dict[str, Any], options: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The world of service `app` deployed by gcloud with `template` (and the service's other
    `fields`): LATEST 100 % and an older revision at 0 % under the tag `blue`."""
    service = {
        "client": "gcloud",
        "client_version": "467.0.0",
        "template": template,
        **fields,
        "history": [{"name": OLD, "image": "us-docker.pkg.dev/lab/app:v0"}],
        "traffic": [
            {"latest": True, "percent": 100},
            {"revision": OLD, "percent": 0, "tag": "blue"},
        ],
    }
    return {
        "options": {"seed": 3, **options},
        "projects": {
            LAB: {"number": 555000111222, "region": "us-central1", "services": {"app": service}}
        },
    }


def run(sandbox: Sandbox, tmp_path: Path, rules: str, *args: str) -> Any:
    text = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n{rules}"
    return drift_on(sandbox, tmp_path, ("lab", text), *args)


def failed_canary(output: str) -> str:
    (line,) = [s for s in output.splitlines() if "the canary revision app-drift-" in s]
    return line.split("the canary revision ", 1)[1].split(" ", 1)[0]


CASES = {
    # the profile names an image nobody pushed
    "new-image": ([NEVER_PUSHED], f"{ENV_RULE}    settings:\n      image: {NEVER_PUSHED}\n"),
    # the sidecar's tag was deleted after the serving revision imported it: the canary,
    # changing only a variable, imports it again ("Container images are not pulled from their
    # container repository when a new Cloud Run instance is started": run/docs/deploying)
    "sidecar-gone": ([AGENT], ENV_RULE),
}


@pytest.mark.parametrize("code", ["FAILED_PRECONDITION", "INTERNAL"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_canary_whose_image_is_missing_is_not_promoted(
    case: str, code: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Under either error code of the failed deploy's operation (sandbox option
    `failed_operation_code`: undocumented; v2 users have met INTERNAL, helper-535)."""
    missing, rules = CASES[case]
    sandbox = make_sandbox(world(missing_images=missing, failed_operation_code=code))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, rules, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert "Traceback" not in out
    canary = failed_canary(done.stdout)
    image = missing[0]
    # the revision, Cloud Run's words, its reason and what to do next
    assert (
        f"the canary revision {canary} is not ready (latest ready is "
        f"{before.latest_ready_revision.rsplit('/', 1)[-1]}) (Revision '{canary}' is not ready "
        f"and cannot serve traffic. Image '{image}' not found.); Cloud Run's reason: "
        "CONTAINER_MISSING — an image it names does not exist in its registry: push it, or "
        f"correct the image the profile names, {NEXT}"
    ) in done.stdout, out
    ready = next(c for c in sandbox.revision(LAB, "app", canary).conditions if c.type_ == "Ready")
    assert ready.reason.name == "CONTAINER_MISSING"
    checked = run(sandbox, tmp_path, rules, "check", "lab", "--format", "json")
    report = json.loads(checked.stdout)
    assert checked.returncode == 1 and report["status"] == "drift", checked.stdout
    if case == "sidecar-gone":  # what served names the gone image too: see below
        assert_left_pinned(sandbox, before, canary, done.stdout)
        return
    # nothing promoted: the same traffic spec, blue still on the old revision at 0 %, no drift
    # tag, LATEST on a ready revision running what served — never the canary
    now = assert_serves_as_before(sandbox, LAB, "app", before, canary)
    assert ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", OLD, 0, "blue") in spec(now)
    # the redeploy of what served (the plan changed the image that is missing) is ready
    assert now.latest_created_revision == now.latest_ready_revision


def assert_left_pinned(sandbox: Sandbox, before: Any, canary: str, said: str) -> Any:
    """revfailed95: the canary failed on an image the configuration that served names too
    (the plan did not change it), so a redeploy of what served would fail the same way: the
    cleanup writes none. The traffic stays pinned by name on what served (never on LATEST,
    which is "the Service's latest ready Revision": traffic_target.proto), the canary's tag
    goes with a traffic-only update, `blue` stays, no failed revision besides the canary, and
    drift names the image to push — not "the manual steps of `drift plan`"."""
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    now = sandbox.service(LAB, "app")
    assert spec(now) == [
        ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", served, 100, ""),
        ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", OLD, 0, "blue"),
    ], spec(now)
    assert now.latest_created_revision.endswith(f"/{canary}")  # no redeploy after it
    assert now.latest_ready_revision == before.latest_ready_revision
    assert not [s for s in now.traffic_statuses if canary in (s.revision, "") and s.percent]
    assert [s.tag for s in now.traffic_statuses if s.tag] == ["blue"], now.traffic_statuses
    assert (
        f"the traffic stays pinned by name on {served}, never on LATEST (the template is the "
        "canary's): the configuration that served cannot start again"
    ) in said, said
    assert (
        f"Cloud Run failed the canary {canary} with CONTAINER_MISSING for {AGENT}, which the "
        f"configuration that served names too; push the image {AGENT} to its registry again, "
        "then `drift rollback "
    ) in said, said
    assert "the manual steps of `drift plan`" not in said
    return now


@pytest.mark.parametrize("traffic", ["applies", "refuses"])
def test_rollback_refuses_until_the_image_is_pushed_again(
    traffic: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift rollback` of that change refuses (exit 4, nothing written) while the image is
    gone, naming it; once pushed again, `--deployable` (the operator's word: drift cannot read
    a registry) restores what served (LATEST back, a ready revision), and `--force` (which
    only undoes someone's change since drift's last write) still refuses. The untag is a
    traffic-only update while the latest created revision (the canary) failed: whether Cloud
    Run applies it is not documented (`traffic_while_failed`)."""
    sandbox = make_sandbox(world(missing_images=[AGENT], traffic_while_failed=traffic))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, ENV_RULE, "fix", "lab", "--yes")
    assert done.returncode == 4 and "Traceback" not in done.stdout + done.stderr, done.stdout
    canary = failed_canary(done.stdout)
    if traffic == "applies":
        assert_left_pinned(sandbox, before, canary, done.stdout)
    else:  # the untag's operation failed: said, never called removed
        assert f"its tag drift-{canary.split('drift-', 1)[1]} not removed" in done.stdout
    etag = sandbox.service(LAB, "app").etag
    rolled = run(sandbox, tmp_path, ENV_RULE, "rollback", "--yes")
    said = " ".join((rolled.stdout + rolled.stderr).split())
    assert rolled.returncode == 4, said
    assert f"push the image {AGENT} to its registry again" in said, said
    assert "rolling back would only add a failed revision" in said, said
    assert sandbox.service(LAB, "app").etag == etag  # nothing written
    assert f"then `drift rollback {canary.split('drift-', 1)[1]} --deployable` restores it" in said
    sandbox._core.world.options.missing_images.clear()  # the tag pushed again
    # `--force` (someone's change since drift's last write) does not say the image is back
    forced = run(sandbox, tmp_path, ENV_RULE, "rollback", "--yes", "--force")
    said = " ".join((forced.stdout + forced.stderr).split())
    assert forced.returncode == 4 and "would only add a failed revision" in said, said
    assert "--deployable` restores it" in said, said  # the refusal names the flag that lifts it
    assert sandbox.service(LAB, "app").etag == etag  # nothing written
    rolled = run(sandbox, tmp_path, ENV_RULE, "rollback", "--yes", "--deployable")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    now = sandbox.service(LAB, "app")
    assert spec(now) == spec(before)
    assert now.latest_created_revision == now.latest_ready_revision != before.latest_ready_revision


def test_a_connector_gone_since_it_served_is_not_deployed_again(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The connector what served names was deleted since (the plan changes a variable only):
    the canary fails VPC_NETWORK_NOT_FOUND, and the cleanup writes no doomed redeploy — the
    traffic stays pinned by name, drift names the connector to create."""
    sandbox = make_sandbox(world(missing_connectors=["vpc"], missing_connector="revision"))
    before = sandbox.service(LAB, "app")
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    done = run(sandbox, tmp_path, ENV_RULE, "fix", "lab", "--yes")
    assert done.returncode == 4 and "Traceback" not in done.stdout + done.stderr, done.stdout
    canary = failed_canary(done.stdout)
    now = sandbox.service(LAB, "app")
    assert spec(now)[0] == ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", served, 100, "")
    assert now.latest_created_revision.endswith(f"/{canary}")
    assert (
        f"Cloud Run failed the canary {canary} with VPC_NETWORK_NOT_FOUND for vpc, which the "
        "configuration that served names too; create the VPC connector vpc"
    ) in done.stdout, done.stdout


def test_a_missing_connector_refused_at_the_write_changes_nothing(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(missing_connectors=["gone"]))
    before = sandbox.service(LAB, "app")
    rules = f"{ENV_RULE}    settings:\n      vpc_connector: gone\n"
    done = run(sandbox, tmp_path, rules, "fix", "lab", "--yes")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert (
        "INVALID_ARGUMENT: VPC connector projects/fix-lab/locations/us-central1/connectors/gone "
        "does not exist, or Cloud Run does not have permission to use it.); nothing was "
        f"changed: traffic stays on {before.latest_ready_revision.rsplit('/', 1)[-1]}"
    ) in done.stdout, done.stdout
    after = sandbox.service(LAB, "app")
    assert after.latest_created_revision == before.latest_created_revision
    assert spec(after) == spec(before) and after.traffic_statuses == before.traffic_statuses


def test_a_missing_connector_failing_the_revision_is_not_promoted(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(missing_connectors=["gone"], missing_connector="revision"))
    before = sandbox.service(LAB, "app")
    rules = f"{ENV_RULE}    settings:\n      vpc_connector: gone\n"
    done = run(sandbox, tmp_path, rules, "fix", "lab", "--yes")
    assert done.returncode == 4, done.stdout + done.stderr
    canary = failed_canary(done.stdout)
    assert (
        "VPC connector projects/fix-lab/locations/us-central1/connectors/gone does not exist, "
        "or Cloud Run does not have permission to use it.); Cloud Run's reason: "
        "VPC_NETWORK_NOT_FOUND — the VPC network or connector it names does not exist"
    ) in done.stdout, done.stdout
    assert NEXT in done.stdout
    assert_serves_as_before(sandbox, LAB, "app", before, canary)


def test_check_is_not_clean_after_a_deploy_of_a_missing_image(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The team's `gcloud run deploy --image` of a tag never pushed: the service serves what
    it served, its latest created revision failed; `check` of a profile the serving revision
    meets says so (`revision.rollout`, SPEC), naming the revision and Cloud Run's words."""
    sandbox = make_sandbox(world(missing_images=[NEVER_PUSHED]))
    deployed = sandbox.deploy(LAB, "app", image=NEVER_PUSHED)
    assert deployed.terminal_condition.state.name == "CONDITION_FAILED"
    failed = deployed.latest_created_revision.rsplit("/", 1)[-1]
    assert failed != deployed.latest_ready_revision.rsplit("/", 1)[-1]
    checked = run(sandbox, tmp_path, "    env:\n      DEBUG: 'true'\n", "check", "lab")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert (
        f"latest created revision {failed} is not ready (Revision '{failed}' is not ready and "
        f"cannot serve traffic. Image '{NEVER_PUSHED}' not found.)"
    ) in checked.stdout, checked.stdout


@pytest.mark.parametrize("checks", ["deploy", "request"])
def test_a_dry_run_says_what_validate_only_checked(
    checks: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`fix --dry-run` (validate_only): whether it checks the image is not documented (option
    `validate_only_checks`): refused (exit 2) naming the image, or accepted (exit 0) saying the
    image may be checked only at deploy. Nothing is written either way."""
    sandbox = make_sandbox(world(missing_images=[NEVER_PUSHED], validate_only_checks=checks))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, CASES["new-image"][1], "fix", "lab", "--dry-run")
    assert "Traceback" not in done.stdout + done.stderr
    if checks == "deploy":
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"Image '{NEVER_PUSHED}' not found.: nothing was changed (dry run)" in done.stderr
    else:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "its secrets and image may be checked only at deploy" in done.stdout
    assert sandbox.service(LAB, "app").etag == before.etag


def test_a_canary_whose_image_cloud_run_may_not_read_says_which_grant(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    other = "us-docker.pkg.dev/another-project/apps/app:v2"
    sandbox = make_sandbox(world(unreadable_images=[other]))
    before = sandbox.service(LAB, "app")
    done = run(
        sandbox, tmp_path, f"{ENV_RULE}    settings:\n      image: {other}\n", "fix", "lab", "--yes"
    )
    assert done.returncode == 4, done.stdout + done.stderr
    canary = failed_canary(done.stdout)
    assert (
        "Cloud Run's reason: CONTAINER_PERMISSION_DENIED — Cloud Run may not read an image it "
        "names: grant the Cloud Run service agent (service-PROJECT_NUMBER@serverless-robot-prod."
        f"iam.gserviceaccount.com) roles/artifactregistry.reader on its repository, {NEXT}"
    ) in done.stdout, done.stdout
    assert_serves_as_before(sandbox, LAB, "app", before, canary)
