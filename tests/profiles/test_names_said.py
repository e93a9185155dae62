"""An environment or a base that is not there is answered with the profiles that are: the
first twenty and how many more (a directory of hundreds made a message of kilobytes), and the
one the name was likely meant to be (`stagign`: staging), for `check ENV` as for `extends`."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProfileError, UsageError
from drift.profiles.loader import load_profile
from tests.profiles.conftest import WriteProfile

ENVIRONMENT = "project: p\nregion: us-central1\nservices:\n  api: {}\n"


@pytest.fixture
def many(write: WriteProfile) -> list[str]:
    """30 environments, env00 … env29, and staging."""
    names = [f"env{i:02}" for i in range(30)]
    for name in [*names, "staging"]:
        write(name, ENVIRONMENT)
    return [*names, "staging"]


def test_an_unknown_environment_lists_twenty_and_says_how_many_more(
    many: list[str], profiles_dir: Path
) -> None:
    with pytest.raises(UsageError) as caught:
        load_profile(profiles_dir, "nosuch")
    message = caught.value.message
    assert message.endswith(f"(available: {', '.join(many[:20])} and 11 more)"), message
    assert many[20] not in message and "did you mean" not in message


def test_a_misspelt_environment_is_told_the_likely_one(many: list[str], profiles_dir: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_profile(profiles_dir, "stagign")
    assert caught.value.message.endswith(" and 11 more; did you mean staging?)")


def test_extends_of_a_missing_base_says_the_same(
    many: list[str], write: WriteProfile, profiles_dir: Path
) -> None:
    write("qa", "extends: stagin\n" + ENVIRONMENT)
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "qa")
    problem = str(caught.value.problems[0])
    assert problem.endswith(" and 12 more; did you mean staging?)"), problem
    assert "env20" not in problem
