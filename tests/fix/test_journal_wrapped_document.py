"""helper-656 MEDIUM-4 and LOW-1 through the real CLI: a plain variable holding the base64 of a
config document with a secret inside, wrapped in lines as `base64 config.json` prints it (76
columns; 64 with CRLF), a database password's base64 and a Basic header built from it, and the
second `password:` of a YAML secret, were shown by `check`, written into the profile `init
--from-live` writes and into the journal of `drift fix`. Each is masked, not copied by init,
withheld by the journal (its version, form and where the line breaks stood), and a rollback
puts the exact value back."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from drift.echoes import inner_base64
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    app_run_as,
    fix_withheld,
    init_copy_withheld,
    one_project,
    reading,
    rolled_back_to,
    warned_app,
)

LAB = "lab-wrapped"
TOKEN = "Zq8Lm3Vt6Nw1Rb4Kc7-secret-token-value-0123456789abcdef"
PASSWORD = "Hq7#Zr2Kc9dPm4W!"
URL = f"postgresql://app:{PASSWORD.replace('#', '%23')}@10.0.0.5:5432/app"
CACHE = "db:\n  password: Aaaa1111Bbbb2222\ncache:\n  password: Cccc3333Dddd4444\n"


def _wrapped(offset: int, width: int, end: str) -> str:
    doc = json.dumps({"name": "x" * (60 + offset), "api_token": TOKEN, "tail": "y" * 100})
    text = base64.b64encode(doc.encode()).decode()
    return end.join(text[i : i + width] for i in range(0, len(text), width))


COPIES = {
    "CONFIG_B64": _wrapped(0, 76, "\n"),
    "CONFIG_B64_1": _wrapped(1, 76, "\n"),
    "CONFIG_B64_CRLF": _wrapped(2, 64, "\r\n"),
    "REPLICA_B64": base64.b64encode(PASSWORD.encode()).decode(),
    "UPSTREAM_HEADER": "Basic " + base64.b64encode(f"app:{PASSWORD}".encode()).decode(),
    "REDIS_SUFFIX": "Cccc3333Dddd4444",
}
CHUNKS = [  # 16 characters of each form a copy holds its secret in
    *(inner_base64(TOKEN.encode(), n)[4:20] for n in range(3)),
    *(inner_base64(PASSWORD.encode(), n)[4:20] for n in range(3)),
    "Cccc3333Dddd4444",
    PASSWORD,
]
ACCOUNT = f"api@{LAB}.iam.gserviceaccount.com"
PROFILE = (
    warned_app(LAB) + "      TOKEN: {secret: token, min_length: 8}\n"
    '      DATABASE_URL: {secret: database-url, pattern: "^postgresql://"}\n'
    "      CACHE: {secret: cache, min_length: 8}\n"
)


def _world() -> dict[str, Any]:
    reader = reading(ACCOUNT)
    env: dict[str, Any] = {
        "MODE": "old",
        "TOKEN": {"secret": "token"},
        "DATABASE_URL": {"secret": "database-url"},
        "CACHE": {"secret": "cache"},
        **COPIES,
    }
    secrets = {
        "token": {"versions": [TOKEN], "iam": reader},
        "database-url": {"versions": [URL], "iam": reader},
        "cache": {"versions": [CACHE], "iam": reader},
    }
    return one_project(
        app_run_as(ACCOUNT, env), secrets=secrets, project=LAB, number=555000111444, seed=5
    )


def _leaks(text: str) -> list[str]:
    """The chunks `text` holds, its line breaks (and their JSON escapes) removed."""
    flat = text
    for end in ("\\r", "\\n", "\r", "\n"):
        flat = flat.replace(end, "")
    return [chunk for chunk in CHUNKS if chunk in flat]


def test_wrapped_documents_and_encoded_pieces_are_masked_withheld_and_restored(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    profile = ("lab", PROFILE)
    for fmt in ("table", "json"):
        done = drift_on(sandbox, tmp_path, profile, "check", "lab", "--format", fmt)
        out = done.stdout + done.stderr
        assert done.returncode == 1 and "Traceback" not in out, out
        assert not _leaks(out), (fmt, _leaks(out))
        assert all(name in done.stdout for name in COPIES), done.stdout  # found, masked
    init_copy_withheld(sandbox, tmp_path, profile, _leaks, LAB)
    forms = fix_withheld(sandbox, tmp_path, profile, _leaks)
    assert {"piece/.password~2", "piece/.url0.password-decoded/base64"} <= forms, forms
    assert {"n", "rn"} <= {f.rpartition(":")[2] for f in forms if "@" in f}, forms  # LF, CRLF
    rolled_back_to(sandbox, tmp_path, profile, LAB, COPIES)
