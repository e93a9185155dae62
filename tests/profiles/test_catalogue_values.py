"""Catalogue values a profile may give: what Google would not apply as written is refused at
file:line, and the JSON Schema accepts what the loader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProfileError
from drift.profiles.loader import load_profile


def _problems(profiles_dir: Path) -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "staging")
    return [str(p) for p in caught.value.problems]


def _settings(profiles_dir: Path, settings: str) -> None:
    (profiles_dir / "staging.yaml").write_text(
        f"project: p\nregion: r\nservices:\n  api:\n    settings:\n      {settings}\n"
    )


def test_a_maximum_of_zero_instances_is_refused(profiles_dir: Path) -> None:
    # RevisionScaling.max_instance_count: "When unspecified, the field is set to the server
    # default value of 100" — a 0 written is unset: the cap would become 100
    _settings(profiles_dir, "max_instances: 0")
    (problem,) = _problems(profiles_dir)
    assert problem.startswith("profiles/staging.yaml:6:") and "max_instances" in problem
    assert "greater than or equal to 1" in problem, problem
    _settings(profiles_dir, "max_instances: 1")
    assert load_profile(profiles_dir, "staging").services["api"].settings["max_instances"]
    _settings(profiles_dir, "min_instances: 0")
    assert load_profile(profiles_dir, "staging").services["api"].settings["min_instances"]
