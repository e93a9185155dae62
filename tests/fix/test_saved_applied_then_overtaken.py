"""Regression (found by review revown30): drift/fix/saved.py `applied_already` matches a
journal entry by the etag the change BEGAN from only, never checks that the service is still as
that change LEFT it. A plan applied, then a teammate's deploy, then the same apply again (a CI
job re-run): drift says "applied already … `drift rollback X` undoes the change" and hides the
teammate's deploy — and that rollback is then refused as "changed since"."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world
from tests.fix.test_saved_plan_twice import _apply

pytestmark = pytest.mark.sandbox


def test_applied_then_overtaken_by_a_teammate_says_the_teammates_change(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    plan, change = _apply(sandbox, tmp_path)
    services = clients_for(sandbox).services
    service = services.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
    service.template.containers[0].env.append(run_v2.EnvVar(name="THEIRS", value="1"))
    service.template.revision = ""
    services.update_service(service=service).result()

    second = lab_cli(sandbox, tmp_path, "fix", "lab", "--plan", str(plan), "--yes")
    assert second.returncode == 4
    said = second.stdout + second.stderr
    # main: "p.json was applied already, as change X (app: promoted): nothing was changed (a
    # plan is applied once); `drift check lab` shows the drift left, `drift rollback X`
    # undoes the change" — not a word of the teammate's deploy since
    assert "changed since" in said or "someone else" in said, said
    assert "undoes the change" not in said, said  # that rollback would be refused
    back = lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    if f"drift rollback {change}` undoes the change" in said:  # the advice given must hold
        assert back.returncode == 0, back.stdout + back.stderr
