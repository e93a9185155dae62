"""revown29 F3 (fixgha, revgha F3): the script's "baseline not used" is now only a log line.
Before, a `::warning` annotation put it on the run's page; now nothing there says it: the
step checks again WITHOUT --baseline and WITHOUT --fail-on-new, so a workflow gated on new
findings passes ungated, every run a cached or gs:// baseline stays refused (unreadable
object, another environment), and the run page (annotations, step summary) does not say so.
What should happen: said where the run's reader looks without opening the raw log — the step
summary (`$GITHUB_STEP_SUMMARY`), which costs no annotation slot."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.action.test_own_annotations import ANNOTATE, SCRIPT


def test_a_refused_baseline_is_said_in_the_step_summary(tmp_path: Path) -> None:
    baseline = tmp_path / "old.json"
    baseline.write_text("{}")
    drift = tmp_path / "drift"
    refuse = 'case "$*" in *--baseline*) echo "drift: error: $*: not a report" >&2; exit 2;; esac'
    drift.write_text(f"#!/bin/sh\n{refuse}\n{ANNOTATE}exit 1\n")
    drift.chmod(0o755)
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "DRIFT_BIN": str(drift),
        "DRIFT_ACTION_ENVIRONMENT": "prod",
        "DRIFT_ACTION_BASELINE": str(baseline),
        "DRIFT_ACTION_FAIL_ON_NEW": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = subprocess.run(
        ["bash", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert "baseline not used" in done.stdout  # the log line is there
    assert "baseline not used" in summary.read_text(), summary.read_text()
