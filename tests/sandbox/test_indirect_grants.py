"""Grants the scenario cannot expand — an accessor role held by a `group:`, a `domain:` or a
principal set, or a custom role — are decided by `options.indirect_grants` (revsbx67 F3):
Google deploys them when the account is in the set or the role has
`secretmanager.versions.access`, which a policy alone does not say. drift calls such access
unverified on both sides; `drift fix`'s canary is refused (deny) or deployed (grant) as
Cloud Run would."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.causes import NOT_CONFIGURATION
from drift.check import run_check
from drift.errors import ExitCode
from drift.findings import ProbeOutcome
from drift.fix.apply import FixOptions
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_here, lab_world
from tests.test_check_access_indirect import ACCESSOR, SA, world

SIDES = ["deny", "grant"]
CUSTOM = "projects/p/roles/secretReader"
INDIRECT = {
    "group": {ACCESSOR: ["group:runtime@example.com"]},
    "domain": {ACCESSOR: ["domain:example.com"]},
    "other-projects-accounts": {
        ACCESSOR: [
            "principalSet://cloudresourcemanager.googleapis.com/projects/9/type/ServiceAccount"
        ]
    },
    "custom-role": {CUSTOM: [SA]},
    "custom-role-to-a-group": {CUSTOM: ["group:runtime@example.com"]},
}


def deploys(make_sandbox: MakeSandbox, iam: Any, side: str) -> bool:
    sandbox = make_sandbox({**world(iam), "options": {"indirect_grants": side}})
    svc = sandbox.deploy("p", "api", image="x/api:2")
    return svc.latest_ready_revision == svc.latest_created_revision


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("how", INDIRECT)
def test_a_grant_the_scenario_cannot_expand_follows_the_option(
    make_sandbox: MakeSandbox, how: str, side: str
) -> None:
    # the account's project (p, number 5) is placed: another project's "all service
    # accounts" set is decided, and never holds it
    expected = side == "grant" and how != "other-projects-accounts"
    assert deploys(make_sandbox, INDIRECT[how], side) is expected


@pytest.mark.parametrize(
    "iam",
    [
        {ACCESSOR: ["principalSet://iam.googleapis.com/locations/global/workforcePools/p/*"]},
        {"roles/viewer": ["group:runtime@example.com"]},
        {CUSTOM: ["user:someone@example.com"]},
    ],
    ids=["workforce-set", "predefined-role-without-access", "custom-role-to-another"],
)
def test_what_never_grants_a_runtime_account_is_denied_on_both_sides(
    make_sandbox: MakeSandbox, iam: Any
) -> None:
    assert not deploys(make_sandbox, iam, "grant")


@pytest.mark.parametrize("side", SIDES)
def test_drift_calls_it_unverified_whichever_side_the_world_takes(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, side: str
) -> None:
    """And its probe: refused (deny: no instance can retrieve K, so none starts) with the
    unverified access named as what may explain it, never "the cause is not configuration";
    or open (grant)."""
    sandbox = make_sandbox({**world(INDIRECT["group"]), "options": {"indirect_grants": side}})
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      K: {secret: k}\n"
        "    probe: {websocket: /ws, hold: 0.2s}\n"
    )
    profile = load_profile(tmp_path, "prod")
    report = asyncio.run(run_check(profile, load_settings(wait=0), probe=True, environ={})).report
    assert "secret.no_access" not in [f.rule for f in report.findings]
    (access,) = [u for u in report.unverified if u.target == "secret.k"]
    assert "group:runtime@example.com" in access.reason
    (probe,) = report.probes
    if side == "grant":
        assert probe.ok and report.exit_code == 3, probe.detail  # incomplete, never clean
        return
    assert probe.outcome is ProbeOutcome.REJECTED and report.exit_code == 1
    (finding,) = [f for f in report.findings if f.rule == "probe.rejected"]
    assert "could not verify may: secret.k" in finding.message
    assert NOT_CONFIGURATION not in finding.message


@pytest.mark.parametrize(("side", "promoted"), [("deny", False), ("grant", True)])
def test_the_fix_canary_meets_the_side_the_world_takes(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    side: str,
    promoted: bool,
) -> None:
    w = lab_world(
        template={
            "image": "us-docker.pkg.dev/lab/app:v1",
            "port": 8080,
            "service_account": f"app@{LAB}.iam.gserviceaccount.com",
            "env": {"DEBUG": "true", "K": {"secret": "k"}},
        }
    )
    w["options"]["indirect_grants"] = side
    w["projects"][LAB]["secrets"] = {
        "k": {"versions": ["fake-value-0a1b2c3d"], "iam": INDIRECT["group"]}
    }
    sandbox = make_sandbox(w)
    folder = lab_here(
        sandbox,
        tmp_path,
        monkeypatch,
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
        "      MODE: live\n      DEBUG: {forbidden: true}\n      K: {secret: k}\n",
    )
    before = sandbox.service(LAB, "app").latest_ready_revision
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    after = sandbox.service(LAB, "app")
    assert (after.latest_ready_revision != before) is promoted, done.summary()
    if not promoted:  # the canary failed its deploy check: aborted, traffic where it was
        assert done.exit_code is ExitCode.ABORTED, done.summary()
        assert "Permission denied on secret" in done.summary()
