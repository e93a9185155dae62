"""A job runs only in the second generation execution environment (revjobs3 finding 3):
"Cloud Run jobs only use the second generation execution environment, and this cannot be
changed for jobs" (cloud.google.com/run/docs/configuring/execution-environments). A job's
profile stating gen1 is refused at its line (drift plans no change Cloud Run refuses); a
default gen1 (for the services) does not apply to a job; the sandbox refuses gen1 on a job
(tests/sandbox/test_jobs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProfileError
from drift.profiles.loader import load_profile, validate_directory
from tests.cliutil import drift
from tests.jobs.world import write_profile

GEN1 = """\
project: p
region: us-central1
jobs:
  job:
    settings:
      execution_environment: gen1
"""

DEFAULT_GEN1 = """\
project: p
region: us-central1
defaults:
  settings:
    execution_environment: gen1
services:
  app: {}
jobs:
  job: {}
"""


def test_a_job_stating_gen1_is_refused_at_its_line(tmp_path: Path) -> None:
    profiles = write_profile(tmp_path / "profiles", GEN1)
    _, problems = validate_directory(profiles)
    (problem,) = problems
    assert problem.line == 6, problem
    assert "execution_environment gen1 is not possible for a job" in problem.message
    assert "only use the second generation execution environment" in problem.message
    with pytest.raises(ProfileError):
        load_profile(profiles, "prod")
    done = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    said = done.stdout + done.stderr
    assert "prod.yaml:6" in said and "not possible for a job" in said, said


def test_a_default_gen1_applies_to_the_services_not_to_a_job(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path / "profiles", DEFAULT_GEN1), "prod")
    by_name = {s.name: s for s in profile.services.values()}
    assert by_name["app"].settings["execution_environment"].value == "gen1"
    assert "execution_environment" not in by_name["job"].settings
