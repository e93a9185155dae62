"""The action's step spends none of GitHub's 10 annotations per level on its own news: drift
spends them all on the findings (drift.format.github.ANNOTATIONS_PER_LEVEL), so a notice or a
warning of scripts/github-action.sh would push drift's tenth out unannounced (revgha F3)."""

from __future__ import annotations

from pathlib import Path

from tests.action.step import run_step
from tests.runner_commands import commands

PROFILE = "profiles/prod.yaml"


def _step(tmp_path: Path, stub: str, baseline: Path) -> str:
    """The step's log with `drift` a stub that prints the annotations of 10 findings a level."""
    return run_step(tmp_path, stub, str(baseline)).stdout


ANNOTATE = "".join(
    f"printf '::{level} file={PROFILE},line={i}::finding {i}\\n'\n"
    for level in ("notice", "warning")
    for i in range(10)
)


def _levels(log: str) -> list[str]:
    return [name for name, _, _ in commands(log)]


def test_no_baseline_yet_is_a_log_line_not_a_notice(tmp_path: Path) -> None:
    """Problem matchers doc (actions/toolkit docs/problem-matchers.md, "Limitations"): 10
    notices per step (a composite action's steps share its record: actions/runner
    ExecutionContext CreateEmbeddedChild). On main the script's own `::notice` made 11."""
    log = _step(tmp_path, ANNOTATE + "exit 0", tmp_path / "not-yet.json")
    assert _levels(log).count("notice") == 10
    assert "drift: no baseline report yet (first run): every finding is new" in log


def test_a_refused_baseline_is_a_log_line_not_a_warning(tmp_path: Path) -> None:
    """drift refuses the baseline (exit 2 naming it), the script checks again as a first run:
    on main its `::warning` made 11 warnings. Its text stays one plain line."""
    baseline = tmp_path / "old.json"
    baseline.write_text("{}")
    refuse = (
        'case "$*" in *--baseline*) echo "drift: error: $*: ##[error]not a report" >&2; exit 2;; '
        "esac"
    )
    log = _step(tmp_path, f"{refuse}\n{ANNOTATE}exit 1", baseline)
    assert _levels(log) == ["notice"] * 10 + ["warning"] * 10
    (line,) = [line for line in log.splitlines() if "baseline not used" in line]
    assert line.startswith("drift: warning: baseline not used, checked as a first run")
    assert "##\\[error]" in line and "##[" not in line
