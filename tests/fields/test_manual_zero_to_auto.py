"""revown47: a service manually at 0 (c9927cc made 0 a value) switched to `auto` with no
bound: the plan said "the service keeps running 0 instances; state min_instances and
max_instances to scale between other bounds", while what drift writes and the sandbox holds
is automatic scaling from 0 to the default maximum (proto3's unset 0:
RevisionScaling.max_instance_count "When unspecified, the field is set to the server default
value of 100"). A count of 0 passes on no bound (manual_scaling `inherited`), and no note."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSandbox
from tests.fields.test_manual_instances import scaled_sandbox
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run


def test_manual_zero_to_auto_does_not_say_it_keeps_running_zero_instances(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = scaled_sandbox(make_sandbox, {"scalingMode": "MANUAL", "manualInstanceCount": 0})
    _profile(tmp_path, "      manual_instances: auto\n")
    plan = _run(sandbox, tmp_path, "plan", "lab")
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    held = sandbox.service(LAB, "app").scaling
    assert (held.scaling_mode.name, held.max_instance_count) == ("AUTOMATIC", 0), (
        held,
        done.stdout,
    )
    assert "keeps running 0 instances" not in plan.stdout, plan.stdout
