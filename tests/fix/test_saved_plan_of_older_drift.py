"""`fix --plan` of a plan an older drift saved, the services and profile unchanged: the
refusal says the drift changed, not the service (revbaseline2 F6)."""

from __future__ import annotations

import json
from pathlib import Path

from drift import __version__
from drift.fix.saved import OPTIONS, body_digest
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.oldstate import secret_world, write_profile


def test_a_plan_an_older_drift_planned_otherwise_is_refused_naming_both_drifts(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong: 8f08d3b's saved plan (image spelled `docker.io/library/nginx:1.25`, which
    this drift plans as `nginx:1.25`) was refused with "the plan now differs from
    old-plan.json in api/setting.image", read as the service's change; the service's etag and
    the profile were as planned, and `saved.drift_version` was in the file. The message now
    names the drift that made the plan and this one, and says to run `drift plan` again."""
    env = make_sandbox(secret_world(disabled=False)).environ()
    write_profile(tmp_path)
    path = tmp_path / "old-plan.json"
    made = drift(
        "plan", "prod", "--profiles", "profiles", "--out", str(path), env=env, cwd=tmp_path
    )
    assert made.returncode in (0, 1), made.stdout + made.stderr
    data = json.loads(path.read_text())
    [change] = data["services"][0]["env"]
    change["value"] = "test "  # as the older drift planned it: something this one plans otherwise
    data["saved"]["drift_version"] = "0.1.9"
    data["saved"]["digest"] = body_digest(data, {k: data["saved"][k] for k in OPTIONS})
    path.write_text(json.dumps(data, indent=2) + "\n")
    done = drift(
        "fix", "prod", "--profiles", "profiles", "--plan", str(path), "--yes", env=env, cwd=tmp_path
    )
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 4, said
    assert "it was made by drift 0.1.9 at " in said, said
    assert f"this is drift {__version__}" in said and "run `drift plan prod` again" in said, said
    assert "nothing was changed" in said, said
