"""`drift fix --plan FILE` of a plan made with `--service`: what is checked before anything is
read is what the plan's selection needs. A probe of a service outside it, needing a `${VAR}`
the runner does not have, stopped the fix as if it were to be probed (exit 2, "export …"),
though `drift fix --service` with the same selection ran."""

from __future__ import annotations

import subprocess
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, env_by_name, lab_world

PROFILE = f"""\
project: {LAB}
region: us-central1
services:
  aaa:
    env:
      MODE: live
    probe:
      websocket: /ws
      subprotocols: ["jwt.${{LAB_PROBE_JWT}}"]
  bbb:
    env:
      MODE: live
      DEBUG: {{forbidden: true}}
"""


def _run(sandbox: Sandbox, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(PROFILE)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    return drift(*args, env=env, cwd=tmp_path, timeout=120)


def test_a_probe_outside_the_saved_selection_does_not_stop_its_fix(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world(service="aaa", also=("bbb",)))
    path = tmp_path / "plan.json"
    made = _run(sandbox, tmp_path, "plan", "lab", "--service", "bbb", "--out", str(path))
    assert made.returncode == 1 and path.is_file(), made.stdout + made.stderr
    done = _run(sandbox, tmp_path, "fix", "lab", "--plan", str(path), "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "LAB_PROBE_JWT" not in said, said
    env = env_by_name(sandbox.service(LAB, "bbb"))
    assert env["MODE"].value == "live" and "DEBUG" not in env
    assert "MODE" not in env_by_name(sandbox.service(LAB, "aaa"))  # outside the plan
