"""A plain variable holding a secret's value drift read (a sidecar's copy, a URL around it, its
base64) is never written into the journal, neither as JSON nor in the `…_pb` bytes (SPEC safety
invariant 1; revleak60 F3): the entry records the secret version instead
(`drift.fix.withheld`), and a rollback reads that version again and restores the exact value,
or writes nothing and says what it cannot restore."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here, lab_name, rollback, updates

VALUE = "Bx9Qv7LmNp3Rwt"
B64 = base64.b64encode(VALUE.encode()).decode()
ACCOUNT = f"api@{LAB}.iam.gserviceaccount.com"
COPIES = {"COPY": VALUE, "PFX": f"prefix-{VALUE}-suffix", "B64": B64, "SHORT": "abc"}


def _world() -> dict[str, Any]:
    env: dict[str, Any] = {"TOKEN": {"secret": "s-main"}, "DEBUG": "true", **COPIES}
    return {
        "options": {"seed": 3},
        "projects": {
            LAB: {
                "number": 555000111222,
                "region": "us-central1",
                "secrets": {
                    "s-main": {
                        "versions": [VALUE],
                        "iam": {
                            "roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]
                        },
                    }
                },
                "services": {
                    "app": {
                        "template": {
                            "image": "us-docker.pkg.dev/lab/app:v1",
                            "port": 8080,
                            "service_account": ACCOUNT,
                            "env": env,
                        }
                    }
                },
            }
        },
    }


PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      MODE: live\n      DEBUG: {forbidden: true}\n"
    "      TOKEN: {secret: s-main, min_length: 8}\n"  # the value is read
)


def _plain(clients: Clients) -> dict[str, str]:
    service = clients.services.get_service(name=lab_name())
    return {v.name: v.value for v in service.template.containers[0].env if v.value}


@pytest.fixture
def fixed(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> Iterator[dict[str, str]]:
    """The fix made (the journal recorded); the plain values as they were before it. The
    shared sandbox is given its own scenario back afterwards (`reset()` keeps the current)."""
    default = sandbox.scenario
    sandbox.reset(_world())
    try:
        before = _plain(clients)
        folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
        ui, options = ScriptedUI(), FixOptions(yes=True)
        done = fix(tmp_path, sandbox.environ(), ui, options, None, "lab", folder)
        assert done.exit_code is ExitCode.OK, done.summary()
        yield before
    finally:
        sandbox.reset(default)


def test_the_journal_holds_no_copy_of_a_secret_and_rollback_restores_it(
    fixed: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    journal = tmp_path / ".drift" / "journal"
    (path,) = journal.glob("*.json")
    text = path.read_text()
    data = json.loads(text)
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    for needle in (VALUE, B64, B64.rstrip("=")):  # as JSON, and inside the bytes
        assert needle not in text and needle.encode() not in held
    (entry,) = entries(tmp_path)
    versions = {p["version"] for r in entry.withheld for p in r["pieces"] if isinstance(p, dict)}
    assert versions == {"projects/555000111222/secrets/s-main/versions/1"}
    assert rollback(tmp_path).exit_code is ExitCode.OK
    after = _plain(clients)
    assert {k: after[k] for k in COPIES} == {k: fixed[k] for k in COPIES} == COPIES


def test_a_version_that_cannot_be_read_again_stops_the_rollback_before_any_write(
    fixed: dict[str, str], tmp_path: Path, clients: Clients, sandbox: Sandbox
) -> None:
    clients.secrets.disable_secret_version(name=f"projects/{LAB}/secrets/s-main/versions/1")
    sandbox.clear_calls()
    refused = rollback(tmp_path)
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    said = refused.summary()
    assert "cannot restore the plain values the journal recorded by their secret version" in said
    assert "containers[0].env" in said and "nothing was changed" in said, said
    assert VALUE not in said
    assert updates(sandbox) == []
