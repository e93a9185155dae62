"""Regression (found by review revown30): drift/credentials.py `_SHOWN_REFERENCE` (F1,
commit 4075a4b/3a31fd6) exempts ANY text `secret NAME:VALUE` from the `key: value` rule, so a
real credential written after the word "secret" is no longer found, hence never registered
(drift/live/remember.py) nor masked. On fb9eeff every one of these was found."""

from __future__ import annotations

import pytest

from drift import credentials


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("--auth-mode client secret password:Hunter2Hunter2", "Hunter2Hunter2"),
        ("Authorization: secret token:abcdef1234567890XYZ", "abcdef1234567890XYZ"),
        ("db secret api-key:Sup3rS3cretValue", "Sup3rS3cretValue"),
    ],
)
def test_a_credential_after_the_word_secret_is_still_a_credential(text: str, value: str) -> None:
    assert value in credentials.credential_pieces(text)
