"""Killers for surviving history/since mutants (revmutant3): what a history masks for the
main container, and which revision began a drift once a sidecar was added."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from drift.check import run_check
from drift.history.changes import Masking, changes
from drift.history.model import Action
from drift.profiles.loader import load_profile
from drift.redact import CHANGED, MASK
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.livestate import config, plain, ref
from tests.test_since import CI, acme_world

SEED_OLD, SEED_NEW = "plainseed-0ld-4e5f", "plainseed-n3w-6a7b"  # harmless shape and name


def test_a_plain_value_the_profile_wants_secret_is_masked_in_the_main_container(
    tmp_path: Path,
) -> None:
    """`env` rules (no `container:`) describe the main container, whatever its name: a
    variable they want secret is masked in its history even where its plain value looks
    like nothing (`Masking.shown`, rules named None)."""
    (tmp_path / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      SESSION_SEED: {secret: session-seed}\n"
    )
    masking = Masking(load_profile(tmp_path, "prod").services["api"])
    old = config([plain("SESSION_SEED", SEED_OLD)])
    new = config([plain("SESSION_SEED", SEED_NEW)])
    [change] = changes(old, new, masking)
    assert (change.action, change.before, change.after) == (Action.CHANGED, MASK, CHANGED)
    [moved] = changes(old, config([ref("SESSION_SEED", "session-seed")]), masking)
    assert moved.before == MASK
    assert SEED_OLD not in repr(moved) and SEED_NEW not in repr(change)


APP = {"name": "app", "image": "img:5", "ports": [{"containerPort": 8080}]}
OTEL = {"name": "otel", "image": "otel/collector:1"}


def test_a_drift_that_began_before_a_sidecar_was_added_began_where_it_began(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TESTING=1 came with revision 2 (one container); revision 3 added a sidecar, so the
    finding names container `app` there. It is the same drift (`since._key`: the main
    container is no sidecar): it began in revision 2, and the last good one is revision 1,
    never revision 2, which had it (a rollback target with the same drift)."""
    template = {"containers": [APP, OTEL], "env": {"TESTING": "1"}}
    history = [
        {"containers": [APP], "env": {"TESTING": None}, "created": "90d",
         "creator": "alice@acme.example", "client": "gcloud", "client_version": "460.0.0"},
        {"containers": [APP], "created": "60d", "creator": CI, "client": "gcloud",
         "client_version": "465.0.0"},
    ]  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        textwrap.dedent(
            """
            project: acme
            region: us-central1
            services:
              api:
                env:
                  TESTING: {forbidden: true}
            """
        )
    )
    with Sandbox(acme_world({"api": {"template": template, "history": history}})) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        profile = load_profile(Path("profiles"), "prod")
        result = asyncio.run(run_check(profile, load_settings(wait=0, history=True)))
    [finding] = [f for f in result.report.findings if f.target == "env.TESTING"]
    assert finding.revision is not None and finding.revision.startswith("api-00003-")
    assert finding.container == "app"  # the revision runs two containers
    since = finding.since
    assert since is not None and since.revision.startswith("api-00002-"), since
    assert since.last_good is not None and since.last_good.startswith("api-00001-"), since
