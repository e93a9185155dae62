"""A change of a service, a job and a worker pool, all three put back by a teammate's rollback
from another copy of the journal: the refusal says the service serves what served before and
the job and pool run what ran — never "yet it runs what ran before" of all three, a service
among them (helper-752 F4)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.rollback import run_rollback
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix, writes
from tests.jobs.test_rollback_race import teammates_rollback
from tests.jobs.world import PROFILE, jobs_world, pointed_at, write_profile

IMAGE = "us-docker.pkg.dev/p/app@sha256:" + "a" * 64


def test_a_service_beside_a_job_and_a_pool_put_back_is_said_apart(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = jobs_world()
    world["projects"]["p"]["region"] = "us-central1"
    world["projects"]["p"]["services"] = {
        "app": {"template": {"image": IMAGE, "env": {"DEBUG": "true"}}}
    }
    sandbox = pointed_at(make_sandbox(world), monkeypatch, tmp_path)
    app = "services:\n  app:\n    env:\n      DEBUG: {forbidden: true}\n"
    profiles = write_profile(tmp_path / "profiles", PROFILE + app)
    fixed = fix(tmp_path, profiles, ScriptedUI(), yes=True)
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    made = teammates_rollback(sandbox, tmp_path)
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    text = " ".join(done.summary().split())
    assert done.exit_code is ExitCode.ABORTED and len(writes(sandbox)) == made, text
    said = (
        "yet app serves what served before the change already and job job, worker pool pool "
        "run what ran before it (those writes put them back), so rolling them back would write "
        "nothing to them and undo nothing of theirs"
    )
    assert said in text and "yet it " not in text and "yet they " not in text, text
