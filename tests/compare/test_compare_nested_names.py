"""Two environments whose names (or projects) hold one another: `staging` and `staging-eu`,
`acme-staging` and `acme-staging-eu`. A side's own name is taken out of a value before the
other side's is looked for, but never out of the middle of the other's: staging's
`https://api.staging-eu.example.com` names staging-eu (main: `staging` was taken out of it,
leaving ` -eu`, and nothing was found); and an equal value is said to name the longer name it
holds, not the shorter one inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.compare.run import compare_profiles
from drift.profiles.loader import load_profile

HEAD = "project: {project}\nregion: {region}\nservices:\n  api:\n    env:\n"


def _write(tmp_path: Path, staging: str, eu: str) -> None:
    (tmp_path / "staging.yaml").write_text(
        HEAD.format(project="acme-staging", region="us-central1") + staging
    )
    (tmp_path / "staging-eu.yaml").write_text(
        HEAD.format(project="acme-staging-eu", region="europe-west1") + eu
    )


def _found(tmp_path: Path) -> set[tuple[str, str, str | None, str]]:
    a, b = load_profile(tmp_path, "staging"), load_profile(tmp_path, "staging-eu")
    return {(d.kind.value, d.target, d.side, d.message) for d in compare_profiles(a, b).differences}


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("https://api.staging-eu.example.com", "staging-eu"),
        ("projects/acme-staging-eu/topics/events", "staging-eu's project acme-staging-eu"),
    ],
)
def test_a_value_naming_the_longer_name_is_foreign(tmp_path: Path, value: str, named: str) -> None:
    _write(tmp_path, f"      PEER: {value}\n", "      PEER: https://api.example.com\n")
    assert _found(tmp_path) == {
        ("value.foreign", "env.PEER", "a", f"PEER in staging names {named}")
    }


def test_the_longer_sides_own_name_still_names_nothing_of_the_shorter(tmp_path: Path) -> None:
    """staging-eu's own `api.staging-eu.…` holds `staging`, but names staging-eu only."""
    _write(
        tmp_path,
        "      PEER: https://api.example.com\n",
        "      PEER: https://api.staging-eu.example.com\n",
    )
    assert _found(tmp_path) == set()


def test_an_equal_value_names_the_longer_name_it_holds(tmp_path: Path) -> None:
    both = "      TOPIC: projects/acme-staging-eu/topics/events\n"
    _write(tmp_path, both, both)
    assert _found(tmp_path) == {
        (
            "value.shared",
            "env.TOPIC",
            None,
            "TOPIC names acme-staging-eu in both staging and staging-eu",
        )
    }
