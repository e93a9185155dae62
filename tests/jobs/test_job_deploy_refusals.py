"""rev100-poolsjobs: a fix of a JOB (its update patched in place, no canary) whose new
configuration names a Direct VPC egress subnet that does not exist or a CMEK key Cloud Run may
not use (either reason), whether Cloud Run refuses the write or fails the update (the docs
leave it open: options `missing_network`, `unusable_key`): exit 4 (SPEC: aborted safely with
nothing changed, or rolled back), the job back to what it ran, Cloud Run's words, its reason
and what to do next. Binary Authorization does not check a job's update: "You can still
update the job successfully. Executing the job will fail."
(cloud.google.com/binary-authorization/docs/run/overview). `drift check` reports a job whose
latest update failed so (`revision.rollout`) and one whose latest execution Binary
Authorization refused (`job.failed`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.job_binauthz import checked_when_run
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.jobs.refusals import (
    ANSWERS,
    BINAUTHZ_WORDS,
    CASES,
    KEY,
    SINCE,
    UNSIGNED,
    guarded_world,
    not_put_back,
    said,
)
from tests.jobs.test_fix_missing_image import JOB, not_clean, run

OUTSIDE = ["subnet", "key-permission", "key-disabled"]


def task(sandbox: Sandbox) -> Any:
    return sandbox.job("p", "job").template.template


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("case", OUTSIDE)
def test_a_job_fix_cloud_run_refuses_leaves_the_job_as_it_was(
    case: str, answer: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    spec = CASES[case]
    sandbox = make_sandbox(guarded_world(**spec.options(answer)))
    before = task(sandbox)
    profile = JOB + spec.settings
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    text = said(done.stdout)
    if answer == "refused":  # nothing was written
        assert f"INVALID_ARGUMENT: {spec.words}" in text, text
        assert "nothing was changed" in text, text
    else:  # the update landed, failed, and was put back
        reason = spec.cause.split(" — ")[0]
        assert (
            f"job job: the update landed but did not complete ({spec.words}; {reason}). drift "
            "put back what it ran before: as it was before the change; for job job, nothing is "
            f"left to roll back. {spec.cause}"
        ) in text, text
    job = sandbox.job("p", "job")
    assert job.terminal_condition.state.name == "CONDITION_SUCCEEDED"
    # what the job runs is what it ran: the subnet, the key, no EXTRA
    assert task(sandbox) == before
    assert job.template.template.encryption_key == KEY
    assert job.template.template.vpc_access.network_interfaces[0].subnetwork == "apps"
    rules = [f["rule"] for f in not_clean(sandbox, tmp_path, profile)]
    assert "revision.rollout" not in rules, rules


@pytest.mark.parametrize("answer", ANSWERS)
def test_a_job_fix_to_an_image_binary_authorization_denies_is_updated(
    answer: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The update succeeds whatever the option says for a service (it is a job); the fix
    says its next execution will be checked, and how a refusal shows (never "execute the job
    to see": a production job's execution does its work)."""
    spec = CASES["binauthz"]
    sandbox = make_sandbox(guarded_world(**spec.options(answer)))
    done = run(sandbox, tmp_path, JOB + spec.settings, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in out, out
    assert task(sandbox).containers[0].image == UNSIGNED
    text = said(done.stdout)
    assert (
        "job job: updated in place (env.EXTRA, setting.image); Binary Authorization checks "
        "each execution of the job, not its update: its next execution runs "
        "us-docker.pkg.dev/example/unsigned:2, which the policy has not checked yet (a refusal "
        "fails that execution with CONTAINER_IMAGE_UNAUTHORIZED, which `drift check` reports as "
        "job.failed);"
    ) in text, text


def test_the_plan_says_the_policy_checks_only_the_jobs_next_execution(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Said before the fix too (`drift plan`, and the plan `drift fix` shows before asking):
    the update will succeed whatever the policy makes of the image; in every plan format
    that carries notes, and nothing is written."""
    spec = CASES["binauthz"]
    sandbox = make_sandbox(guarded_world(**spec.options(ANSWERS[0])))
    before = task(sandbox)
    note = (
        "job job: after the fix, Binary Authorization checks each execution of the job, not "
        "its update: its next execution runs us-docker.pkg.dev/example/unsigned:2, which the "
        "policy has not checked yet"
    )
    for fmt in ("table", "json", "gcloud"):
        planned = run(sandbox, tmp_path, JOB + spec.settings, "plan", "prod", "--format", fmt)
        # the script's notes go to stderr, so that its stdout stays a script to run
        text = " ".join((planned.stdout + planned.stderr).replace("#", " ").split())
        assert planned.returncode == 1 and note in text, (fmt, planned.stdout, planned.stderr)
    assert task(sandbox) == before  # a plan writes nothing


FAILED_UPDATES = {
    # the subnet the job names was deleted since; its key was disabled, or its grant removed
    "subnet": (
        {"missing_networks": ["apps"], "missing_network": "revision"},
        "Subnetwork projects/p/regions/us-central1/subnetworks/apps does not exist, or Cloud "
        "Run does not have permission to use it.",
    ),
    "key-disabled": (
        {"unusable_keys": {KEY: "check_failed"}},
        f"The encryption key {KEY} could not be used: it is disabled or destroyed",
    ),
    "key-permission": (
        {"unusable_keys": {KEY: "permission_denied"}},
        "The Cloud Run service agent service-3@serverless-robot-prod.iam.gserviceaccount.com "
        f"does not have permission to use the encryption key {KEY}",
    ),
}


@pytest.mark.parametrize("case", list(FAILED_UPDATES))
def test_check_reports_a_job_update_cloud_run_failed(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The team's `gcloud run jobs update` failed: `check` is not clean (`revision.rollout`),
    naming the generation and Cloud Run's words."""
    options, words = FAILED_UPDATES[case]
    sandbox = make_sandbox(guarded_world(**options))
    updated = sandbox.update_job("p", "job", env={"X": "y"})
    assert updated.terminal_condition.state.name == "CONDITION_FAILED"
    findings = not_clean(sandbox, tmp_path, JOB.replace("EXTRA: x", "MODE: live"))
    (rollout,) = [f for f in findings if f["rule"] == "revision.rollout"]
    assert (
        f"job job is not ready: its latest update (generation {updated.generation}) did not "
        f"reach the desired state: {words}"
    ) in rollout["message"], rollout


def test_check_reports_an_execution_binary_authorization_refused(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The team moved the job to an unsigned image (the update succeeded) and ran it: the
    execution failed with CONTAINER_IMAGE_UNAUTHORIZED; `check` gives `job.failed` with the
    reason, the image and Cloud Run's reason by name."""
    sandbox = make_sandbox(guarded_world(binauthz_denied_images=[UNSIGNED]))
    updated = sandbox.update_job("p", "job", image=UNSIGNED)
    assert updated.terminal_condition.state.name == "CONDITION_SUCCEEDED"
    execution = sandbox.run_job("p", "job")
    assert execution.conditions[-1].state.name == "CONDITION_FAILED"
    profile = JOB.replace("EXTRA: x", "MODE: live") + f"      image: {UNSIGNED}\n"
    checked = run(sandbox, tmp_path, profile, "check", "prod", "--format", "json")
    report = json.loads(checked.stdout)
    assert report["status"] == "drift", checked.stdout  # a warning: never clean
    (failed,) = report["findings"]
    assert failed["rule"] == "job.failed", failed
    name = execution.name.rsplit("/", 1)[-1]
    assert re.fullmatch(
        f"the latest execution of job job, {name}, failed on [-0-9: ]+ UTC: "
        + re.escape(
            f"{BINAUTHZ_WORDS} (CONTAINER_IMAGE_UNAUTHORIZED) — Binary Authorization does "
            "not allow an image it names: attest the image (or have the policy allow it), "
            "or deploy it with a breakglass justification (gcloud run jobs update job "
            "--project=p --region=us-central1 --breakglass=JUSTIFICATION), then run the job "
            "again (`gcloud run jobs execute "
            "job --project=p --region=us-central1`)"
        ),
        failed["message"],
    ), failed


def job_of(images: list[str], **binauthz: Any) -> run_v2.Job:
    containers = [run_v2.Container(image=image) for image in images]
    return run_v2.Job(
        name="projects/p/locations/us-central1/jobs/job",
        binary_authorization=run_v2.BinaryAuthorization(**binauthz),
        template=run_v2.ExecutionTemplate(template=run_v2.TaskTemplate(containers=containers)),
    )


@pytest.mark.parametrize(
    ("after", "noted"),
    [
        (job_of(["a:1", UNSIGNED], use_default=True), UNSIGNED),
        # another policy than the one it ran under: it has checked none of them (helper-638)
        (
            job_of(["a:1", UNSIGNED], policy="projects/p/platforms/cloudRun/strict"),
            f"a:1, {UNSIGNED} under the binary_authorization the fix writes (default → "
            "projects/p/platforms/cloudRun/strict)",
        ),
        (job_of(["a:1", UNSIGNED]), ""),  # no policy: nothing checks it
        (job_of(["a:1", UNSIGNED], use_default=True, breakglass_justification="incident"), ""),
        (job_of(["a:1"], use_default=True), ""),  # no image it did not run
    ],
)
def test_the_note_names_only_images_a_policy_will_check(after: run_v2.Job, noted: str) -> None:
    note = checked_when_run(job_of(["a:1"], use_default=True), after)
    if noted:
        assert f"execution runs {noted}, which the policy has not checked" in note, note
    else:
        assert note == ""


@pytest.mark.parametrize("case", list(SINCE))
def test_a_job_whose_subnet_or_key_failed_since_is_not_put_back_in_vain(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The fix changes a variable only; the subnet (key) the job names is gone (unusable)
    since: the update fails, and putting back what the job ran would fail the same way. drift
    sends no such write, names what to make usable, and exits 4."""
    options, what, cause = SINCE[case]
    sandbox = make_sandbox(guarded_world(**options))
    before = sandbox.job("p", "job")
    done = run(sandbox, tmp_path, JOB, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    assert not_put_back("job job", what, cause) in said(done.stdout), out
    after = sandbox.job("p", "job")
    assert after.generation == before.generation + 1  # drift's update only
    assert [e.name for e in after.template.template.containers[0].env][-1] == "EXTRA"
