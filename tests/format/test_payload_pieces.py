"""What of a structured payload is a secret of its own (`drift.payload_pieces`, helper-646 F2)
and what stays shown: names drift prints anyway (a project id, a service account's e-mail, a
token endpoint) and words (`service_account`) are no pieces; base64 wrapped in lines is masked
with any line break (helper-646 F1), of text and of bytes alike."""

from __future__ import annotations

import base64
import json

from drift import redact
from drift.payload_pieces import payload_pieces
from drift.secretforms import payload_form, wrapped

VERSION = "projects/5/secrets/s/versions/1"


def test_a_service_account_keys_pieces_are_its_secrets_and_its_names_are_not() -> None:
    key = {
        "type": "service_account",
        "project_id": "acme-prod-2024",
        "private_key_id": "7c2e9a4b1d8f3e6a0c5b9d2e7f1a4c8b3d6e9f0a",
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n-----END",
        "client_email": "sa@acme-prod-2024.iam.gserviceaccount.com",
        "client_id": "123456789012345678901",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    pieces = payload_pieces(json.dumps(key))
    assert pieces == {  # the project's id is spared where it is a public name (below)
        ".project_id": "acme-prod-2024",
        ".private_key_id": key["private_key_id"],
        ".private_key.line1": "MIIEvQIBADANBgkqhkiG9w0BAQEF",
    }


def test_a_database_urls_password_is_one_as_written_and_decoded() -> None:
    url = "postgresql://app:Hq7%23Zr2Kc9dPm4W@10.0.0.5:5432/app?sslmode=require&sslkey=Tn3fJd6L1"
    assert payload_pieces(url) == {
        ".url0.password": "Hq7%23Zr2Kc9dPm4W",
        ".url0.password-decoded": "Hq7#Zr2Kc9dPm4W",
    }  # `require` is a word; `Tn3fJd6L1` (9) is shorter than a piece


def test_a_piece_that_only_repeats_a_public_name_is_not_masked() -> None:
    redact.register_public("acme-stage-2031", "us-central1")
    redact.register_payload(b"PROJECT_LINE\nacme-stage-2031\nTOKEN=Zq8Lm2Kx7Wv4Np3R\n", VERSION)
    assert redact.mask("from acme-stage-2031/us-central1") == "from acme-stage-2031/us-central1"
    assert redact.mask("X=TOKEN=Zq8Lm2Kx7Wv4Np3R") == "X=***"


def test_a_piece_is_withheld_by_name_and_given_back() -> None:
    data = b'{"private_key_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "n": 1}'
    redact.register_payload(data, VERSION)
    pieces = redact.secret_pieces("id=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")
    assert pieces is not None and pieces[0] == "id="
    version, form = pieces[1]  # type: ignore[misc]
    assert (version, form) == (VERSION, "piece/.private_key_id")
    assert payload_form(data, form) == "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"


def test_wrapped_base64_is_masked_with_any_line_break_for_text_and_bytes() -> None:
    text = b"a text payload long enough to wrap: " + b"Kx9" * 40
    keystore = bytes(range(256)) * 2  # not UTF-8: a keystore's bytes
    for data, name in ((text, "whole/base64-wrap76"), (keystore, "bytes/base64-wrap76")):
        redact.register_payload(data, VERSION)
        lines = wrapped(base64.b64encode(data).decode(), 76)
        assert "\n" in lines
        for copy in (lines, lines.replace("\n", "\r\n"), lines + "\n"):
            assert redact.mask(f"B64={copy}").strip() == "B64=***", copy[:20]
        pieces = redact.secret_pieces(lines)
        assert pieces is not None and pieces[0][0] == VERSION, pieces  # type: ignore[index]
        assert pieces[0][1] == name and payload_form(data, name) == lines  # type: ignore[index]
    short = wrapped(base64.b64encode(b"short value").decode(), 76)
    assert "\n" not in short  # one line: the base64 form it always was


def test_a_payload_inside_a_base64_document_is_masked_at_every_offset() -> None:
    """helper-646 F3: a config blob's base64 holding a secret was masked only where the secret
    began on a 3-byte boundary of the document."""
    url = "postgresql://app:Hq7%23Zr2Kc9dPm4W@10.0.0.5:5432/app"
    redact.register_payload(url.encode(), VERSION)
    for lead in ("", "#", "##"):
        doc = f'{lead}{{"database": {{"url": "{url}"}}, "debug": false}}'
        blob = base64.b64encode(doc.encode()).decode()
        shown = redact.mask(f"APP_CONFIG_B64={blob}")
        assert "***" in shown and len(shown) < len(blob) - 40, (lead, shown)
        pieces = redact.secret_pieces(blob)
        assert pieces is not None, lead
        rebuilt = "".join(
            p if isinstance(p, str) else payload_form(url.encode(), p[1]) or "?" for p in pieces
        )
        assert rebuilt == blob, lead  # the journal gives the exact blob back


def test_the_decoded_text_of_a_payload_stored_in_base64_is_a_secret() -> None:
    """helper-646 F4: a token kept base64-encoded in Secret Manager, copied decoded."""
    stored = base64.b64encode(b"Rw8Tn2Ky6Lp4Hz9Xc1Vb-live")
    redact.register_payload(stored, VERSION)
    assert redact.mask("PARTNER_REF=Rw8Tn2Ky6Lp4Hz9Xc1Vb-live") == "PARTNER_REF=***"
    pieces = redact.secret_pieces("Rw8Tn2Ky6Lp4Hz9Xc1Vb-live")
    assert pieces == [(VERSION, "piece/.decoded")], pieces
    assert payload_form(stored, "piece/.decoded") == "Rw8Tn2Ky6Lp4Hz9Xc1Vb-live"
    assert payload_pieces("7c2e9a4b1d8f3e6a0c5b9d2e7f1a4c8b") == {}  # hex: no text inside
