"""helper-617 F3: a job's profile stating `max_retries` above 10 or `task_count` above 10,000
loaded, was planned, and `drift fix` sent what Cloud Run refuses (INVALID_ARGUMENT), while a
task timeout over 168 hours was already refused at its line. Cloud Run documents both: "0 to
10" retries (cloud.google.com/run/docs/configuring/max-retries), "up to 10,000 tasks"
(cloud.google.com/run/docs/create-jobs). Each is now refused at its line, saying the
documented maximum and where; the documented maximum itself loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import validate_directory
from tests.cliutil import drift
from tests.jobs.world import JOB_SETTINGS, write_profile

PROFILE = (
    JOB_SETTINGS
    + """\
      max_retries: {retries}
      task_count: {tasks}
"""
)


@pytest.mark.parametrize(
    ("retries", "tasks", "line", "said"),
    [
        (11, 10_000, 6, "11 is above the 10 Cloud Run takes (0 to 10 retries"),
        (10, 10_001, 7, '10001 is above the 10000 Cloud Run takes ("up to 10,000 tasks"'),
    ],
)
def test_above_the_documented_maximum_is_refused_at_its_line(
    tmp_path: Path, retries: int, tasks: int, line: int, said: str
) -> None:
    assert (
        validate_directory(
            write_profile(tmp_path / "ok", PROFILE.format(retries=10, tasks=10_000))
        )[1]
        == []
    )
    profiles = write_profile(tmp_path / "profiles", PROFILE.format(retries=retries, tasks=tasks))
    (problem,) = validate_directory(profiles)[1]
    assert problem.line == line and said in problem.message, problem
    done = drift("check", "prod", "--profiles", str(profiles), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"prod.yaml:{line}" in done.stdout + done.stderr
