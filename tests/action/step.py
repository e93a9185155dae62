"""The action's step (scripts/github-action.sh) run by bash with `drift` a stub script, as the
runner runs it: what it wrote, for a test to read the workflow commands in it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "github-action.sh"


def run_step(
    tmp_path: Path, stub: str, baseline: str = "", **more: str
) -> subprocess.CompletedProcess[str]:
    """The step, in `tmp_path`, with `drift` the shell code `stub`, the action's baseline
    input `baseline`, and `more` variables of the runner's or the action's."""
    drift = tmp_path / "drift"
    drift.write_text(f"#!/bin/sh\n{stub}\n")
    drift.chmod(0o755)
    env = {
        "PATH": os.environ["PATH"],
        "DRIFT_BIN": str(drift),
        "DRIFT_ACTION_ENVIRONMENT": "prod",
        "DRIFT_ACTION_BASELINE": baseline,
        **more,
    }
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
