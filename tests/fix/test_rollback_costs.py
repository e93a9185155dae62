"""What `drift rollback` shows before it asks says what it changes beyond what served
(`drift.fix.rollback_view.costs`): a revision name the team fixed in the template (Terraform
`template.revision`, gcloud `--revision-suffix`) is cleared, as a revision name is unique and
the restored revision is a new one; and undoing a `--no-promote` canary that never served, on
a service routed to LATEST, makes a new revision LATEST then serves (a redeploy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, lab_fix, lab_name, lab_world, rollback

pytestmark = pytest.mark.sandbox

FIXED = "the template's fixed revision name app-release-42 is cleared: the restored revision gets "
REDEPLOY = "never served, yet LATEST will serve the new revision: a redeploy of what serves now"


def _shown(tmp_path: Path, answer: bool) -> tuple[str, ExitCode]:
    """`drift rollback` answered `answer`: all it said before and at its prompt, its exit."""
    ui = ScriptedUI([answer])
    rolled = rollback(tmp_path, ui)
    return "\n".join(ui.said), rolled.exit_code


def test_rollback_says_the_fixed_revision_name_is_cleared(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    service.template.revision = "app-release-42"
    clients.services.update_service(service=service).result()
    asked = ScriptedUI()
    fixed = lab_fix(tmp_path, sandbox, asked, FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK, fixed.summary()
    # the fix's plan says it first, in every format (revfix60 F6: only the pool's did)
    canary = sandbox.service(LAB, "app").template.revision
    assert canary.startswith("app-drift-"), canary
    cleared = (
        "the template's fixed revision name app-release-42 is cleared: the canary gets drift's "
        "name app-drift-CHANGE (a revision name is unique; Terraform's next plan will show it)"
    )
    for fmt in (PlanFormat.TABLE, PlanFormat.JSON, PlanFormat.GCLOUD):
        assert cleared in render_plan(asked.plans[0], fmt), fmt
    said, code = _shown(tmp_path, False)  # declined: what it shows, nothing written
    assert code is ExitCode.ABORTED
    assert f"note: {FIXED}a generated name (" in said, said
    assert "Terraform's next plan will show it" in said
    assert REDEPLOY not in said  # promoted: the canary served
    said, code = _shown(tmp_path, True)
    assert code is ExitCode.OK, said
    assert FIXED in said
    assert sandbox.service(LAB, "app").template.revision == ""  # as it said


def test_rollback_of_a_no_promote_change_says_it_redeploys(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab_world())
    served = sandbox.service(LAB, "app").latest_ready_revision
    options = FixOptions(yes=True, promote=False)
    fixed = lab_fix(tmp_path, sandbox, ScriptedUI(), options, monkeypatch)
    assert fixed.change_id, fixed.summary()
    said, code = _shown(tmp_path, True)
    assert code is ExitCode.OK, said
    (line,) = [line for line in said.splitlines() if REDEPLOY in line]
    assert line.strip().startswith("note: the canary app-drift-"), line
    assert "fixed revision name" not in said  # no name was fixed: nothing to say of one
    assert sandbox.service(LAB, "app").latest_ready_revision != served  # the redeploy it said


def test_a_plain_rollback_says_neither(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab_world())
    fixed = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK, fixed.summary()
    said, code = _shown(tmp_path, True)
    assert code is ExitCode.OK, said
    assert "fixed revision name" not in said and REDEPLOY not in said, said


def test_a_revision_gone_the_note_names_the_revision_drift_names(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The revision the recorded traffic names is gone: `restore` names the new one itself
    (`SERVICE-drift-XXXXXX`, `restore.name_restored`), not Cloud Run — the note says that
    name, not "a generated name" (revown32, fixown32)."""
    sandbox = make_sandbox(
        lab_world(
            history=[{"image": "us-docker.pkg.dev/lab/app:v0"}],
            traffic=[{"revision": 2, "percent": 100}],
        )
    )
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    served = service.traffic[0].revision
    service.template.revision = "app-release-42"  # the team's name; the traffic stays pinned
    clients.services.update_service(service=service).result()
    fixed = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK, fixed.summary()
    clients.revisions.delete_revision(name=f"{lab_name()}/revisions/{served}").result(timeout=10)
    said, code = _shown(tmp_path, True)
    assert code is ExitCode.OK, said
    runs = next(iter(sandbox.service(LAB, "app").traffic)).revision
    assert runs.startswith("app-drift-"), runs
    assert f"{FIXED}drift's name {runs} (" in said, said
    assert f"{FIXED}a generated name" not in said, said


def test_a_no_promote_canary_their_to_latest_made_serve_is_said_to_serve(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift fix --no-promote`, then a teammate's `update-traffic --to-latest` (the tag
    left): LATEST resolves to the canary, which serves all. The rollback's header and note
    say so, as the `serving now` line does (SPEC invariant 10), not "never served" nor a
    bare "pinned" (revroll65 F4)."""
    sandbox = reseedable
    sandbox.reset(lab_world())
    options = FixOptions(yes=True, promote=False)
    fixed = lab_fix(tmp_path, sandbox, ScriptedUI(), options, monkeypatch)
    (outcome,) = fixed.outcomes
    sandbox.update_traffic(LAB, "app", {"LATEST": 100})
    said, code = _shown(tmp_path, False)
    assert code is ExitCode.ABORTED, said  # their change since: refused, nothing written
    serves = f"LATEST 100% → {outcome.canary}"
    assert f"{serves} (drift's canary)" in said, said  # the `serving now` line
    assert REDEPLOY not in said, said
    assert f"(state: pinned as recorded, yet its canary serves now: {serves};" in said, said
    assert f"which drift did not promote, serves now ({serves})" in said, said
