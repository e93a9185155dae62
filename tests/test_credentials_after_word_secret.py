"""Regression (found by review revown30): drift/credentials.py `_SHOWN_REFERENCE` (F1,
commit 4075a4b/3a31fd6) exempts ANY text `secret NAME:VALUE` from the `key: value` rule, so a
real credential written after the word "secret" is no longer found, hence never registered
(drift/live/remember.py) nor masked. On fb9eeff every one of these was found."""

from __future__ import annotations

import pytest

from drift import credentials, redact


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


GOOGLE_DENIED = (
    "spec.template.spec.containers[0].env[2].value_from.secret_key_ref.name: Permission denied "
    "on secret: projects/4/secrets/shared/versions/latest for Revision service account "
    "runner@p.iam.gserviceaccount.com."
)
"""Google's words when a job's execution cannot reach a secret (drift/sandbox/validate.py)."""


def test_a_secret_named_after_secret_colon_is_a_reference_not_a_value() -> None:
    """revjobs67 F2: the secret Google names is what the operator must grant, never `***`;
    only a whole resource name there is one (a regional secret's too)."""
    assert credentials.credential_pieces(GOOGLE_DENIED) == []
    regional = "secret: projects/p/locations/us-east1/secrets/db/versions/2 is not accessible"
    assert credentials.credential_pieces(regional) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("secret: Hunter2Hunter2", "Hunter2Hunter2"),
        (
            "secret: projects/4/secrets/s/versions/1,Hunter2",
            "projects/4/secrets/s/versions/1,Hunter2",
        ),
        ("client_secret: projects/4/secrets/shared", "projects/4/secrets/shared"),
        ("--secret projects/4/secrets/shared", "projects/4/secrets/shared"),
        ("secret: projects/4/secretsX/shared", "projects/4/secretsX/shared"),
    ],
)
def test_what_is_not_a_whole_name_after_secret_colon_stays_a_credential(
    text: str, value: str
) -> None:
    assert value in credentials.credential_pieces(text)


def test_a_secret_value_shaped_like_a_secret_name_is_still_masked() -> None:
    """SPEC invariant 1: a secret's value that reads like a resource name is masked wherever
    it appears, Google's sentence included: the exemption is of a name, not of what drift read."""
    value = "projects/4/secrets/shared/versions/latest"
    redact.register_payload(value.encode(), "projects/p/secrets/odd/versions/1")
    shown = redact.mask(GOOGLE_DENIED, echo=True)
    assert value not in shown and "on secret: *** for Revision" in shown, shown
