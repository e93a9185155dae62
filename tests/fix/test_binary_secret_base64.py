"""A secret that is not UTF-8 text (a keystore) is put in a variable as its bytes' base64
(`KEYSTORE_B64=…`). drift registered only the base64 of its U+FFFD-decoded text, so such a copy
was shown in clear (an unnamed sidecar's env.unexpected, in every format) and written whole
into the journal (helper-541 F1). It is masked, withheld, and given back exactly."""

from __future__ import annotations

import base64

import pytest

from drift import redact
from drift.secretforms import payload_form

KEYSTORE = b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + bytes(range(0x80, 0xA0)) + b"\x00entry\xff"
VERSION = "projects/5/secrets/ks/versions/1"


@pytest.mark.parametrize(
    "form",
    [
        base64.b64encode(KEYSTORE).decode(),
        base64.urlsafe_b64encode(KEYSTORE).decode().rstrip("="),
    ],
    ids=["base64", "base64url-unpadded"],
)
def test_a_binary_secrets_base64_is_masked_withheld_and_given_back(form: str) -> None:
    redact.register_payload(KEYSTORE, VERSION)
    assert redact.mask(f"KEYSTORE_B64={form}") == "KEYSTORE_B64=***"
    pieces = redact.secret_pieces(f"x{form}y")
    assert pieces is not None and pieces[0] == "x" and pieces[2] == "y"
    version, shape = pieces[1]  # type: ignore[misc]
    assert version == VERSION
    assert payload_form(KEYSTORE, shape) == form
