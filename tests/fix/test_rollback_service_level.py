"""A forced rollback after a service-level setting changed since drift's change (revfix60 F1):
`Service.scaling` is "Scaling settings that apply to the whole service", and
`invoker_iam_disabled` the service's own (google/cloud/run/v2/service.proto) — no revision
runs with them, an UpdateService of them makes none. So the revision the rollback creates
runs the configuration that served (SPEC invariant 10: exit 0), and a rollback run again
writes nothing (never a loop of revisions and `drift-retry` labels)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.rollback_refusal import FORCED_UNDOES
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, rollback


@pytest.mark.parametrize("theirs", ["min", "invoker"])
def test_a_forced_rollback_after_their_service_level_write_restores_once(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    theirs: str,
) -> None:
    from drift.fix.apply import FixOptions

    sandbox = make_sandbox(lab.lab_world())
    done = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert done.exit_code is ExitCode.OK, done.summary()
    (entry,) = entries(tmp_path)
    services = clients_for(sandbox).services
    service = services.get_service(name=lab.lab_name())
    if theirs == "min":
        service.scaling.min_instance_count = 3
    else:
        service.invoker_iam_disabled = True
    services.update_service(service=service).result()
    refused = rollback(tmp_path, change_id=entry.change_id)  # their write blocks it unforced
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    # the words say what --force writes (the lines listed), not that it undoes theirs (F3)
    assert FORCED_UNDOES in refused.summary()
    rolled = rollback(tmp_path, change_id=entry.change_id, force=True)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    now = sandbox.service(LAB, "app")
    assert now.scaling.min_instance_count == (3 if theirs == "min" else 0)  # theirs, kept
    assert now.invoker_iam_disabled is (theirs == "invoker")
    again = rollback(tmp_path, change_id=entry.change_id, force=True)
    assert again.exit_code is ExitCode.OK, again.summary()
    after = sandbox.service(LAB, "app")
    assert int(after.generation) == int(now.generation), again.summary()  # nothing written
    assert "drift-retry" not in after.template.labels


def test_a_forced_rollback_puts_back_the_service_level_setting_of_the_later_change_it_undoes(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """The service holds min 1 itself (`Service.scaling`); drift's change A fixes the
    variables, then drift's change B sets min_instances 3 (the service's own: no revision).
    `drift rollback A --force` says it undoes B too, and the journal records B as rolled back
    by it: the service's min is 1 again, as before A, and the rollback succeeds."""
    from drift.fix.apply import FixOptions

    sandbox = make_sandbox(lab.lab_world())
    services = clients_for(sandbox).services
    service = services.get_service(name=lab.lab_name())
    service.scaling.min_instance_count = 1
    services.update_service(service=service).result()
    a = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert a.exit_code is ExitCode.OK, a.summary()
    profile = lab.lab_profiles(tmp_path) / "lab.yaml"
    profile.write_text(profile.read_text() + "    settings:\n      min_instances: 3\n")
    b = lab.fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab",
                profile.parent)  # fmt: skip
    assert b.exit_code is ExitCode.OK, b.summary()
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 3
    ui = ScriptedUI([True])
    forced = rollback(tmp_path, ui, change_id=a.change_id, force=True)
    assert forced.exit_code is ExitCode.OK, forced.summary()
    assert "setting min_instances: 3 → 1" in "\n".join(ui.said)  # the preview names it
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 1
    assert f"drift's later change {b.change_id}, undone too" in forced.summary()


def _fixed(sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: Path) -> Any:
    """`drift fix lab --yes` of the profile at `profile`, run in tmp_path against `sandbox`:
    done (exit 0)."""
    from drift.fix.apply import FixOptions

    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    done = lab.fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab",
                   profile.parent)  # fmt: skip
    assert done.exit_code is ExitCode.OK, done.summary()
    return done


def _rollback_said(tmp_path: Path, change_id: str) -> str:
    """`drift rollback CHANGE`, confirmed, done (exit 0): what it said before it wrote."""
    ui = ScriptedUI([True])
    rolled = rollback(tmp_path, ui, change_id=change_id)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    return "\n".join(ui.said)


def test_a_rollback_of_a_scaling_bound_the_template_holds_says_it_once(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template holds max 100 (RevisionScaling), the fix sets 5 there: the rollback's
    preview says the change once, in the plan's words (`setting max_instances`), not again in
    the template's field name (revtf66 F2)."""
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}
    sandbox = make_sandbox(lab.lab_world(template={**template, "max_instances": 100}))
    lab.lab_profiles(tmp_path)
    profile = tmp_path / "profiles" / "lab.yaml"
    profile.write_text(profile.read_text() + "    settings:\n      max_instances: 5\n")
    done = _fixed(sandbox, tmp_path, monkeypatch, profile)
    assert sandbox.service(LAB, "app").template.scaling.max_instance_count == 5
    said = _rollback_said(tmp_path, done.change_id)
    assert "setting max_instances: 5 → 100" in said
    assert "max_instance_count" not in said, said


def test_a_template_bound_beside_a_service_level_bound_is_said_once(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """The service holds min 1 itself (`Service.scaling`), the template max 100
    (RevisionScaling); the fix sets min 3 (the service's) and max 5 (the template's). The
    rollback's preview says the max change once, in the plan's words: the service's
    `scaling` differs (its min), but not in its max (helper-632 F4)."""
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}
    sandbox = make_sandbox(lab.lab_world(template={**template, "max_instances": 100}))
    services = clients_for(sandbox).services
    service = services.get_service(name=lab.lab_name())
    service.scaling.min_instance_count = 1
    services.update_service(service=service).result()
    profile = lab.lab_profiles(tmp_path) / "lab.yaml"
    settings = "    settings:\n      min_instances: 3\n      max_instances: 5\n"
    profile.write_text(profile.read_text() + settings)
    done = _fixed(sandbox, tmp_path, monkeypatch, profile)
    now = sandbox.service(LAB, "app")
    assert (now.scaling.min_instance_count, now.template.scaling.max_instance_count) == (3, 5)
    said = _rollback_said(tmp_path, done.change_id)
    assert "setting max_instances: 5 → 100" in said and "setting min_instances: 3 → 1" in said
    assert "max_instance_count" not in said, said
