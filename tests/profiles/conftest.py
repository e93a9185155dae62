"""Fixtures for profile tests: a scratch profiles directory in the working directory."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

WriteProfile = Callable[[str, str], Path]


@pytest.fixture
def profiles_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "profiles"
    directory.mkdir()
    return directory


@pytest.fixture
def write(profiles_dir: Path) -> WriteProfile:
    def _write(name: str, text: str) -> Path:
        path = profiles_dir / f"{name}.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return _write


def assert_refused(profiles_dir: Path, environment: str, problem: str) -> None:
    """Loading `environment` fails with exactly `problem`, and `profiles validate` says the
    same of the directory."""
    from drift.errors import ProfileError
    from drift.profiles.loader import load_profile, validate_directory

    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, environment)
    assert [str(p) for p in caught.value.problems] == [problem]
    assert [str(p) for p in validate_directory(profiles_dir)[1]] == [problem]


def the_problem(directory: Path, text: str, environment: str = "prod") -> str:
    """`text` as ENVIRONMENT's profile in `directory`: the one problem loading it raises."""
    from drift.errors import ProfileError
    from drift.profiles.loader import load_profile

    (directory / f"{environment}.yaml").write_text(text)
    with pytest.raises(ProfileError) as caught:
        load_profile(directory, environment)
    (problem,) = caught.value.problems
    return str(problem)
