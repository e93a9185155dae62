"""plan: a secret the revision references `projects/NUMBER/secrets/NAME` keeps its manual
steps (revbaseline2 F2)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.oldstate import check_json, secret_world, write_profile


def test_plan_keeps_the_grant_step_and_no_fixes_claim_of_a_secret_spelled_by_number(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong: drift/fix/planner.py `_manual_for` compared `ref.key` (`5/k`) with the
    finding's target since 3525eff (`secret.k`), found no reference, took it as "the patch no
    longer references what was broken": no grant step, and the secret.no_access id listed
    under `fixes` (README `plan --format json`: ids of the findings the patch repairs), so
    `drift fix` refused pointing at steps that were not there. 8f08d3b planned the grant."""
    env = make_sandbox(secret_world(granted=False, disabled=False)).environ()
    write_profile(tmp_path)
    report, _ = check_json(tmp_path, env)
    [denied] = [f["id"] for f in report["findings"] if f["rule"] == "secret.no_access"]
    run = drift("plan", "prod", "--format", "json", "--profiles", "profiles", env=env, cwd=tmp_path)
    [service] = json.loads(run.stdout)["services"]
    grants = [m["target"] for m in service["manual"] if "add-iam-policy-binding" in str(m)]
    assert (denied in service["fixes"], grants) == (False, ["secret.k"]), service


def test_plan_keeps_the_enable_step_of_a_disabled_version_spelled_by_number(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong: the same comparison for secret.disabled: its id went under `fixes` and the
    step to enable the version was lost."""
    env = make_sandbox(secret_world()).environ()
    write_profile(tmp_path)
    report, _ = check_json(tmp_path, env)
    [disabled] = [f["id"] for f in report["findings"] if f["rule"] == "secret.disabled"]
    run = drift("plan", "prod", "--format", "json", "--profiles", "profiles", env=env, cwd=tmp_path)
    [service] = json.loads(run.stdout)["services"]
    steps = [m["target"] for m in service["manual"] if m["target"].startswith("secret.")]
    assert (disabled in service["fixes"], bool(steps)) == (False, True), service
