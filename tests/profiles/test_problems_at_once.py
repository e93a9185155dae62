"""Every problem of one profile in one run (helper-527 F5): a value YAML reads wrongly (a
number to quote, a duplicate key) and a key or value the profile's model refuses (a typo in a
setting's name, a boolean in quotes) were said in two runs, the second only once the first
was fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ProfileError
from drift.profiles.loader import load_profile, validate_directory
from tests.profiles.conftest import WriteProfile

PROFILE = """
project: acme-staging
region: us-central1
services:
  api:
    settings:
      min_instances: 010
      cpu_throttling: "false"
      timeot: 5s
    env:
      A: x
      A: y
      D: 1.0
"""


def test_yaml_and_model_problems_are_said_together(profiles_dir: Path, write: WriteProfile) -> None:
    write("staging", PROFILE)
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "staging")
    said = [f"{p.line}: {p.message}" for p in caught.value.problems]
    assert said == [
        "6: write 010 in quotes: as a YAML number it reads 10",
        "7: services.api.settings.cpu_throttling: expected a boolean (true or false), not the "
        "string 'false': write it without quotes",
        "8: unknown key 'timeot' (did you mean 'timeout'?) in services.api.settings",
        '11: invalid YAML: duplicate key "A" (first at line 10)',
        '12: services.api.env.D: write "1.0" in quotes, or "1" (the number it reads): a '
        "variable's value is text",
    ]
    assert [str(p) for p in validate_directory(profiles_dir)[1]] == [
        str(p) for p in caught.value.problems
    ]


def test_a_value_already_said_to_be_wrong_is_not_said_again(
    profiles_dir: Path, write: WriteProfile
) -> None:
    """`max_instances: 0x10` is left as written (text) when YAML's reading of it is refused:
    the model would call that text no integer, at the same line, a second message about the
    one mistake."""
    write("staging", PROFILE.replace("timeot: 5s", "max_instances: 0x10"))
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "staging")
    at_8 = [p.message for p in caught.value.problems if p.line == 8]
    assert at_8 == ["write 0x10 in quotes: as a YAML number it reads 16"]


def test_an_unknown_key_on_a_line_with_a_number_to_quote_is_said(
    profiles_dir: Path, write: WriteProfile
) -> None:
    """helper-534: a flow mapping holds a number to quote and a key that is no setting on one
    line; the key was left for the next run."""
    block = (
        '    settings:\n      min_instances: 010\n      cpu_throttling: "false"\n      timeot: 5s\n'
    )
    write("staging", PROFILE.replace(block, "    settings: {min_instances: 010, timeot: 5s}\n"))
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "staging")
    at_5 = sorted(p.message for p in caught.value.problems if p.line == 5)
    assert at_5 == [
        "unknown key 'timeot' (did you mean 'timeout'?) in services.api.settings",
        "write 010 in quotes: as a YAML number it reads 10",
    ]
