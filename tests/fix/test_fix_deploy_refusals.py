"""rev97-sandfail: a fix whose canary Cloud Run fails for a reason outside the template's own
checks (drift/sandbox/deploy_checks.py) — a Direct VPC egress subnet that does not exist, a
customer-managed encryption key Cloud Run may not use or that is disabled, an image Binary
Authorization denies. `drift fix` promotes nothing, the traffic and tags stay as they were
(SPEC invariants 4, 9), the output names the canary, Cloud Run's words, its reason and what
to do (the role to grant, the subnet to create, the image to attest), exit 4, no traceback.
`drift check` after a deploy that failed so reports the failed latest revision
(`revision.rollout`), never clean; a serving revision whose key is disabled since starts no
instance ("new instances of existing Cloud Run revisions using the key won't start":
run/docs/securing/using-cmek), which `drift check --probe` reports as `probe.rejected`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.causes import NOT_CONFIGURATION
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, assert_serves_as_before, spec
from tests.fix.test_canary_missing_image import (
    ENV_RULE,
    NEXT,
    OLD,
    debug_app,
    failed_canary,
    run,
    served_with,
)

UNSIGNED = "us-docker.pkg.dev/lab/app:v2-unsigned"
KEY = f"projects/{LAB}/locations/us-central1/keyRings/r/cryptoKeys/k"


def world(**options: Any) -> dict[str, Any]:
    """`app`: the drift (DEBUG), a CMEK key, Direct VPC egress on subnet `apps` of network
    `vpc`, Binary Authorization on (the default policy); LATEST 100 % and an older revision
    at 0 % under the tag `blue`."""
    template = {
        "containers": [debug_app()],
        "encryptionKey": KEY,
        "vpcAccess": {
            "networkInterfaces": [{"network": "vpc", "subnetwork": "apps"}],
            "egress": "PRIVATE_RANGES_ONLY",
        },
    }
    return served_with(template, options, binaryAuthorization={"useDefault": True})


AGENT = "service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com"
CASES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    # the profile moves the service to a subnet nobody created
    "subnet": (
        {"missing_networks": ["gone"], "missing_network": "revision"},
        "    settings:\n      vpc_subnet: gone\n",
        f"Subnetwork projects/{LAB}/regions/us-central1/subnetworks/gone does not exist, or "
        "Cloud Run does not have permission to use it.",
        "Cloud Run's reason: VPC_NETWORK_NOT_FOUND — the VPC network or connector it names "
        "does not exist (or its Direct VPC egress subnet), or Cloud Run may not use it: create "
        "it (or grant the Cloud Run service agent roles/vpcaccess.user on a connector, "
        "roles/compute.networkUser on a shared subnet), or correct the network the profile "
        f"names, {NEXT}",
    ),
    # the profile names a key the Cloud Run service agent may not use
    "key-permission": (
        {"unusable_keys": {f"{KEY}2": "permission_denied"}},
        f"    settings:\n      encryption_key: {KEY}2\n",
        "The Cloud Run service agent service-555000111222@serverless-robot-prod.iam."
        "gserviceaccount.com does not have permission to use the encryption key",
        "Cloud Run's reason: ENCRYPTION_KEY_PERMISSION_DENIED — Cloud Run may not use its "
        f"customer-managed encryption key: grant the Cloud Run service agent ({AGENT}) "
        f"roles/cloudkms.cryptoKeyEncrypterDecrypter on the key, {NEXT}",
    ),
    # the profile names an image nobody attested
    "binauthz": (
        {"binauthz_denied_images": [UNSIGNED]},
        f"    settings:\n      image: {UNSIGNED}\n",
        f"Container image {UNSIGNED} is not authorized by the Binary Authorization policy",
        "Cloud Run's reason: CONTAINER_IMAGE_UNAUTHORIZED — Binary Authorization does not "
        "allow an image it names: attest the image (or have the policy allow it), or deploy it "
        f"with a breakglass justification (gcloud run services update app --project={LAB} "
        f"--region=us-central1 --breakglass=JUSTIFICATION), {NEXT}",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_canary_cloud_run_refuses_is_not_promoted(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    options, settings, words, cause = CASES[case]
    sandbox = make_sandbox(world(**options))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, ENV_RULE + settings, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert "Traceback" not in out
    canary = failed_canary(done.stdout)
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert (
        f"the canary revision {canary} is not ready (latest ready is {served}) (Revision "
        f"'{canary}' is not ready and cannot serve traffic. {words}"
    ) in done.stdout, out
    assert cause in done.stdout, out
    # nothing promoted: the same traffic spec, blue on the old revision at 0 %, no drift tag,
    # LATEST on a ready redeploy of what served (the plan changed what failed)
    now = assert_serves_as_before(sandbox, LAB, "app", before, canary)
    assert ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", OLD, 0, "blue") in spec(now)
    assert now.latest_created_revision == now.latest_ready_revision
    checked = run(sandbox, tmp_path, ENV_RULE + settings, "check", "lab", "--format", "json")
    assert checked.returncode == 1 and json.loads(checked.stdout)["status"] == "drift"


SUBNET = f"projects/{LAB}/regions/us-central1/subnetworks/apps"
SINCE: dict[str, tuple[dict[str, Any], str, str]] = {
    # the subnet what served names was deleted since
    "subnet": (
        {"missing_networks": ["apps"], "missing_network": "revision"},
        f"Subnetwork {SUBNET} does not exist",
        f"with VPC_NETWORK_NOT_FOUND for {SUBNET}, which the configuration that served names "
        f"too; create the subnet {SUBNET} (or let the Cloud Run service agent use it: "
        "roles/compute.networkUser)",
    ),
    # the key what served names was disabled since
    "key-disabled": (
        {"unusable_keys": {KEY: "check_failed"}},
        f"The encryption key {KEY} could not be used: it is disabled or destroyed",
        f"with ENCRYPTION_KEY_CHECK_FAILED for {KEY}, which the configuration that served "
        f"names too; enable the primary version of the key {KEY}",
    ),
}


@pytest.mark.parametrize("case", list(SINCE))
def test_a_canary_failing_on_what_served_names_too_keeps_the_routing(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The plan changes a variable only; the subnet (key) what served names is gone
    (disabled) since: the canary fails, and so would any new revision of what served. The
    routing survives: LATEST still on the revision that served, `blue` kept, no drift tag;
    drift names the cause and exits 4."""
    options, words, verdict = SINCE[case]
    sandbox = make_sandbox(world(**options))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, ENV_RULE, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    canary = failed_canary(done.stdout)
    assert words in done.stdout, out
    now = sandbox.service(LAB, "app")
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    # pinned by name on what served: no doomed redeploy of it after the canary
    assert spec(now)[0] == ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", served, 100, ""), spec(now)
    assert now.latest_created_revision.endswith(f"/{canary}")
    assert f"Cloud Run failed the canary {canary} {verdict}" in done.stdout, out
    assert spec(now)[1:] == spec(before)[1:], spec(now)
    assert now.latest_ready_revision == before.latest_ready_revision
    assert not [s for s in now.traffic_statuses if canary in (s.revision, "") and s.percent]
    assert [s.tag for s in now.traffic_statuses if s.tag] == ["blue"], now.traffic_statuses
    assert [s.revision for s in now.traffic_statuses if s.percent] == [served]


