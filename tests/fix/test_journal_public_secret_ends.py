"""A plain value that is all a public part of a read secret's payload (`drift.public_ends`: a
DSN's `scheme://host:port` without userinfo, PEM armour, a service account key's fixed members)
is journalled as text, so a rollback after a routine rotation (v2 added, v1 destroyed) puts it
back (helper-746 F2: refused, exit 4, "cannot read … versions/1 again"). helper-757's halves of
structured secrets (F1-F3) stay withheld by version, every one: none in the entry's JSON or its
bytes, and the rollback puts them back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import LAB, fixed_journal, lab_name, rollback
from tests.public_ends_cases import HALVES, PUBLIC, PUBLIC_SECRETS, SPLITS

ACCOUNT = f"app@{LAB}.iam.gserviceaccount.com"
READER = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
SPLIT_SECRETS = {name.lower(): payload for name, (payload, _) in SPLITS.items()}


def _world(secrets: dict[str, str], values: dict[str, str]) -> dict[str, Any]:
    env: dict[str, Any] = {"DEBUG": "true", **{f"S_{s.upper()}": {"secret": s} for s in secrets}}
    return {
        "options": {"seed": 3},
        "projects": {LAB: {"number": 111000111000, "region": "us-central1", "iam": READER,
            "secrets": {name: {"versions": [value]} for name, value in secrets.items()},
            "services": {"app": {"template": {"service_account": ACCOUNT,
                "env": env | values}}}}},
    }  # fmt: skip


def _profile(secrets: dict[str, str], values: dict[str, str]) -> str:
    refs = "".join(f"      S_{s.upper()}: {{secret: {s}, min_length: 8}}\n" for s in secrets)
    kept = "".join(f"      {name}: {{required: true}}\n" for name in values)
    head = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    return head + "      DEBUG: {forbidden: true}\n" + refs + kept


def _values(clients: Clients, names: dict[str, str]) -> dict[str, str]:
    svc = clients.services.get_service(name=lab_name())
    return {e.name: e.value for e in svc.template.containers[0].env if e.name in names}


def _journalled(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients: Clients,
    secrets: dict[str, str],
    values: dict[str, str],
) -> tuple[str, bytes]:
    sandbox.reset(_world(secrets, values))
    assert _values(clients, values) == values
    return fixed_journal(sandbox, tmp_path, monkeypatch, _profile(secrets, values))


def test_public_parts_are_journalled_as_text_and_outlive_a_rotation(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> None:
    _, held = _journalled(reseedable, tmp_path, monkeypatch, clients, PUBLIC_SECRETS, PUBLIC)
    assert [name for name, value in PUBLIC.items() if value.encode() not in held] == []
    for name, payload in PUBLIC_SECRETS.items():
        secret = f"projects/{LAB}/secrets/{name}"
        clients.secrets.add_secret_version(parent=secret, payload={"data": payload.encode()})
        clients.secrets.destroy_secret_version(name=f"{secret}/versions/1")
    done = rollback(tmp_path)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert _values(clients, PUBLIC) == PUBLIC


def test_halves_of_structured_secrets_are_all_withheld_and_put_back(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> None:
    text, held = _journalled(reseedable, tmp_path, monkeypatch, clients, SPLIT_SECRETS, HALVES)
    forms = {name: (h := half.strip(), json.dumps(h)[1:-1]) for name, half in HALVES.items()}
    assert [n for n, (h, js) in forms.items() if js in text or h.encode() in held] == []
    records = json.loads(text)["withheld"]
    assert len(records) >= len(HALVES)  # each half (in both fields), none with text of its own
    assert [p for r in records for p in r["pieces"] if isinstance(p, str) and p.strip()] == []
    done = rollback(tmp_path)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert _values(clients, HALVES) == HALVES


PIECE_SECRETS = {  # all secret: a URL's password, a lone passphrase (helper-819 L1, L2)
    "pw": "postgres://app:tiger-lemon-violet-anchor@db.acme.internal/app",
    "phrase": "correct horse battery staple\n",
}
PIECE_PARTS = {"PW_M": "lemon-violet", "PW_A": "tiger-lemon", "PHRASE_M": "horse battery"}


def test_parts_of_all_secret_pieces_are_withheld_and_put_back(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> None:
    """Any part of a piece all secret, whatever its cut: no text of it in the entry's JSON or
    its bytes (at 1009e83a both held `lemon-violet`), and the rollback puts it back exactly."""
    text, held = _journalled(reseedable, tmp_path, monkeypatch, clients, PIECE_SECRETS, PIECE_PARTS)
    assert [n for n, v in PIECE_PARTS.items() if v in text or v.encode() in held] == []
    done = rollback(tmp_path)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert _values(clients, PIECE_PARTS) == PIECE_PARTS
