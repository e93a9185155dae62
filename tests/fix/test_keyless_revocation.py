"""A CMEK revocation action on a service with no key is void (`Field.void`): never a finding,
never a write (revfidelity2 F1). Whether Cloud Run takes such a write, refuses it or drops it
is documented nowhere (RevisionTemplate.encryption_key_revocation_action: "The action to take
if the encryption key is revoked"; gcloud 528 sends --post-key-revocation-action-type with no
--key unchecked, command_lib/run/flags.py), and the sandbox takes it: before, `check`
reported it as an error and `fix` deployed a canary to write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.apply import FixOptions
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_here, lab_name, lab_world

PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    "    settings:\n      encryption_key_revocation_action: shut-down\n"
    "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
)


@pytest.fixture
def keyless(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[Any, Any, Path]:
    """The lab service (no CMEK key) and a profile stating only a revocation action."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
    return sandbox, clients, folder


def test_check_does_not_call_a_keyless_revocation_action_drift(
    keyless: tuple[Any, Any, Path], tmp_path: Path
) -> None:
    sandbox, _, folder = keyless
    out = drift(
        "check",
        "lab",
        env={**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)},
        cwd=tmp_path,
        timeout=120,
    )
    # expected: the profile refused at its line (a revocation action without a key: exit 2),
    # or the setting said to be moot — not an error whose fix writes a meaningless field
    assert "setting.encryption_key_revocation_action" not in out.stdout or out.returncode == 2, (
        out.returncode,
        out.stdout,
        out.stderr,
    )


def test_fix_does_not_write_a_revocation_action_without_a_key(
    keyless: tuple[Any, Any, Path], tmp_path: Path
) -> None:
    sandbox, clients, folder = keyless
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    template = clients.services.get_service(name=lab_name()).template
    assert not template.encryption_key
    assert template.encryption_key_revocation_action != (
        run_v2.EncryptionKeyRevocationAction.SHUTDOWN
    ), ("drift deployed SHUTDOWN on a service with no key", done.exit_code, done.summary())
