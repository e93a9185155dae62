"""`init --from-live` on the shapes of a rollout (revown15): a canary of a new image alone is
not drift (check compares `RevisionConfig.fingerprint`, images aside), so it is no
incomplete init; a revision reached at 0 % through a tag with another configuration is read
by check (`check_tags: all`), so it is one."""

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

IMAGE_ONLY = """\
projects:
  acme-prod:
    number: 500000000001
    region: us-central1
    services:
      split:
        template:
          serviceAccount: app@acme-prod.iam.gserviceaccount.com
          image: us-docker.pkg.dev/acme-prod/apps/split:2
          env: {MODE: same}
        history:
          - image: us-docker.pkg.dev/acme-prod/apps/split:1
            env: {MODE: same}
        traffic:
          - {revision: 1, percent: 90}
          - {latest: true, percent: 10}
"""

TAG_ONLY = """\
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
          - {latest: true, percent: 100}
          - {revision: 1, percent: 0, tag: old}
"""


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str):  # type: ignore[no-untyped-def]
    scenario = tmp_path / "split.yaml"
    scenario.write_text(text)
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
    errors = [(f.rule, f.target, f.revision) for f in report.findings]
    return result, errors


def test_a_canary_of_a_new_image_alone_is_not_an_incomplete_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """90/10 rollout of a new image, same env/settings: check is clean (fingerprint ignores
    images), so init must not say `incomplete: ... check will report split-00001` (exit 3)."""
    result, errors = _run(tmp_path, monkeypatch, IMAGE_ONLY)
    assert errors == [], (
        errors
    )  # check agrees (no finding at all): nothing differs that drift compares
    assert int(result.exit_code) == 0, result.summary()


def test_a_tag_only_revision_with_another_config_is_not_a_clean_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 % on the new release, tag `old` at 0 % on the old config: `check_tags: all` (the
    default, drift/profiles/model.py:155) makes check report the tagged revision, yet init
    exits 0 (rollout() looks only at `serving`, drift/onboarding/draft.py:114)."""
    result, errors = _run(tmp_path, monkeypatch, TAG_ONLY)
    assert errors, "check should report the tagged old revision"
    assert int(result.exit_code) == 3, result.summary()
