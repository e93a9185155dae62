"""A revision that served, then stopped being ready (RevisionReason HEALTH_CHECK_CONTAINER_ERROR,
condition.proto; the sandbox's `unhealthy`), then lost its traffic to a later deploy: nothing
it says today tells it from one that failed its deploy, so neither `since` nor `drift history`
may call it one that never served (revhist89)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.history.cli import run
from tests.history.test_revsince import BAD, GOOD, acme_lab, check, since_of

ALICE = "alice@acme.example"
PROFILE = "project: acme\nregion: us-central1\nservices:\n  api: {env: {MODE: good}}\n"


def _replaced(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Sandbox:
    """MODE good in 00001; alice's 00002 made it bad and served it, then stopped being ready;
    a later deploy (00003) took its traffic, MODE still bad."""
    service = {
        "template": {"env": BAD},
        "creator": ALICE,
        "history": [{"env": GOOD, "created": "3d"}],
        "unhealthy": "container crashed",
    }
    sandbox = acme_lab(make_sandbox, monkeypatch, tmp_path, {"api": service}, PROFILE)
    sandbox.set_env("acme", "api", "OTHER", "1")
    return sandbox


def test_since_says_the_failed_revision_that_had_the_drift_may_have_begun_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The run passes over 00002 as a failed revision, as it passes over one that failed its
    deploy (the drift as served: revisions that never served are never named), but it no
    longer names 00003 and its creator as the whole story: 00002, alice's, had the drift too
    and may have served it before it failed."""
    _replaced(make_sandbox, monkeypatch, tmp_path)
    since = since_of(check(), "api", "env.MODE")
    assert since.revision is not None and since.revision.startswith("api-00003-"), since
    assert since.last_good is not None and since.last_good.startswith("api-00001-"), since
    assert "api-00002-" in since.note and f"by {ALICE}" in since.note, since
    assert "if it served before it failed, the drift may have begun there" in since.note


def test_since_says_a_failed_revision_without_the_drift_within_the_run(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """MODE bad in 00001; 00002 made it good, served, and failed; 00003 bad again: the run
    reaches 00001 across 00002, which may have served MODE good."""
    service = {
        "template": {"env": GOOD},
        "history": [{"env": BAD, "created": "3d"}],
        "unhealthy": "container crashed",
    }
    sandbox = acme_lab(make_sandbox, monkeypatch, tmp_path, {"api": service}, PROFILE)
    sandbox.set_env("acme", "api", "MODE", "bad")
    since = since_of(check(), "api", "env.MODE")
    assert since.revision is not None and since.revision.startswith("api-00001-"), since
    assert "api-00002-" in since.note and "the drift began after it" in since.note, since


def test_history_does_not_say_a_failed_revision_never_served(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = _replaced(make_sandbox, monkeypatch, tmp_path)
    for fmt in ("json", "table", "markdown"):
        done = run(sandbox, tmp_path / "profiles", "history", "prod", "--format", fmt)
        assert done.returncode == 0, done.stderr
        text = done.stdout.replace("\\", "")
        assert "failed: never served" not in text and "recorded nowhere" in text, text
    done = run(sandbox, tmp_path / "profiles", "history", "prod", "--format", "json")
    failed = json.loads(done.stdout)["services"][0]["revisions"][1]
    assert failed["revision"].startswith("api-00002-") and failed["never_served"], failed
