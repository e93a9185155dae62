"""helper-632 F1 for a worker pool and a job (updated in place). A pool's new revision gets its
instances: the
plan's own binary_authorization change — the breakglass dropped, a policy turned on — has
Binary Authorization check the pool's new revision, which fails CONTAINER_IMAGE_UNAUTHORIZED.
What it ran starts again under the binary authorization it ran under, put back with it: drift
puts it back (the template, the policy, the breakglass: none left dropped for the team's next
deploy), exits 4 saying the plan's own change failed the update and what to do, and leaves
`drift rollback` nothing to do. A job's update is not checked, only its next execution, which
runs every image under the policy the fix writes: the plan and the fix say so."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.jobs.refusals import said
from tests.jobs.test_fix_missing_image import JOB, POOL, run
from tests.sandbox.jobworld import POOL_SPEC, world

CONSUMER = "us-docker.pkg.dev/example/consumer:1"
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "breakglass-dropped": (
        {"binaryAuthorization": {"useDefault": True, "breakglassJustification": "INC-7"}},
        "default (breakglass) → default: it ends the breakglass, which bypassed the policy",
    ),
    "policy-turned-on": ({}, "none → default: it turns a policy on"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_pool_update_refused_for_the_plans_own_policy_is_put_back(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    held, change = CASES[case]
    pool = copy.deepcopy(POOL_SPEC) | held
    sandbox = make_sandbox(world(pools={"pool": pool}, seed=3, binauthz_denied_images=[CONSUMER]))
    before = sandbox.worker_pool("p", "pool")
    profile = POOL + "      binary_authorization: default\n"
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    text = said(done.stdout)
    assert done.returncode == 4 and "Traceback" not in out, out
    assert f"Binary Authorization checks the pool's new revision ({CONSUMER}, " in text, out
    assert "drift did not put back" not in text, out
    assert "drift put back what it ran before" in text, out
    assert (
        "nothing is left to roll back. Cloud Run's reason: CONTAINER_IMAGE_UNAUTHORIZED — the "
        f"plan's own binary_authorization change ({change}) had Binary Authorization check the "
        "worker pool's new revision"
    ) in text, out
    assert (
        "attest the image (or have the policy allow it), then run drift fix again; or, to keep "
    ) in text, out
    only = "`drift fix prod --only worker_pool/pool/env.QUEUE` fixes the rest"
    assert f"leave worker_pool/pool/setting.binary_authorization out of the fix ({only})" in text
    after = sandbox.worker_pool("p", "pool")
    assert after.binary_authorization == before.binary_authorization
    assert after.template.containers == before.template.containers
    assert after.latest_ready_revision == after.latest_created_revision  # what ran, redeployed
    assert [s.percent for s in after.instance_split_statuses] == [
        s.percent for s in before.instance_split_statuses
    ]
    back = run(sandbox, tmp_path, profile, "rollback", "--yes")
    words = back.stdout + back.stderr
    assert back.returncode == 0 and "nothing left to roll back" in words, words


def test_a_job_whose_policy_the_fix_turns_on_says_its_next_execution_is_checked(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The image does not change: every image was checked only when a new one came (as
    `job_binauthz` said); under a policy the fix turns on, the same image is checked for the
    first time at the next execution."""
    image = "us-docker.pkg.dev/example/migrate:1"
    sandbox = make_sandbox(world(seed=3, binauthz_denied_images=[image]))
    profile = JOB + "      binary_authorization: default\n"
    note = (
        "Binary Authorization checks each execution of the job, not its update: its next "
        f"execution runs {image} under the binary_authorization the fix writes (none → "
        "default), which the policy has not checked yet"
    )
    planned = run(sandbox, tmp_path, profile, "plan", "prod")
    assert planned.returncode == 1 and note in said(planned.stdout), planned.stdout
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    assert done.returncode == 0 and note in said(done.stdout), done.stdout + done.stderr
    assert sandbox.job("p", "job").binary_authorization.use_default


def test_a_pool_refused_under_another_policy_than_an_enforced_one_is_not_put_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-642 F1: what ran, under the default policy (enforced), is denied by it since,
    and the plan names another policy. The put-back was sent and failed the same way (a
    second failing revision), said as "as it was before the change". drift cannot tell
    whether the policy that ran still admits the image: it judges the refusal as any image's,
    one write, and promises neither way out."""
    strict = "projects/p/platforms/cloudRun/strict"
    pool = copy.deepcopy(POOL_SPEC) | {"binaryAuthorization": {"useDefault": True}}
    sandbox = make_sandbox(world(pools={"pool": pool}, seed=3, binauthz_denied_images=[CONSUMER]))
    before = sandbox.worker_pool("p", "pool")
    done = run(
        sandbox, tmp_path, POOL + f"      binary_authorization: {strict}\n", "fix", "prod", "--yes"
    )
    out = done.stdout + done.stderr
    text = said(done.stdout)
    assert done.returncode == 4 and "Traceback" not in out, out
    assert f"drift did not put back what it ran before: that names {CONSUMER} too" in text, out
    assert "which may no longer allow its image either" in text, out
    assert (
        "or, if default still allows it, leave worker_pool/pool/setting.binary_authorization"
        in text
    )
    assert "as it was before the change" not in text, out
    after = sandbox.worker_pool("p", "pool")
    assert int(after.generation) == int(before.generation) + 1, after.generation  # one write
    assert after.latest_ready_revision == before.latest_ready_revision


def test_a_pool_refused_under_a_stricter_policy_says_the_one_it_ran_under_may_allow_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The plan names a stricter policy than the default one the pool ran under, which still
    allows the image (only the strict one denies it). drift cannot tell this from the default
    denying the image since, so it sends no put-back; but "so it would fail the same way" was
    said as certain: the words now say it may, and why, and `drift rollback` puts it back."""
    strict = "projects/p/platforms/cloudRun/strict"
    pool = copy.deepcopy(POOL_SPEC) | {"binaryAuthorization": {"useDefault": True}}
    options = {"binauthz_policies": {strict: [CONSUMER]}}
    sandbox = make_sandbox(world(pools={"pool": pool}, seed=3, **options))
    before = sandbox.worker_pool("p", "pool")
    profile = POOL + f"      binary_authorization: {strict}\n"
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    text = said(done.stdout)
    assert done.returncode == 4 and "Traceback" not in out, out
    assert "so it would fail the same way" not in text, out
    assert (
        f"drift did not put back what it ran before: that names {CONSUMER} too, so it may fail "
        "the same way: it was deployed under default, which may still allow it (the plan's "
        "policy refused the worker pool's new revision, a policy is checked at each deploy, and "
        "drift cannot read attestations)"
    ) in text, out
    back = run(sandbox, tmp_path, profile, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    after = sandbox.worker_pool("p", "pool")
    assert after.binary_authorization == before.binary_authorization
    assert after.template.containers == before.template.containers
    assert after.latest_ready_revision == after.latest_created_revision
