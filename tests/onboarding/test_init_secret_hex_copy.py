"""helper-618 F8: a hex-encoded copy of a secret's value (a binary key kept in Secret Manager,
its hex in a plain variable) was written into the profile verbatim by `init --from-live`, where
its base64 and other encodings were withheld. Its hex, in either case, is one of the forms a
copy may hold (`secretforms.ECHOES`, `bytes_forms`); as for every form, only of a payload long
enough to be told from an ordinary value (`SEARCH_MIN`). The sandbox takes text payloads only:
the end-to-end test copies a text payload's hex, the binary one registers the payload as init's
read does (`redact.register_payload`) and asks init's own rule (`Known.why`)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from drift import redact
from drift.onboarding.init import init_from_live
from drift.onboarding.withheld import Known
from drift.secretforms import payload_form
from drift.settings import load_settings
from tests.conftest import MakeSandbox

VALUE = "Zq7pX2mK9vLw4RtY8nB3cD6fG1hJ5kS0"
SHORT = "on-1234"  # 7 characters: told from no ordinary value, so neither is its hex
ACCOUNT = "serviceAccount:500000000009-compute@developer.gserviceaccount.com"
IMAGE = "us-docker.pkg.dev/p1/app/api:1"


def test_init_withholds_a_hex_copy_of_a_secrets_value(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hexed = VALUE.encode().hex()
    scenario = {
        "projects": {
            "p1": {
                "number": 500000000009,
                "region": "us-central1",
                "iam": {"roles/secretmanager.secretAccessor": [ACCOUNT]},
                "secrets": {
                    "upstream": {"versions": [VALUE + "\n"]},
                    "flag": {"versions": [SHORT]},
                },
                "services": {
                    "svc-a": {
                        "template": {
                            "image": IMAGE,
                            "env": {"UPSTREAM": {"secret": "upstream"}, "FLAG": {"secret": "flag"}},
                        }
                    },
                    "svc-b": {
                        "template": {
                            "image": IMAGE,
                            "env": {
                                "HEXED": hexed,
                                "HEXED_UPPER": hexed.upper(),
                                "HEXED_WHOLE": (VALUE + "\n").encode().hex(),
                                "SHORT_HEX": SHORT.encode().hex(),
                            },
                        }
                    },
                },
            }
        }
    }
    sandbox = make_sandbox(scenario)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="p1", region="us-central1", wait=0)
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 12, 6)))
    text = (tmp_path / "prod.yaml").read_text()
    assert hexed not in text.lower(), text
    for name in ("HEXED", "HEXED_UPPER", "HEXED_WHOLE"):
        line = next(s.strip() for s in text.splitlines() if s.strip().startswith(f"{name}:"))
        assert line.startswith(f"{name}: {{required: true}}  # holds the value of secret upstream")
    assert "svc-b.HEXED (holds the value of secret upstream" in str(result.copies)
    # a 7-character value's hex (14 characters) is an ordinary value: copied
    assert f"SHORT_HEX: {SHORT.encode().hex()}" in text, text


KEY = bytes(range(0xE0, 0x100))  # 32 bytes, not UTF-8: a binary key
VERSION = "projects/5/secrets/key/versions/1"


@pytest.mark.parametrize("form", [KEY.hex(), KEY.hex().upper()], ids=["hex", "HEX"])
def test_a_binary_keys_hex_is_withheld_masked_and_given_back(form: str) -> None:
    redact.register_payload(KEY, VERSION)
    known = Known({}, frozenset(), {})
    assert known.why("KEY_HEX", form) == "holds the value of secret 5/key (version 1)"
    assert redact.mask(f"KEY_HEX={form}") == "KEY_HEX=***"
    pieces = redact.secret_pieces(form)
    assert pieces is not None
    [(version, shape)] = pieces  # type: ignore[misc]
    assert version == VERSION and payload_form(KEY, shape) == form


def test_a_short_binary_payloads_hex_is_an_ordinary_value() -> None:
    short = b"\xde\xad\xbe\xef"  # its hex, `deadbeef`, is 8 characters: no easier to tell
    redact.register_payload(short, "projects/5/secrets/tiny/versions/1")
    assert Known({}, frozenset(), {}).why("BUILD", short.hex()) == ""
    assert redact.mask(f"BUILD={short.hex()}") == f"BUILD={short.hex()}"
