"""helper-656 (older than the session): 64 KiB of random bytes in one secret (a keystore
anyone with secretmanager.versions.add can write) registered its U+FFFD decoding and every
escaped and encoded form of that text — 591 values, 11.7 M characters — and the first mask
took ~94 s, so every check and init of the project took two minutes. A payload that is not
UTF-8 registers what text can hold of it: its bytes' base64 and hex, and its readable runs."""

from __future__ import annotations

import base64
import random

from drift import redact

VERSION = "projects/5/secrets/keystore/versions/1"


def test_a_binary_payload_registers_its_bytes_forms_not_its_replacement_text() -> None:
    data = random.Random(7).randbytes(64 * 1024) + b"\x00alias=signing-key-2026\x00"
    before = sum(map(len, redact._known._values))
    redact.register_payload(data, VERSION)
    added = sum(map(len, redact._known._values)) - before
    assert added < 2_000_000, added  # its base64, hex, wraps: ~0.9 M; the text's forms: 11.7 M
    b64 = base64.b64encode(data).decode()
    assert redact.mask(f"KEYSTORE_B64={b64}") == "KEYSTORE_B64=***"
    assert redact.mask(f"KEY_HEX={data.hex()}") == "KEY_HEX=***"
    said = redact.mask("server: alias=signing-key-2026 refused", echo=True)
    assert "signing-key-2026" not in said, said  # a readable run, in what a server sends
