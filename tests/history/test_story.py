"""The story's history, in the default scenario: the E2E variables the `e2e` profile needs
were on api until a CI deploy (the deployer service account, gcloud) dropped them two deploys
before the one serving; `drift check e2e` traces each to that deploy, `drift history` shows it."""

from __future__ import annotations

import asyncio

import pytest

from drift.check import run_check
from drift.history.model import Action, Kind
from drift.history.read import read_history
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO

E2E_VARIABLES = ("E2E_OAUTH_SIMULATION_KEY", "E2E_TEST_MODE", "JWT_SECRET_STAGING")
CI = "deployer@acme-chat-staging.iam.gserviceaccount.com"


def test_the_e2e_variables_were_dropped_by_a_ci_deploy(
    sandbox: Sandbox, sandbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRIFT_PROFILES_DIR", raising=False)
    profile = load_profile(REPO / "profiles", "e2e")
    result = asyncio.run(read_history(profile, load_settings(), services=["api"]))
    (api,) = result.services
    newest, _, dropped, first = api.revisions
    assert newest.percent == 100 and first.changes is None
    assert (dropped.creator, dropped.client) == (CI, "gcloud 465.0.0")
    assert (first.creator, first.client) == ("ops-lead@acme-chat.dev", "gcloud 462.0.0")
    removed = {c.target for c in dropped.changes or () if c.action is Action.REMOVED}
    assert removed == {f"env.{v}" for v in E2E_VARIABLES}
    assert all(c.kind is Kind.ENV or c.kind is Kind.IMAGE for c in dropped.changes or ())

    report = asyncio.run(run_check(profile, load_settings(wait=0))).report
    for variable in E2E_VARIABLES:
        finding = next(
            f for f in report.findings if f.service == "api" and f.target == f"env.{variable}"
        )
        assert finding.rule == "env.missing" and finding.since is not None
        assert (finding.since.revision, finding.since.last_good) == (dropped.name, first.name)
        assert (finding.since.creator, finding.since.client) == (CI, "gcloud 465.0.0")
