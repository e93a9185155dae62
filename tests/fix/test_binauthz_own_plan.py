"""helper-632 F1: a canary Cloud Run fails with CONTAINER_IMAGE_UNAUTHORIZED *because of the
plan's own binary_authorization change* — the breakglass dropped, a policy turned on, the
project's default switched to a stricter named policy. The configuration that served can start
again under the binary authorization it served under (put back with it): the abort restores
LATEST on a ready redeploy of what served with the service's binary_authorization as it was
(SPEC invariant 9), says the plan's own change failed the canary and what to do, and leaves
`drift rollback` nothing to do. A refusal the plan did not bring about (the image denied since
under the policy what served runs under) still leaves the routing pinned on what served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, assert_serves_as_before, spec
from tests.fix.test_canary_missing_image import APP, ENV_RULE, failed_canary, run, served_with

STRICT = f"projects/{LAB}/platforms/cloudRun/strict"
TEMPLATE = {
    "containers": [
        {
            "name": "app",
            "image": APP,
            "ports": [{"containerPort": 8080}],
            "env": [{"name": "DEBUG", "value": "true"}],
        }
    ]
}
# what served ran under, the profile's binary_authorization, the sandbox's options (the image
# not attested: denied by every policy, or by the named one only), the change as the plan names it
CASES: dict[str, tuple[dict[str, Any], str, dict[str, Any], str]] = {
    "breakglass-dropped": (
        {"useDefault": True, "breakglassJustification": "INC-42"},
        "default",
        {"binauthz_denied_images": [APP]},
        "default (breakglass) → default: it ends the breakglass, which bypassed the policy",
    ),
    "policy-turned-on": (
        {},
        "default",
        {"binauthz_denied_images": [APP]},
        "none → default: it turns a policy on",
    ),
}


def rules(binauthz: str) -> str:
    return ENV_RULE + f"    settings:\n      binary_authorization: {binauthz}\n"


@pytest.mark.parametrize("case", list(CASES))
def test_a_canary_refused_for_the_plans_own_policy_restores_latest(
    case: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    served, wanted, options, change = CASES[case]
    fields = {"binaryAuthorization": served} if served else {}
    sandbox = make_sandbox(served_with(TEMPLATE, options, **fields))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, rules(wanted), "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert done.returncode == 4 and "Traceback" not in out, out
    canary = failed_canary(done.stdout)
    # said before: the canary is the first revision checked under the plan's policy
    assert "Binary Authorization checks the canary (us-docker.pkg.dev/lab/app:v1) when it is " in (
        text
    ), out
    assert "cannot start again" not in out, out  # what served can: drift's own change failed
    assert (
        "Cloud Run's reason: CONTAINER_IMAGE_UNAUTHORIZED — the plan's own binary_authorization "
        f"change ({change}) had Binary Authorization check the canary"
    ) in text, out
    assert (
        "attest the image (or have the policy allow it), then run drift fix again; or, to keep "
    ) in text, out
    assert "leave app/setting.binary_authorization out of the fix (`drift fix lab --only " in text
    assert "for app, nothing is left to roll back" in text, out
    # the template, the traffic (LATEST on a ready redeploy of what served) and the policy
    now = assert_serves_as_before(sandbox, LAB, "app", before, canary)
    assert now.latest_created_revision == now.latest_ready_revision
    assert now.template.containers == before.template.containers
    assert now.binary_authorization == before.binary_authorization
    back = run(sandbox, tmp_path, rules(wanted), "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 0 and "nothing left to roll back" in said, said
    assert "Cloud Run cannot start" not in said, said


def test_an_image_denied_since_under_the_policy_that_served_stays_pinned(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The plan changes a variable only; what served runs under the default policy, which
    denies its image since ("Changes in the Binary Authorization policy do not retroactively
    apply to existing revisions"): a redeploy of it would fail too, so drift makes none."""
    served = {"binaryAuthorization": {"useDefault": True}}
    sandbox = make_sandbox(served_with(TEMPLATE, {"binauthz_denied_images": [APP]}, **served))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, ENV_RULE, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    canary = failed_canary(done.stdout)
    assert "Binary Authorization checks the canary" not in out, out  # the plan changes no policy
    assert "the plan's own binary_authorization change" not in out, out
    assert (
        f"Cloud Run failed the canary {canary} with CONTAINER_IMAGE_UNAUTHORIZED for {APP}, "
        "which the configuration that served names too"
    ) in " ".join(done.stdout.split()), out
    assert "may still allow it" not in out, out  # the same policy refused it: no doubt
    now = sandbox.service(LAB, "app")
    served_by = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert spec(now)[0] == ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", served_by, 100, "")


