"""`drift demo --profiles DIR` reads the profiles its story uses before it starts anything:
a broken one is one profile error at its file:line and exit 2, as any command gives, not the
same problems said by each of the 8 steps and "8 of 8 steps did not behave", exit 1 (which
would read as drift found)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cliutil import REPO, drift


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    return tmp_path / "profiles"


def test_a_broken_profile_of_the_story_is_one_error_before_the_sandbox_starts(
    profiles: Path,
) -> None:
    with (profiles / "e2e.yaml").open("a") as out:
        out.write("nonsense: 1\n")
    line = len((profiles / "e2e.yaml").read_text().splitlines())
    done = drift("demo", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""  # no sandbox started, no step run
    assert done.stderr.startswith(f"drift: error: profiles/e2e.yaml:{line}: unknown key 'nonsense'")
    assert len(done.stderr.splitlines()) == 1, done.stderr


def test_an_emptied_base_is_one_error(profiles: Path) -> None:
    (profiles / "staging.yaml").write_text("")
    done = drift("demo", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert "staging" in done.stderr and "step" not in done.stderr


def test_a_story_profile_that_is_not_a_file_is_said_as_check_says_it(profiles: Path) -> None:
    """helper-519: an e2e.yaml that is a directory was "no /abs/path/e2e.yaml"; it is said as
    `drift check e2e` says it, and a missing one with the path as given."""
    (profiles / "e2e.yaml").unlink()
    (profiles / "e2e.yaml").mkdir()
    done = drift("demo", "--profiles", "profiles", cwd=profiles.parent)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "drift: error: no profile for environment 'e2e': profiles/e2e.yaml is a directory, not "
        "a profile file\n"
    )
    (profiles / "e2e.yaml").rmdir()
    done = drift("demo", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "drift: error: the demo needs the example profiles: no profiles/e2e.yaml "
    ), done.stderr
