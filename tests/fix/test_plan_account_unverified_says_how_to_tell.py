"""A plan that cannot verify the runtime account the profile names can read a secret (a grant
to a group drift cannot expand) says how to tell: grant it directly (the grant command, after
which `drift plan` verifies it) or check with Policy Troubleshooter (`gcloud policy-troubleshoot
iam RESOURCE --principal-email=… --permission=…`: cloud.google.com/sdk/gcloud/reference/
policy-troubleshoot/iam). Before fixown45 (revown45 point 4) it said only "set the service
account by hand once it can", with no way to know when it can."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSandbox
from tests.fix.test_plan_account_granted_above_the_secret import _plan
from tests.test_check_access_indirect import ACCESSOR, SA, world


def test_an_unverified_account_step_says_how_to_tell(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    out = _plan(make_sandbox, tmp_path, world({ACCESSOR: [SA, "group:devs@example.com"]}))
    assert "drift cannot verify that new@p.iam.gserviceaccount.com can access k" in out, out
    assert "once it can" not in out, out
    assert "`drift plan` then verifies it" in out, out
    assert (
        "gcloud policy-troubleshoot iam //secretmanager.googleapis.com/projects/p/secrets/k "
        "--principal-email=new@p.iam.gserviceaccount.com "
        "--permission=secretmanager.versions.access"
    ) in out, out
    assert "add-iam-policy-binding k" in out, out
