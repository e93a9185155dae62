"""A saved plan applied twice (`drift fix --plan p.json --yes` again: a CI apply job re-run, an
operator's second Enter) writes nothing (exit 4, SPEC), and says why: the plan was applied
already, as change X — not "changed since p.json was made", which blamed drift's own
application of that very plan (revidem F4). Someone else's change since is still said so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world

pytestmark = pytest.mark.sandbox


def _apply(sandbox: Sandbox, tmp_path: Path) -> tuple[Path, str]:
    plan = tmp_path / "p.json"
    done = lab_cli(sandbox, tmp_path, "plan", "lab", "--out", str(plan))
    assert plan.exists(), done.stdout + done.stderr
    first = lab_cli(sandbox, tmp_path, "fix", "lab", "--plan", str(plan), "--yes")
    assert first.returncode == 0, first.stdout + first.stderr
    change = re.search(r"change (\d{8}-\d{6}-\w+) recorded", first.stdout)
    assert change, first.stdout
    return plan, change.group(1)


def test_a_saved_plan_applied_twice_says_it_was_applied_already(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift plan --out p.json`, `drift fix --plan p.json --yes`, then the same apply again (a
    CI job re-run, an operator's second Enter). The second writes nothing (right), but says
    "changed since p.json was made: app (etag … when planned, … now) … make a new plan" — the
    change it names is drift's own application of that very plan, journaled as change X; a new
    plan would be empty. It should say the plan was applied already (as change X)."""
    sandbox = make_sandbox(lab_world())
    plan, change = _apply(sandbox, tmp_path)
    sandbox.clear_calls()
    second = lab_cli(sandbox, tmp_path, "fix", "lab", "--plan", str(plan), "--yes")
    assert not [c for c in sandbox.calls if c.short.startswith("Update")]
    assert second.returncode == 4
    said = second.stdout + second.stderr
    # main: "changed since p.json was made … make a new plan"
    assert f"was applied already, as change {change} (app: promoted)" in said, said
    assert "make a new plan" not in said, said


def test_a_saved_plan_applied_then_rolled_back_says_so_and_asks_for_a_new_plan(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    plan, change = _apply(sandbox, tmp_path)
    back = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    second = lab_cli(sandbox, tmp_path, "fix", "lab", "--plan", str(plan), "--yes")
    assert second.returncode == 4
    said = second.stdout + second.stderr
    assert f"as change {change} (app: rolled-back)" in said, said
    assert "undone since: make a new plan" in said, said


def test_a_saved_plan_someone_else_overtook_is_still_changed_since(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Not applied by drift: a teammate's deploy moved the etag — the plan is stale."""
    sandbox = make_sandbox(lab_world())
    plan = tmp_path / "p.json"
    lab_cli(sandbox, tmp_path, "plan", "lab", "--out", str(plan))
    services = clients_for(sandbox).services
    service = services.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
    service.template.containers[0].env.append(run_v2.EnvVar(name="THEIRS", value="1"))
    services.update_service(service=service).result()
    second = lab_cli(sandbox, tmp_path, "fix", "lab", "--plan", str(plan), "--yes")
    assert second.returncode == 4
    said = second.stdout + second.stderr
    assert "changed since" in said and "make a new plan" in said, said
    assert "applied already" not in said, said
