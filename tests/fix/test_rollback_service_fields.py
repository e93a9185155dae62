"""A canary-path rollback puts the service's own settings back as recorded, field by field —
not through their text, which leaves out Binary Authorization's breakglass justification and
custom_audiences' order (revshapes3 F1) — and its prompt shows what comes back: a before-value
is never blank, the breakglass is named, a KMS key name is shown whole (revshapes3 U1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_name, lab_world, rollback

KEY = f"projects/{LAB}/locations/us-central1/keyRings/kr/cryptoKeys/k"
JUSTIFICATION = "INC-4711 attestor down"
AUDIENCES = ["https://api.acme.example", "acme-internal"]

OUTPUT_ONLY = (
    # service.proto's OUTPUT_ONLY fields, and drift's own client marks (SPEC invariant 12)
    "uid generation create_time update_time delete_time expire_time creator last_modifier "
    "observed_generation terminal_condition conditions latest_ready_revision "
    "latest_created_revision traffic_statuses uri urls reconciling etag satisfies_pzs "
    "client client_version"
).split()


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
    """A fix of `settings` with a variable change: it goes through a canary."""
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        f"    settings:\n{settings}"
        "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
    )
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()


def _configuration(service: Any) -> Any:
    """The service's configuration: without its output-only fields, drift's client marks and
    the name of the revision its template makes (a rollback makes a new one)."""
    pb = type(service).pb(service)
    out = type(pb)()
    out.CopyFrom(pb)
    for name in OUTPUT_ONLY:
        out.ClearField(name)
    out.template.ClearField("revision")
    return out


def _breakglass_and_audiences(service: Any) -> None:
    service.binary_authorization = run_v2.BinaryAuthorization(
        use_default=True, breakglass_justification=JUSTIFICATION
    )
    service.custom_audiences[:] = AUDIENCES


def test_a_canary_rollback_restores_the_breakglass_and_the_audiences_order_exactly(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """binary_authorization: none and one audience fewer, with a variable change (a canary):
    the rollback's UpdateService carries the recorded fields (restore.restore_request copies
    them), so the whole service comes back as it was, breakglass (without it the new
    revision is judged by the policy without breakglass) and audiences' order included; its
    prompt names the breakglass it restores and never leaves a before-value blank."""
    sandbox, clients = _world(
        make_sandbox, clients_for, monkeypatch, tmp_path, _breakglass_and_audiences
    )
    before = clients.services.get_service(name=lab_name())
    _fix(
        sandbox,
        tmp_path,
        "      binary_authorization: none\n      custom_audiences: https://api.acme.example\n",
    )
    fixed = clients.services.get_service(name=lab_name())
    assert not fixed.binary_authorization.use_default
    assert list(fixed.custom_audiences) == ["https://api.acme.example"]
    ui = ScriptedUI([True])
    assert rollback(tmp_path, ui).exit_code is ExitCode.OK
    after = clients.services.get_service(name=lab_name())
    assert after.binary_authorization == before.binary_authorization
    assert list(after.custom_audiences) == AUDIENCES
    assert _configuration(after) == _configuration(before)
    shown = "\n".join(ui.said + ui.questions)
    assert "setting binary_authorization: none → default" in shown, shown
    assert f"binary_authorization.breakglass_justification: (unset) → {JUSTIFICATION}" in shown
    assert ":  →" not in shown and "→ \n" not in shown, shown


def test_a_rollback_prompt_shows_a_reordering_of_the_audiences(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The fix reorders custom_audiences only (as a profile listing them in another order
    would not: the setting compares them as a set, so the fix is driven by a text change);
    here the fix drops one and the rollback's prompt says what the list becomes, in order."""
    sandbox, clients = _world(
        make_sandbox, clients_for, monkeypatch, tmp_path, _breakglass_and_audiences
    )
    _fix(sandbox, tmp_path, "      custom_audiences: acme-internal\n")
    ui = ScriptedUI([False])
    rollback(tmp_path, ui)
    shown = "\n".join(ui.said + ui.questions)
    assert "setting custom_audiences: acme-internal → " in shown, shown
    assert f"custom_audiences: acme-internal → {' '.join(AUDIENCES)}" in shown, shown


def test_the_rollback_prompt_names_the_cmek_key_it_restores(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The plan and check print the key's resource name; the rollback prompt masked it
    ("encryption_key: (unset) → ***": the proto field name ends in `_key`, which the
    variable-name rule takes for a secret). A KMS key name is a resource name, not a secret:
    the person confirming sees which key comes back."""

    def shape(service: Any) -> None:
        service.template.encryption_key = KEY

    sandbox, _ = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    _fix(sandbox, tmp_path, "      encryption_key: none\n")
    ui = ScriptedUI([False])
    rollback(tmp_path, ui)
    shown = "\n".join(ui.said + ui.questions)
    assert f"encryption_key: (unset) → {KEY}" in shown, shown


def test_every_setting_a_service_holds_itself_is_a_field_the_rollback_can_copy() -> None:
    """restore.restore_request copies each service-level setting's own Service field (or its
    `service_part`) as recorded: a row of that level with neither would not come back."""
    from drift.fields import FIELDS
    from drift.kinds import Kind

    fields = run_v2.Service.pb().DESCRIPTOR.fields_by_name
    for name, row in FIELDS.items():
        if row.applies(Kind.SERVICE) and row.level == "service":
            assert name in fields or row.service_part in fields, name
