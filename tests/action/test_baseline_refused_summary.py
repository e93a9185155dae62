"""revown29 F3 (fixgha, revgha F3): the script's "baseline not used" is now only a log line.
Before, a `::warning` annotation put it on the run's page; now nothing there says it: the
step checks again WITHOUT --baseline and WITHOUT --fail-on-new, so a workflow gated on new
findings passes ungated, every run a cached or gs:// baseline stays refused (unreadable
object, another environment), and the run page (annotations, step summary) does not say so.
What should happen: said where the run's reader looks without opening the raw log — the step
summary (`$GITHUB_STEP_SUMMARY`), which costs no annotation slot."""

from __future__ import annotations

from pathlib import Path

from tests.action.step import run_step
from tests.action.test_own_annotations import ANNOTATE


def test_a_refused_baseline_is_said_in_the_step_summary(tmp_path: Path) -> None:
    baseline = tmp_path / "old.json"
    baseline.write_text("{}")
    refuse = 'case "$*" in *--baseline*) echo "drift: error: $*: not a report" >&2; exit 2;; esac'
    summary = tmp_path / "summary.md"
    summary.write_text("")
    done = run_step(
        tmp_path,
        f"{refuse}\n{ANNOTATE}exit 1",
        str(baseline),
        DRIFT_ACTION_FAIL_ON_NEW="true",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert "baseline not used" in done.stdout  # the log line is there
    assert "baseline not used" in summary.read_text(), summary.read_text()
