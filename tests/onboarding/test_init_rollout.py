"""`init --from-live` on a 50/50 rollout (`update-traffic --to-revisions OLD=50,LATEST=50`,
revinit): it described whichever revision was listed first (the old one), exited 0, and the
profile it wrote made `check` exit 1 on the new release and `fix` revert the rollout. On a tie
it describes the latest ready revision (where the rollout goes), and says the profile cannot
check clean until the rollout settles: exit 3."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from drift.check import run_check
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings

SCENARIO = """\
projects:
  acme-prod:
    number: 500000000001
    region: us-central1
    services:
      split:
        template:
          serviceAccount: app@acme-prod.iam.gserviceaccount.com
          image: us-docker.pkg.dev/acme-prod/apps/split:2
          env: {MODE: new}
        history:
          - image: us-docker.pkg.dev/acme-prod/apps/split:1
            env: {MODE: old}
        traffic:
          - {revision: 1, percent: 50}
          - {latest: true, percent: 50}
"""


def test_init_on_a_50_50_rollout_does_not_write_a_profile_that_reverts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "split.yaml"
    scenario.write_text(SCENARIO)
    with Sandbox(scenario) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        settings = load_settings(
            profiles_dir=tmp_path, project="acme-prod", region="us-central1", wait=0
        )
        result = asyncio.run(
            init_from_live("prod", settings, services=None, today=dt.date(2026, 11, 30))
        )
        report = asyncio.run(run_check(load_profile(tmp_path, "prod"), settings)).report
    errors = [
        (f.rule, f.target, f.revision) for f in report.findings if f.severity.value == "error"
    ]
    assert int(result.exit_code) == 3, result.summary()
    (said,) = result.rollouts
    assert said.startswith("split: 2 revisions are reached with different configurations")
    assert "the profile describes split-00002-" in said and "split-00001-" in said
    assert "incomplete: split: 2 revisions" in result.summary()
    text = (tmp_path / "prod.yaml").read_text()
    assert "MODE: new" in text, text  # the release the rollout moves to, not the old one
    # what check reports is the old revision, as init said, never the new release
    assert errors and all(r.startswith("split-00001-") for _, _, r in errors), errors
