"""`encryption_key: none` in a profile `drift init --from-live` wrote for a CMEK workload, whose
revocation lines stay (revshapes4 F2): the fix clears the key and both revocation settings
(as gcloud's `--clear-key`: `drift.fields.hardware.KEY_BOUND`); with no key wanted and none
live, the revocation rows are moot (`Field.moot`, what init already leaves out): the re-check
reports nothing, a second fix writes nothing (never a SHUTDOWN policy onto a template with no
key), the plan has no line for them, and `profiles validate` notes at file:line that they
mean nothing. Services and worker pools alike."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

from drift.check import run_check
from drift.errors import ExitCode, Problem
from drift.fix.apply import FixOptions, run_fix
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile, validate_directory
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_here, lab_name, lab_world
from tests.jobs.world import POOL_HEAD, TODAY, write_profile
from tests.sandbox.jobworld import POOL, world

KEY = "projects/p/locations/us-central1/keyRings/kr/cryptoKeys/k"
UNSET = run_v2.EncryptionKeyRevocationAction.ENCRYPTION_KEY_REVOCATION_ACTION_UNSPECIFIED
POOL_KEYLESS = (
    POOL_HEAD
    + """\
    settings:
      encryption_key: none
      encryption_key_revocation_action: shut-down
      encryption_key_shutdown_hours: 2
"""
)


def _pools(sandbox: Sandbox) -> run_v2.WorkerPoolsClient:
    channel = grpc.insecure_channel(sandbox.address)
    return run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))


def _fix_pool(tmp_path: Path, profiles: Path) -> ExitCode:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(
        run_fix(
            load_profile(profiles, "prod"),
            settings,
            ScriptedUI(),
            FixOptions(verify=False, yes=True),
            today=TODAY,
        )
    )
    return done.exit_code


def _keyed(template: Any) -> None:
    template.encryption_key = KEY
    template.encryption_key_revocation_action = run_v2.EncryptionKeyRevocationAction.SHUTDOWN
    template.encryption_key_shutdown_duration = timedelta(hours=2)


def test_clearing_a_pools_key_converges_and_never_puts_a_revocation_policy_on_no_key(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The fix clears the key and both revocation fields, as its plan says; its re-check was
    2 errors ("prevent-new, the profile says shut-down"; "0, the profile says 2") and the next
    fix wrote SHUTDOWN / 7200s onto the keyless template."""
    sandbox = make_sandbox(world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    client = _pools(sandbox)
    wp = client.get_worker_pool(name=POOL)
    _keyed(wp.template)
    client.update_worker_pool(worker_pool=wp).result()
    profiles = write_profile(tmp_path / "profiles", POOL_KEYLESS)
    assert _fix_pool(tmp_path, profiles) is ExitCode.OK
    cleared = client.get_worker_pool(name=POOL)
    assert not cleared.template.encryption_key
    assert cleared.template.encryption_key_revocation_action == UNSET
    rechecked = asyncio.run(run_check(load_profile(profiles, "prod"), load_settings(), today=TODAY))
    said = [f.message for f in rechecked.report.findings]
    assert not said and not rechecked.report.unverified, said
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    assert not any(sp.settings for sp in planned.plan.services), planned.plan
    assert _fix_pool(tmp_path, profiles) is ExitCode.OK  # nothing to do
    after = client.get_worker_pool(name=POOL)
    assert after.template.encryption_key_revocation_action == UNSET
    assert after.template.encryption_key_shutdown_duration == timedelta(0)
    assert after.etag == cleared.etag  # nothing written


SERVICE_KEYLESS = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    "    settings:\n      encryption_key: none\n"
    "      encryption_key_revocation_action: shut-down\n"
    "      encryption_key_shutdown_hours: 2\n"
    "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
)


def test_clearing_a_services_key_converges_with_the_revocation_lines_left_in_the_profile(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    _keyed(service.template)
    clients.services.update_service(service=service).result()
    folder = lab_here(sandbox, tmp_path, monkeypatch, SERVICE_KEYLESS)
    env = sandbox.environ()
    done = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()
    cleared = clients.services.get_service(name=lab_name())
    assert not cleared.template.encryption_key
    again = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert again.exit_code is ExitCode.OK, again.summary()
    after = clients.services.get_service(name=lab_name())
    assert after.template.encryption_key_revocation_action == UNSET
    assert after.template.encryption_key_shutdown_duration == timedelta(0)
    assert after.latest_created_revision == cleared.latest_created_revision  # no new revision


def test_profiles_validate_notes_revocation_lines_beside_no_key_at_their_line(
    tmp_path: Path,
) -> None:
    """A note, not an error: drift compares and writes nothing for them, so the profile init
    wrote, one line edited to `none`, still fixes the workload; refusing it would block the
    key's removal the team asked for over two lines that change nothing."""
    folder = write_profile(tmp_path / "profiles", POOL_KEYLESS)
    notes: list[Problem] = []
    _, problems = validate_directory(folder, notes)
    assert problems == []
    said = {(n.line, n.message.split(" means nothing")[0]) for n in notes}
    assert said == {
        (8, "pool: encryption_key_revocation_action"),
        (9, "pool: encryption_key_shutdown_hours"),
    }, notes
    assert all("encryption_key: none" in n.message and ":7)" in n.message for n in notes)


def test_revocation_lines_beside_a_key_are_no_note(tmp_path: Path) -> None:
    """A key stated, or none stated (a live key may give them a meaning): compared as ever."""
    for key in (f"encryption_key: {KEY}\n      ", ""):
        text = POOL_KEYLESS.replace("encryption_key: none\n      ", key)
        folder = write_profile(tmp_path / key.strip()[:3] / "profiles", text)
        notes: list[Problem] = []
        assert validate_directory(folder, notes)[1] == []
        assert notes == [], notes
