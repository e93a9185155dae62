"""A chain of `extends` longer than drift merges (MAX_EXTENDS) is a profile error at the
`extends` line where it goes past the limit, exit 2: each profile merged is a frame of
`_Loader.resolve`, and a chain of 1,000 profiles (a generated directory, a hostile pull
request that CI validates) was `internal error: RecursionError` (revyaml87 F3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProfileError
from drift.profiles.loader import MAX_EXTENDS, load_profile, validate_directory
from tests.cliutil import drift


def _chain(directory: Path, length: int) -> None:
    """p0 extends p1 ... extends p{length - 1}, which names the project and a service."""
    for i in range(length - 1):
        (directory / f"p{i}.yaml").write_text(f"extends: p{i + 1}\n")
    (directory / f"p{length - 1}.yaml").write_text(
        "project: acme-x\nregion: us-central1\nservices:\n  api:\n    env:\n      A: x\n"
    )


def test_a_chain_as_long_as_the_limit_is_read(tmp_path: Path) -> None:
    _chain(tmp_path, MAX_EXTENDS + 1)
    assert set(load_profile(tmp_path, "p0").services) == {"api"}


def test_one_past_the_limit_is_said_where_it_goes_past(tmp_path: Path) -> None:
    _chain(tmp_path, MAX_EXTENDS + 2)
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path, "p0")
    said = [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]
    assert said == [
        (
            f"p{MAX_EXTENDS}.yaml",
            1,
            f"extends: more than {MAX_EXTENDS} profiles extend one another "
            f"(p0 -> ... -> p{MAX_EXTENDS} -> p{MAX_EXTENDS + 1})",
        )
    ]
    problems = validate_directory(tmp_path)[1]
    assert [(Path(p.file).name, p.line, p.message) for p in problems] == said


def test_a_thousand_profiles_in_a_chain_are_a_profile_error_not_a_crash(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    _chain(profiles, 1100)
    for args in (("profiles", "validate", "profiles"), ("check", "p0")):
        done = drift(*args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "internal error" not in done.stderr and "Recursion" not in done.stderr
        assert "profiles/p32.yaml:1: extends: more than 32 profiles" in done.stderr
