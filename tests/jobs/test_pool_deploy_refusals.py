"""rev100-poolsjobs: a fix of a WORKER POOL (updated in place: its new revision gets the
instances, no canary) whose new revision names a Direct VPC egress subnet that does not exist,
a CMEK key Cloud Run may not use (either reason) or an image Binary Authorization denies,
whether Cloud Run refuses the write or fails the revision (the docs leave it open: options
`missing_network`, `unusable_key`, `binauthz_denied`): exit 4 (SPEC: aborted safely with
nothing changed, or rolled back), the instance splits as they were, Cloud Run's words, its
reason and what to do next. `drift check` reports a pool whose latest revision failed so
(`revision.rollout`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.jobs.refusals import (
    ANSWERS,
    BINAUTHZ_CAUSE,
    CASES,
    KEY,
    SINCE,
    UNSIGNED,
    guarded_world,
    not_put_back,
    said,
)
from tests.jobs.test_fix_missing_image import POOL, not_clean, run


def splits(sandbox: Sandbox) -> list[tuple[str, int]]:
    pool = sandbox.worker_pool("p", "pool")
    return [(s.revision, s.percent) for s in pool.instance_split_statuses]


def runs(sandbox: Sandbox) -> tuple[Any, ...]:
    """What the pool's template runs: its containers, key and network interfaces."""
    template = sandbox.worker_pool("p", "pool").template
    return (list(template.containers), template.encryption_key, template.vpc_access)


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("case", list(CASES))
def test_a_pool_fix_cloud_run_refuses_keeps_its_instances(
    case: str, answer: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    spec = CASES[case]
    sandbox = make_sandbox(guarded_world(**spec.options(answer)))
    before = sandbox.worker_pool("p", "pool")
    split, ran = splits(sandbox), runs(sandbox)
    profile = POOL + spec.settings
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    text = said(done.stdout)
    after = sandbox.worker_pool("p", "pool")
    if answer == "refused":  # nothing was written: no revision made
        assert f"INVALID_ARGUMENT: {spec.words}" in text, text
        assert "nothing was changed" in text, text
        assert after.etag == before.etag
        assert after.latest_created_revision == before.latest_created_revision
    else:  # the revision failed; drift put back what ran
        failed = text.split("did not complete (Revision '", 1)[1].split("'", 1)[0]
        reason = spec.cause.split(" — ")[0]
        assert (
            f"worker pool pool: the update landed but did not complete (Revision '{failed}' is "
            f"not ready and cannot serve traffic. {spec.words}; {reason}). drift put back what "
            "it ran before:"
        ) in text, text
        assert f"nothing is left to roll back. {spec.cause}" in text, text
        assert failed not in {revision for revision, _ in splits(sandbox)}
    # the instances stay whole, on what ran (a redeploy of it once put back), the template
    # runs what it ran
    assert [percent for _, percent in splits(sandbox)] == [percent for _, percent in split]
    if answer == "refused":
        assert splits(sandbox) == split
    assert runs(sandbox) == ran
    assert after.template.encryption_key == KEY
    rules = [f["rule"] for f in not_clean(sandbox, tmp_path, profile)]
    assert "revision.rollout" not in rules, rules


FAILED_DEPLOYS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    # the subnet the pool names was deleted since; its key was disabled, or its grant removed
    "subnet": (
        {"missing_networks": ["apps"], "missing_network": "revision"},
        {"env": {"QUEUE": "jobs"}},
        "Subnetwork projects/p/regions/us-central1/subnetworks/apps does not exist, or Cloud "
        "Run does not have permission to use it.",
    ),
    "key-disabled": (
        {"unusable_keys": {KEY: "check_failed"}},
        {"env": {"QUEUE": "jobs"}},
        f"The encryption key {KEY} could not be used: it is disabled or destroyed",
    ),
    "key-permission": (
        {"unusable_keys": {KEY: "permission_denied"}},
        {"env": {"QUEUE": "jobs"}},
        "The Cloud Run service agent service-3@serverless-robot-prod.iam.gserviceaccount.com "
        f"does not have permission to use the encryption key {KEY}",
    ),
    # the team deploys an image nobody attested
    "binauthz": (
        {"binauthz_denied_images": [UNSIGNED]},
        {"image": UNSIGNED, "env": {"QUEUE": "jobs"}},
        f"Container image {UNSIGNED} is not authorized by the Binary Authorization policy",
    ),
}


@pytest.mark.parametrize("case", list(FAILED_DEPLOYS))
def test_check_reports_a_pool_deploy_cloud_run_failed(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The team's `gcloud run worker-pools deploy` failed (its instances stay where they
    were): `check` of a profile the running revision meets is not clean (`revision.rollout`),
    naming the failed revision and Cloud Run's words."""
    options, change, words = FAILED_DEPLOYS[case]
    sandbox = make_sandbox(guarded_world(**options))
    split = splits(sandbox)
    deployed = sandbox.deploy_pool("p", "pool", **change)
    assert deployed.terminal_condition.state.name == "CONDITION_FAILED"
    failed = deployed.latest_created_revision.rsplit("/", 1)[-1]
    assert splits(sandbox) == split
    findings = not_clean(sandbox, tmp_path, POOL.replace("QUEUE: jobs", "QUEUE: events"))
    (rollout,) = [f for f in findings if f["rule"] == "revision.rollout"]
    message = " ".join(rollout["message"].split())
    assert (
        f"latest created revision {failed} is not ready (Revision '{failed}' is not ready and "
        f"cannot serve traffic. {words}"
    ) in message, message


POOL_SINCE = {
    **SINCE,
    # the image the pool runs is denied since ("Changes in the Binary Authorization policy do
    # not retroactively apply to existing revisions": only new ones are checked)
    "binauthz": (
        {"binauthz_denied_images": ["us-docker.pkg.dev/example/consumer:1"]},
        "us-docker.pkg.dev/example/consumer:1",
        BINAUTHZ_CAUSE,
    ),
}


@pytest.mark.parametrize("case", list(POOL_SINCE))
def test_a_pool_whose_subnet_key_or_image_failed_since_is_not_put_back_in_vain(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The fix changes a variable only; what the pool runs names a subnet (key, image) that
    is gone (unusable, denied) since: its new revision fails, and a redeploy of what ran would
    fail the same way. drift makes no such revision: its instances stay where they ran, the
    failed revision is the latest created; exit 4 with what to make usable."""
    options, what, cause = POOL_SINCE[case]
    sandbox = make_sandbox(guarded_world(**options))
    split = splits(sandbox)
    done = run(sandbox, tmp_path, POOL, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    text = said(done.stdout)
    assert not_put_back("worker pool pool", what, cause) in text, out
    failed = text.split("did not complete (Revision '", 1)[1].split("'", 1)[0]
    after = sandbox.worker_pool("p", "pool")
    assert after.latest_created_revision.endswith(f"/{failed}")  # no redeploy after it
    assert splits(sandbox) == split
