"""README: "`fix` prints a report in these formats: … with `--dry-run`, the report of the
check the plan repairs …; the summary line ends `— drift; dry run accepted (exit 0)`". The
default table format too, after the plan and the server's validation."""

from __future__ import annotations

import shutil
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift


def test_fix_dry_run_table_prints_the_report_and_its_summary_line(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    result = drift("fix", "e2e", "--dry-run", env=sandbox_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "dry run accepted (exit 0)" in out, out[-600:]
    # the report comes after the plan: its findings, with their profile lines
    assert out.index("Plan for e2e") < out.index("env.forbidden  env.TESTING"), out
    assert "profiles/base.yaml:13" in out
    assert out.rstrip().endswith("dry run accepted (exit 0)"), out[-300:]
