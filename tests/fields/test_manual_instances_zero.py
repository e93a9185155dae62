"""A manual instance count of 0 is a value: gcloud's ScalingValue refuses only
`instance_count < 0` (command_lib/run/flags.py), `gcloud beta run services update --scaling=0`
parses, and ServiceScaling.manual_instance_count states no minimum. drift refused 0 ("a
manually scaled service runs at least 1 instance"), citing that very message (revown46 R2)."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import drift
from tests.fix.test_cpu_below_one import _profile


def test_a_manual_count_of_zero_is_a_value_a_profile_can_state(tmp_path: Path) -> None:
    _profile(tmp_path, "      manual_instances: 0\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_negative_manual_count_is_refused_at_its_line(tmp_path: Path) -> None:
    _profile(tmp_path, "      manual_instances: -1\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "0 or more" in done.stdout + done.stderr and "Traceback" not in done.stderr
