"""A variable name holding a character a screen shows as nothing or as another is noted at
its line (helper-527 F7): `"H\\u200b": {forbidden: true}` reads `H: {forbidden: true}` in a
review, and guards another variable than H — the check was clean with H set, and nothing said
why. Cloud Run takes such names, so the profile stays valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import validate_directory

PROFILE = """\
project: acme-staging
region: us-central1
services:
  api:
    env:
      "{name}": {{forbidden: true}}
      PLAIN_NAME: {{forbidden: true}}
    containers:
      proxy:
        env:
          "{name}": y
"""


@pytest.mark.parametrize(
    ("name", "shown"),
    [("H\\u200b", "H\\u200b"), ("C\\u00a0", "C\\xa0"), ("X\\u2060", "X\\u2060"),
     ("E\\u0301", "E\\u0301")],
    ids=["zero-width-space", "no-break-space", "word-joiner", "combining-accent"],
)  # fmt: skip
def test_a_name_with_characters_no_one_sees_is_noted_where_written(
    tmp_path: Path, name: str, shown: str
) -> None:
    (tmp_path / "staging.yaml").write_text(PROFILE.format(name=name))
    notes: list = []
    names, problems = validate_directory(tmp_path, notes)
    assert names == ["staging"] and problems == []  # valid: Cloud Run takes the name
    said = sorted(str(n) for n in notes)
    expected = (
        f"the variable {shown} holds characters that show as nothing or as others (escaped "
        "here): the rule is that name's, not the one it reads as"
    )
    assert said == sorted(
        [
            f"{tmp_path / 'staging.yaml'}:6: {expected}",
            f"{tmp_path / 'staging.yaml'}:11: {expected}",
        ]
    ), said
