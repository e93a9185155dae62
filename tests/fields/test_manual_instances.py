"""The catalogue's `manual_instances` row (drift/fields/manual_scaling.py), end to end through
the real `drift check`, `plan`, `fix` and `rollback` on the sandbox, on a service with a
sidecar and a tag at 0 %: Service.scaling.scaling_mode MANUAL with manual_instance_count, or
automatic scaling (`auto`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run

MANUAL = {"scalingMode": "MANUAL", "manualInstanceCount": 3}


def scaled_sandbox(make_sandbox: MakeSandbox, scaling: dict[str, Any] | None) -> Sandbox:
    """The lab world with the service's `scaling` (None: none stated)."""
    world = _world(None)
    if scaling is not None:
        world["projects"][LAB]["services"]["app"]["scaling"] = scaling
    return make_sandbox(world)


def _findings(sandbox: Sandbox, tmp_path: Path) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if f["target"].startswith("setting.")]


@pytest.mark.parametrize(
    ("scaling", "profile", "actual", "mode", "count", "bounds"),
    [
        (MANUAL, "5", "3", "MANUAL", 5, (0, 0)),
        (None, "2", "auto", "MANUAL", 2, (0, 0)),
        # manual -> auto naming neither service-level bound: "service-level minimum and
        # maximum instances inherit the manual instance count" (manual-scaling page): the
        # service still runs 3 (revown46 R3; this case asserted (AUTOMATIC, 0) and no bounds)
        (MANUAL, "auto", "3", "AUTOMATIC", 0, (3, 3)),
    ],
)
def test_manual_instances_drift_is_found_fixed_at_once_and_rolled_back(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    scaling: dict[str, Any] | None,
    profile: str,
    actual: str,
    mode: str,
    count: int,
    bounds: tuple[int, int],
) -> None:
    sandbox = scaled_sandbox(make_sandbox, scaling)
    _profile(tmp_path, f"      manual_instances: {profile}\n")
    # the service holds it (as `ingress`): one finding for the service, none more for the
    # tag at 0 % (revroundtrip F1: the service's update repairs it for the tag's URL too)
    found = _findings(sandbox, tmp_path)
    (finding,) = found
    assert finding.get("tag") is None, found
    assert (finding["target"], finding["actual"]) == ("setting.manual_instances", actual)
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    # GA gcloud (528) has no --scaling: the script leaves it to drift fix, saying so
    assert "manual_instances" in script.stdout and "has no flag" in script.stdout, script.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    held = sandbox.service(LAB, "app").scaling
    assert (held.scaling_mode.name, held.manual_instance_count) == (mode, count)
    assert (held.min_instance_count, held.max_instance_count) == bounds, held
    assert _findings(sandbox, tmp_path) == []
    back = _run(sandbox, tmp_path, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    again = _findings(sandbox, tmp_path)
    assert {f["actual"] for f in again} == {actual}, again


def test_a_manual_count_beside_a_bound_is_refused_where_the_bound_is(tmp_path: Path) -> None:
    _profile(tmp_path, "      manual_instances: 3\n      min_instances: 1\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2 and "lab.yaml:7" in out, out
    assert "ignores minimum and maximum" in out and "Traceback" not in out, out
    _profile(tmp_path, "      manual_instances: auto\n      min_instances: 1\n")
    ok = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