DEPLOYS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "subnet": (
        {"missing_networks": ["apps"], "missing_network": "revision"},
        {"env": {"MODE": "live"}},
        f"Subnetwork projects/{LAB}/regions/us-central1/subnetworks/apps does not exist",
    ),
    "key-disabled": (
        {"unusable_keys": {KEY: "check_failed"}},
        {"env": {"MODE": "live"}},
        f"The encryption key {KEY} could not be used",
    ),
    "key-permission": (
        {"unusable_keys": {KEY: "permission_denied"}},
        {"env": {"MODE": "live"}},
        "The Cloud Run service agent service-555000111222@serverless-robot-prod.iam."
        "gserviceaccount.com does not have permission to use the encryption key",
    ),
    "binauthz": (
        {"binauthz_denied_images": [UNSIGNED]},
        {"image": UNSIGNED},
        f"Container image {UNSIGNED} is not authorized by the Binary Authorization policy",
    ),
}


@pytest.mark.parametrize("case", list(DEPLOYS))
def test_check_reports_a_deploy_cloud_run_failed(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The team's `gcloud run deploy` failed (traffic still on what served): `check` of a
    profile the serving revision meets is not clean (`revision.rollout`, SPEC), naming the
    failed revision and Cloud Run's words."""
    options, change, words = DEPLOYS[case]
    sandbox = make_sandbox(world(**options))
    deployed = sandbox.deploy(LAB, "app", **change)
    assert deployed.terminal_condition.state.name == "CONDITION_FAILED"
    failed = deployed.latest_created_revision.rsplit("/", 1)[-1]
    served = deployed.latest_ready_revision.rsplit("/", 1)[-1]
    assert failed != served
    checked = run(sandbox, tmp_path, "    env:\n      DEBUG: 'true'\n", "check", "lab")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    said = " ".join(checked.stdout.split())
    assert (
        f"latest created revision {failed} is not ready (Revision '{failed}' is not ready and "
        f"cannot serve traffic. {words}"
    ) in said, said
    assert f"traffic stays on {served}" in said, said


def test_check_probe_rejects_a_serving_revision_whose_key_is_disabled(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The key was disabled after the revision was deployed: the revision keeps its Ready
    condition (nothing documents a change) and its spec matches the profile, but no new
    instance starts; `check --probe` is not clean: the probe is rejected with the status
    Cloud Run answers when no instance can start."""
    sandbox = make_sandbox(world(unusable_keys={KEY: "check_failed"}, no_instance_status=503))
    rules = "    env:\n      DEBUG: 'true'\n    probe: {websocket: /ws, hold: 0.2s}\n"
    checked = run(sandbox, tmp_path, rules, "check", "lab", "--probe", "--format", "json")
    report = json.loads(checked.stdout)
    assert checked.returncode != 0 and report["status"] != "clean", checked.stdout
    rejected = [f for f in report["findings"] if f["rule"] == "probe.rejected"]
    assert rejected, report["findings"]
    # no drift explains it, and the revision's key is named as what drift cannot read,
    # never "the cause is not configuration"
    (message,) = [f["message"] for f in rejected]
    assert NOT_CONFIGURATION not in message, message
    assert f"the revision is encrypted with the key {KEY}, whose state drift does not read" in (
        message
    ), message


REFUSED = {
    "subnet": {"missing_networks": ["gone"], "missing_network": "refused"},
    "key-permission": {
        "unusable_keys": {f"{KEY}2": "permission_denied"},
        "unusable_key": "refused",
    },
    "binauthz": {"binauthz_denied_images": [UNSIGNED], "binauthz_denied": "refused"},
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_write_cloud_run_refuses_changes_nothing(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Whether Cloud Run refuses the write or fails the revision is not documented: refused
    at the write (INVALID_ARGUMENT), no revision is made, the traffic is untouched, and drift
    says so with Cloud Run's words and exits 4."""
    sandbox = make_sandbox(world(**REFUSED[case]))
    before = sandbox.service(LAB, "app")
    _, settings, words, _ = CASES[case]
    done = run(sandbox, tmp_path, ENV_RULE + settings, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    said = " ".join(done.stdout.split())
    assert f"INVALID_ARGUMENT: {words}" in said, said
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert f"nothing was changed: traffic stays on {served}" in said, said
    after = sandbox.service(LAB, "app")
    assert after.latest_created_revision == before.latest_created_revision
    assert spec(after) == spec(before) and after.traffic_statuses == before.traffic_statuses
