"""`drift init --from-live` of a service Cloud Run scales manually at 0 instances wrote
`manual_instances: 0`, which drift then refused as its own input (the whole init exited 2 at
`profiles/lab.yaml:N: … at least 1 instance`): such a service could be neither described nor
checked (revown46 R2)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSandbox
from tests.fields.test_manual_instances import scaled_sandbox
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _run


def test_init_from_live_of_a_service_manually_at_zero_writes_a_profile_drift_accepts(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = scaled_sandbox(make_sandbox, {"scalingMode": "MANUAL", "manualInstanceCount": 0})
    (tmp_path / "profiles").mkdir()
    init = _run(
        sandbox, tmp_path, "init", "lab", "--from-live", "--project", LAB, "--region", "us-central1"
    )
    assert init.returncode in (0, 3), init.stdout + init.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "manual_instances: 0" in text, text
    done = _run(sandbox, tmp_path, "check", "lab", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr
