"""revshapes3 repros: real service shapes (Binary Authorization breakglass, custom audiences,
CMEK with a revocation action, a Cloud Run function's build_config) through fix --yes,
rollback and plan --format yaml/gcloud. Expected to FAIL on main; each docstring says why.

    .venv/bin/python -m pytest -q tests/review/test_revshapes3.py -n 2 -p no:randomly
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_cli, lab_name, lab_world, rollback

KEY = f"projects/{LAB}/locations/us-central1/keyRings/kr/cryptoKeys/k"


def _world(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    shape: Callable[[Any], None],
) -> tuple[Any, Any]:
    """The lab service (DEBUG set, MODE missing) reshaped by `shape` through UpdateService, as
    gcloud or Terraform would have written it: the sandbox, the clients."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    shape(service)
    clients.services.update_service(service=service).result()
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, clients


def _fix(sandbox: Any, tmp_path: Path, settings: str) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        f"    settings:\n{settings}"
        "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
    )
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()


def test_rollback_puts_back_the_breakglass_justification_a_canary_change_removed(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """F1. A service deployed under the project's default Binary Authorization policy with a
    breakglass justification (BinaryAuthorization.breakglass_justification: "If present,
    indicates to use Breakglass using this justification"). A fix sets
    binary_authorization: none together with a variable (so it goes through a canary); its
    rollback writes the setting back through its text ("default") — drift/fix/restore.py:120-127
    restore_request — and the justification is gone: the restored service is not the one
    before, and the new revision the rollback creates is judged by the policy without
    breakglass (an image deployed under breakglass is refused; the rollback fails). The
    in-place path (workload_restore.py, copy_field) restores it exactly."""

    def shape(service: Any) -> None:
        service.binary_authorization = run_v2.BinaryAuthorization(
            use_default=True, breakglass_justification="INC-4711 attestor down"
        )

    sandbox, clients = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    before = clients.services.get_service(name=lab_name())
    _fix(sandbox, tmp_path, "      binary_authorization: none\n")
    assert not clients.services.get_service(name=lab_name()).binary_authorization.use_default
    assert rollback(tmp_path).exit_code is ExitCode.OK
    after = clients.services.get_service(name=lab_name())
    assert after.binary_authorization == before.binary_authorization


def test_rollback_puts_back_custom_audiences_in_their_order(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """F1 (same cause). Service.custom_audiences is a repeated field read as sorted text
    (drift/fields/audiences.py _audience_text) and written back from it on a canary-path
    rollback: the list the rollback leaves is reordered — the service is not restored as it
    was (a Terraform config listing them in their order sees a change)."""

    def shape(service: Any) -> None:
        service.custom_audiences[:] = ["https://api.acme.example", "acme-internal"]

    sandbox, clients = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    before = list(clients.services.get_service(name=lab_name()).custom_audiences)
    _fix(sandbox, tmp_path, "      custom_audiences: https://api.acme.example\n")
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert list(clients.services.get_service(name=lab_name()).custom_audiences) == before


def test_fix_clearing_the_cmek_key_clears_its_revocation_settings_as_the_script_does(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """F2. encryption_key: none on a service with a key, revocation action SHUTDOWN and a
    2-hour shutdown. The plan's gcloud script says `--clear-key`, which in gcloud 528 deletes
    the key, the post-key-revocation-action-type and the shutdown-hours annotations together
    (command_lib/run/flags.py, `clear_key`). `drift fix` clears only encryption_key and leaves
    SHUTDOWN + 7200s on the template (check calls them moot: `_keyless`), so the same plan
    makes two different services, and the next key anyone sets silently comes with a 2-hour
    shutdown nobody chose."""

    def shape(service: Any) -> None:
        service.template.encryption_key = KEY
        service.template.encryption_key_revocation_action = (
            run_v2.EncryptionKeyRevocationAction.SHUTDOWN
        )
        service.template.encryption_key_shutdown_duration = timedelta(hours=2)

    sandbox, clients = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    _fix(sandbox, tmp_path, "      encryption_key: none\n")
    template = clients.services.get_service(name=lab_name()).template
    assert not template.encryption_key
    assert (template.encryption_key_revocation_action, template.encryption_key_shutdown_duration) == (
        run_v2.EncryptionKeyRevocationAction.ENCRYPTION_KEY_REVOCATION_ACTION_UNSPECIFIED,
        timedelta(0),
    )


def test_a_cloud_run_functions_yaml_is_appliable(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """F3. A service deployed as a function (`gcloud run deploy --function`: Service.build_config)
    gets a `plan --format yaml` marked NOT APPLIABLE ("build_config has no Knative form",
    drift/fix/knative/service.py:102), which gcloud refuses. gcloud 528 has the Knative form:
    the service annotations run.googleapis.com/build-source-location, build-function-target,
    build-image-uri, build-base-image, build-enable-automatic-updates,
    build-environment-variables, build-service-account, build-worker-pool
    (googlecloudsdk/api_lib/run/service.py:46-69)."""

    def shape(service: Any) -> None:
        service.build_config = run_v2.BuildConfig(
            source_location="gs://run-sources-lab/services/app/1700000000.zip",
            function_target="helloHttp",
            image_uri="us-central1-docker.pkg.dev/fix-lab/cloud-run-source-deploy/app",
            base_image="us-central1-docker.pkg.dev/serverless-runtimes/google-22/runtimes/nodejs22",
            enable_automatic_updates=True,
        )

    sandbox, _ = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    out = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "yaml")
    assert "driftNotAppliable" not in out.stdout, out.stdout[:600]
    assert "run.googleapis.com/build-function-target" in out.stdout


def test_the_rollback_prompt_names_the_cmek_key_it_restores(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """U1. The plan and check print the key's resource name; the rollback prompt masks it
    ("encryption_key: (unset) → ***"): drift/fix/differences.py _value passes the proto field
    name to mask_plain, whose variable-name rule takes `…_key` for a secret. A KMS key name is
    not a secret, and the person confirming cannot see which key the rollback brings back."""

    def shape(service: Any) -> None:
        service.template.encryption_key = KEY

    sandbox, _ = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    _fix(sandbox, tmp_path, "      encryption_key: none\n")
    ui = ScriptedUI([False])
    rollback(tmp_path, ui)
    shown = "\n".join(ui.said + ui.questions)
    assert KEY in shown, shown