@pytest.mark.parametrize(
    "options",
    [{"binauthz_policies": {STRICT: [APP]}}, {"binauthz_denied_images": [APP]}],
    ids=["stricter-policy", "denied-since-too"],
)
def test_a_refusal_under_another_policy_than_an_enforced_one_stays_pinned(
    options: dict[str, Any], make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """What served ran under the default policy (enforced), and the plan names another. The
    canary is refused: by the plan's stricter policy alone, or by the default one too, which
    denies the image since (helper-642 F1: drift redeployed what served, that failed as well,
    and drift said nothing was left to roll back). drift cannot tell the two apart (a policy is
    checked at each deploy, attestations are not read): no redeploy, traffic pinned on what
    served, and words that promise neither way."""
    served = {"binaryAuthorization": {"useDefault": True}}
    sandbox = make_sandbox(served_with(TEMPLATE, options, **served))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, rules(STRICT), "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert done.returncode == 4 and "Traceback" not in out, out
    assert (
        f"the plan's own binary_authorization change (default → {STRICT}: it names another "
        "policy) had Binary Authorization check the canary"
    ) in text, out
    assert "which may no longer allow its image either" in text, out
    # the way out that holds if the policy that served still allows the image, said so
    # (helper-647 F6), never as certain
    assert "or, if default still allows it, leave app/setting.binary_authorization out " in text
    assert "nothing is left to roll back" not in text, out
    now = sandbox.service(LAB, "app")
    served_by = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert spec(now)[0] == ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", served_by, 100, "")
    assert now.latest_ready_revision == before.latest_ready_revision


def test_a_refusal_under_another_policy_says_the_one_that_served_may_still_allow_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-642 F1, what is left of it: under the stricter policy alone (the default that
    served still allows the image) drift stays pinned, as it cannot tell this from the default
    denying the image since. It said "the configuration that served cannot start again", and
    `drift rollback` refused with "Cloud Run cannot start" and nothing else: both now say the
    policy that served may still allow it, and `--deployable` is the way when it does (here it
    does: LATEST on a ready redeploy of what served, the service's default policy back)."""
    served = {"binaryAuthorization": {"useDefault": True}}
    sandbox = make_sandbox(served_with(TEMPLATE, {"binauthz_policies": {STRICT: [APP]}}, **served))
    before = sandbox.service(LAB, "app")
    done = run(sandbox, tmp_path, rules(STRICT), "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    canary = failed_canary(done.stdout)
    maybe = (
        f"Cloud Run failed the canary {canary} with CONTAINER_IMAGE_UNAUTHORIZED for {APP}, which "
        "the configuration that served names too, deployed under default, which may still allow "
        "it (the plan's policy refused the canary, a policy is checked at each deploy, and drift "
        "cannot read attestations): if it does, `drift rollback "
    )
    assert done.returncode == 4 and maybe in " ".join(done.stdout.split()), out
    change = done.stdout.rsplit(" recorded in ", 1)[0].rsplit("change ", 1)[1]
    assert f"{maybe}{change} --deployable` restores it now" in " ".join(done.stdout.split()), out
    assert "the configuration that served may not start again" in " ".join(out.split()), out
    assert "cannot start again" not in out, out  # helper-647 F6: beside "may still allow it"
    refused = run(sandbox, tmp_path, rules(STRICT), "rollback", "--yes")
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 4 and "Cloud Run may not start" in said, said  # helper-647 F6
    assert "Cloud Run cannot start" not in said and "may only add a failed revision" in said
    assert "deployed under default, which may still allow it" in said, said
    rolled = run(sandbox, tmp_path, rules(STRICT), "rollback", "--yes", "--deployable")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    now = assert_serves_as_before(sandbox, LAB, "app", before, canary)
    assert now.latest_created_revision == now.latest_ready_revision
    assert now.binary_authorization == before.binary_authorization
