"""Settings Cloud Run holds on the service, not on a revision (service-level scaling): the
canary's write applies them at once, so the plan says so, and a rollback puts them back as
they were (judged from the sandbox's own service)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_profiles, lab_world, rollback


def test_rollback_puts_back_service_level_scaling(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = lab_world()
    world["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": 2}
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = lab_profiles(tmp_path)
    lab = profiles / "lab.yaml"
    lab.write_text(lab.read_text() + "    settings:\n      min_instances: 3\n")
    ui = ScriptedUI()
    options = FixOptions(yes=True, verify=False, promote=False)
    result = fix(tmp_path, sandbox.environ(), ui, options, environment="lab", profiles=profiles)
    assert result.exit_code in (ExitCode.OK, ExitCode.DRIFT), result.summary()
    (sp,) = result.plan.services
    assert "min_instances" in {s.name for s in sp.settings}
    table = render_plan(result.plan, PlanFormat.TABLE)
    assert "applied to the service at once" in table and "min_instances" in table
    # gcloud's flag for the service-level minimum is --min (--min-instances: the revision's)
    script = render_plan(result.plan, PlanFormat.GCLOUD)
    assert " --min=3" in script and "--min-instances" not in script, script
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 3  # at once, as said
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 2
