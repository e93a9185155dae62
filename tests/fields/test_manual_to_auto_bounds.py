"""Switching a service from manual scaling to `auto` with neither service-level bound: Cloud
Run's manual-scaling page ("Switching between automatic and manual scaling") says
"service-level minimum and maximum instances inherit the manual instance count", so the
service keeps running that many instances. drift's plan said only `manual_instances 3 ->
auto`, its write named neither bound, and the sandbox left them at 0, so the suite agreed with
drift where Google does not (revown46 R3)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import MakeSandbox
from tests.fields.test_manual_instances import MANUAL, scaled_sandbox
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run


def test_manual_to_auto_without_bounds_says_and_leaves_min_and_max_at_the_manual_count(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = scaled_sandbox(make_sandbox, MANUAL)
    _profile(tmp_path, "      manual_instances: auto\n")
    plan = _run(sandbox, tmp_path, "plan", "lab")
    assert "minimum and maximum instances the manual count 3" in plan.stdout, plan.stdout
    data = json.loads(_run(sandbox, tmp_path, "plan", "lab", "--format", "json").stdout)
    [service] = data["services"]
    assert any("manual count 3" in n for n in service["notes"]), service
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    held = sandbox.service(LAB, "app").scaling
    assert (held.scaling_mode.name, held.min_instance_count, held.max_instance_count) == (
        "AUTOMATIC",
        3,
        3,
    ), held


def test_manual_to_auto_with_the_profiles_bounds_reaches_them_once_automatic(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The bounds are blocked while the service scales manually (manual steps): the switch
    leaves min = max = 3, said by the plan; the next fix sets the profile's bounds."""
    sandbox = scaled_sandbox(make_sandbox, MANUAL)
    _profile(
        tmp_path, "      manual_instances: auto\n      min_instances: 1\n      max_instances: 5\n"
    )
    plan = _run(sandbox, tmp_path, "plan", "lab")
    assert "manual count 3" in plan.stdout, plan.stdout
    for _ in range(2):
        done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
        assert done.returncode in (0, 1), done.stdout + done.stderr
    held = sandbox.service(LAB, "app").scaling
    assert (held.scaling_mode.name, held.min_instance_count, held.max_instance_count) == (
        "AUTOMATIC",
        1,
        5,
    ), held
