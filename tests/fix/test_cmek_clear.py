"""`encryption_key: none` on a service with a key, revocation action SHUTDOWN and a 2-hour
shutdown (revshapes3 F2): gcloud 528's `--clear-key`, the plan script's flag, clears the key
and both revocation settings together (command_lib/run/flags.py `clear_key`; worker pools:
command_lib/run/v2/config_changes.py `CmekKeyChanges`). `drift fix` does the same — the two
settings mean nothing without a key (RevisionTemplate.encryption_key_shutdown_duration: "If
encryption_key_revocation_action is SHUTDOWN, …"), and left behind they come back silently
with the next key anyone sets — every plan format names them, and a rollback restores all
three."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.kinds import Kind
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_here, lab_name, lab_world, rollback

KEY = f"projects/{LAB}/locations/us-central1/keyRings/kr/cryptoKeys/k"
BOUND = ("encryption_key_revocation_action", "encryption_key_shutdown_duration")
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    "    settings:\n      encryption_key: none\n"
    "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
)


@pytest.fixture
def keyed(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[Any, Any, Path]:
    """The lab service with a key, SHUTDOWN and 2 hours (as `gcloud run services update
    --key=K --post-key-revocation-action-type=shut-down --encryption-key-shutdown-hours=2`
    leaves it), and a profile taking the key away: the sandbox, the clients, the profiles."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    service.template.encryption_key = KEY
    service.template.encryption_key_revocation_action = (
        run_v2.EncryptionKeyRevocationAction.SHUTDOWN
    )
    service.template.encryption_key_shutdown_duration = timedelta(hours=2)
    clients.services.update_service(service=service).result()
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
    return sandbox, clients, folder


def _template(clients: Any) -> Any:
    return clients.services.get_service(name=lab_name()).template


def test_fix_clears_the_key_and_its_revocation_settings_and_rollback_restores_all_three(
    keyed: tuple[Any, Any, Path], tmp_path: Path
) -> None:
    sandbox, clients, folder = keyed
    before = _template(clients)
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    fixed = _template(clients)
    assert not fixed.encryption_key
    assert fixed.encryption_key_revocation_action == (
        run_v2.EncryptionKeyRevocationAction.ENCRYPTION_KEY_REVOCATION_ACTION_UNSPECIFIED
    )
    assert fixed.encryption_key_shutdown_duration == timedelta(0)
    assert rollback(tmp_path).exit_code is ExitCode.OK
    after = _template(clients)
    for name in ("encryption_key", *BOUND):
        assert getattr(after, name) == getattr(before, name), name


@pytest.mark.parametrize("form", ["table", "json", "gcloud", "yaml"])
def test_every_plan_format_names_what_clearing_the_key_clears(
    keyed: tuple[Any, Any, Path], tmp_path: Path, form: str
) -> None:
    sandbox, _, folder = keyed
    out = drift(
        "plan",
        "lab",
        "--format",
        form,
        env={**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)},
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    text = out.stdout
    if form == "json":
        (service,) = json.loads(text)["services"]
        text = " ".join(service["notes"])
    else:
        text = " ".join(text.replace("#", " ").split())
    assert "also clears encryption_key_revocation_action and" in text, out.stdout
    assert "encryption_key_shutdown_duration" in text, out.stdout
    if form == "yaml":  # the file gcloud applies carries none of them
        assert "post-key-revocation-action-type" not in out.stdout
        assert "encryption-key-shutdown-hours" not in out.stdout


@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
def test_the_clear_key_note_is_said_only_where_the_template_has_what_it_clears(kind: Kind) -> None:
    """A job's TaskTemplate has no revocation action or shutdown duration: its plan does not
    say taking the key away clears them (revown55 U1); a service's and a pool's does."""
    from drift.fields import FIELDS, PlannedSetting

    note = FIELDS["encryption_key"].plan_note
    assert note is not None
    key = "projects/k/locations/us/keyRings/r/cryptoKeys/c"
    said = note(PlannedSetting(kind, key, "", {"encryption_key"}, {"encryption_key": ""}))
    assert bool(said) is (kind is not Kind.JOB), said
    # setting a key clears nothing (nothing left behind: nothing takes effect either)
    assert note(PlannedSetting(kind, "", key, {"encryption_key"}, {"encryption_key": key})) == ""
