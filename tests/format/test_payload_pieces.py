"""What of a structured payload is a secret of its own (`drift.payload_pieces`, helper-646 F2)
and what stays shown: names drift prints anyway (a project id, a service account's e-mail, a
token endpoint) and words (`service_account`) are no pieces; base64 wrapped in lines is masked
with any line break (helper-646 F1), of text and of bytes alike."""

from __future__ import annotations

import base64
import json

from drift import redact
from drift.echoes import wrapped
from drift.payload_pieces import payload_pieces
from drift.secretforms import payload_form

VERSION = "projects/5/secrets/s/versions/1"


def test_a_service_account_keys_pieces_are_its_secrets_and_its_names_are_not() -> None:
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    key = {
        "type": "service_account",
        "project_id": "acme-prod-2024",
        "private_key_id": "7c2e9a4b1d8f3e6a0c5b9d2e7f1a4c8b3d6e9f0a",
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{body}\nQ==\n-----END PRIVATE KEY-----\n",
        "client_email": "sa@acme-prod-2024.iam.gserviceaccount.com",
        "client_id": "123456789012345678901",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    assert payload_pieces(json.dumps(key)) == {
        ".private_key_id": key["private_key_id"],
        ".private_key": key["private_key"].strip(),
        ".private_key.pem0.line0": body,  # `Q==` is too little of it to take alone
    }


def test_a_json_configs_ordinary_fields_are_no_pieces() -> None:
    """helper-656 HIGH-1: every token-like field of a JSON config was a secret, so its
    `env`, `image`, `billing_project` and `sentry_release`, copied as plain values, were
    masked in check and plan, withheld by init, and the service's image written `***`."""
    config = {
        "env": "production-2024",
        "api_key": "Zq8Lm3Vt6Nw1Rb4Kc7",
        "image": "us-docker.pkg.dev/lab/app:v1.2.3",
        "billing_project": "acme-billing-42",
        "region": "europe-west1",
        "sentry_release": "app-00042-xyz",
    }
    assert payload_pieces(json.dumps(config)) == {".api_key": "Zq8Lm3Vt6Nw1Rb4Kc7"}
    redact.register_payload(json.dumps(config).encode(), VERSION)
    for value in config.values():
        if value != config["api_key"]:
            assert redact.mask(f"X={value}") == f"X={value}", value
            assert redact.secret_pieces(value) is None, value


def test_a_hostile_payload_is_no_structure_and_no_crash() -> None:
    """helper-656 HIGH-2: `[` 5,000 deep made json raise RecursionError out of check and init."""
    for text in ("[" * 5000, "[" * 2000 + "]" * 2000, '{"a":' * 900 + '"x"' + "}" * 900):
        assert payload_pieces(text) == {}
        redact.register_payload(text.encode(), VERSION)


def test_a_short_url_password_is_no_piece() -> None:
    """helper-656 MEDIUM-2: `pw` made every text holding those letters a copy of the secret."""
    redact.register_payload(b"postgresql://postgres:pw@10.0.0.5:5432/app", VERSION)
    assert redact.secret_pieces("pwa,offline,push") is None
    assert redact.mask("https://www.example.com/pwd-reset") == "https://www.example.com/pwd-reset"


def test_a_database_urls_password_is_one_as_written_and_decoded() -> None:
    url = "postgresql://app:Hq7%23Zr2Kc9dPm4W@10.0.0.5:5432/app?sslmode=require&token=Tn3fJd6L1"
    assert payload_pieces(url) == {
        ".url0.password": "Hq7%23Zr2Kc9dPm4W",
        ".url0.password-decoded": "Hq7#Zr2Kc9dPm4W",
        ".url0.query.token": "Tn3fJd6L1",
    }  # `require` is no credential's value


def test_a_dotenv_payloads_credentials_are_pieces_and_its_settings_are_not() -> None:
    text = (
        "\ufeffLOG_LEVEL=debug-verbose-2\nDB_PASSWORD='Zq8Lm2Kx7Wv4Np3R'\napi_token: Tn3fJd6Ls1Yv\n"
    )
    assert payload_pieces(text) == {
        ".DB_PASSWORD": "Zq8Lm2Kx7Wv4Np3R",
        ".api_token": "Tn3fJd6Ls1Yv",
    }


def test_a_piece_that_only_repeats_a_public_name_is_not_masked() -> None:
    redact.register_public("acme-stage-2031", "us-central1")
    redact.register_payload(b"DB_PASSWORD=acme-stage-2031\nTOKEN=Zq8Lm2Kx7Wv4Np3R\n", VERSION)
    assert redact.mask("from acme-stage-2031/us-central1") == "from acme-stage-2031/us-central1"
    assert redact.mask("X=Zq8Lm2Kx7Wv4Np3R") == "X=***"


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
    for data, shape in ((text, "whole"), (keystore, "bytes")):
        redact.register_payload(data, VERSION)
        lines = wrapped(base64.b64encode(data).decode(), 76)
        assert "\n" in lines
        for copy in (lines, lines.replace("\n", "\r\n"), lines + "\n"):
            assert redact.mask(f"B64={copy}").strip() == "B64=***", copy[:20]
        for end, name in (("\n", "base64-wrap76"), ("\r\n", "base64-wrap76-crlf")):
            copy = lines.replace("\n", end)  # helper-656 HIGH-3: CRLF, withheld too
            pieces = redact.secret_pieces(copy)
            assert pieces is not None and pieces[0][0] == VERSION, pieces  # type: ignore[index]
            form = f"{shape}/{name}"
            assert pieces[0][1] == form and payload_form(data, form) == copy  # type: ignore[index]
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


def test_two_json_fields_are_two_pieces_whatever_their_keys() -> None:
    """helper-656 LOW-1: `{"a.b": …}` and `{"a": {"b": …}}` were both named `.a.b`, and the
    second was no piece."""
    doc = {"db.password": "tokenAAAA1111", "db": {"password": "tokenBBBB2222"}}
    pieces = payload_pieces(json.dumps(doc))
    assert sorted(pieces.values()) == ["tokenAAAA1111", "tokenBBBB2222"], pieces
    for name, piece in pieces.items():
        assert payload_form(json.dumps(doc).encode(), f"piece/{name}") == piece


def test_each_key_of_a_secret_that_lists_keys_is_a_piece() -> None:
    """helper-657 HIGH-1: a secret holding several keys (one a line: a rotation pair; a JSON
    list) gave no piece once only credential-named fields counted (0804116a), so init wrote a
    plain copy of one key into the profile; a JSON config's fields still give none."""
    lines = "tangerine-orbit-quietly-9\nmarble-cactus-vividly-4\n"
    listed = json.dumps(
        ["3f2b8c1e-7a4d-4e9b-b6c2-1d0f9e8a7b6c", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b"]
    )
    for payload, key in (
        (lines, "marble-cactus-vividly-4"),
        (listed, "3f2b8c1e-7a4d-4e9b-b6c2-1d0f9e8a7b6c"),
    ):
        redact.register_payload(payload.encode(), VERSION)
        pieces = redact.secret_pieces(key)
        assert pieces is not None and pieces[0][0] == VERSION, (payload, pieces)  # type: ignore[index]
        assert payload_form(payload.encode(), pieces[0][1]) == key  # type: ignore[index]
        assert redact.mask(f"FALLBACK={key}") == "FALLBACK=***"
    # a dotenv file is no list of keys: its settings stay shown
    assert payload_pieces("LOG_LEVEL=debug-verbose\nREGION=europe-west1\n") == {}
