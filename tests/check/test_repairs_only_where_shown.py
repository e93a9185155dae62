"""A check's report carries the repair script (`fix_commands`) for the outputs that show it:
the JSON report (`--format json`, `--json FILE`) and the Markdown summary (`--format markdown`,
and the step summary drift appends in GitHub Actions). The table, SARIF and github formats
never show it, and planning it there (the planner, 60-odd `drift.fix` modules imported) was
work no one saw (helper-663 L1). Told by whether the planner was imported, in a process of its
own that imported nothing of drift's before."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import REPO, python_code, zygote_of_libraries

SHIPPED = REPO / "drift" / "examples" / "profiles"
PROBE = """
import sys
from drift.cli.root import app
try:
    code = app(sys.argv[1:], standalone_mode=False) or 0
except SystemExit as exc:
    code = exc.code
print(f"CODE={code} PLANNED={'drift.fix.render' in sys.modules}")
"""


@pytest.fixture(scope="module")
def libraries() -> Iterator[Any]:
    """Each run forked from a process that imported the Google libraries and nothing of
    drift's: what drift imports is the run's own, as in a fresh interpreter."""
    with zygote_of_libraries() as zygote:
        yield zygote


def checked(libraries: Any, env: dict[str, str], *args: str) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    done = python_code(
        PROBE, "check", "staging", "--profiles", str(SHIPPED), *args,
        cwd=REPO, env={**base, "NO_COLOR": "1", "PYTHONPATH": str(REPO), **env},
        zygote=libraries,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "planned"),
    [
        ((), False),
        (("--format", "sarif"), False),
        (("--format", "github"), False),
        (("--format", "json"), True),
        (("--format", "markdown"), True),
        (("--json", "{tmp}/report.json"), True),
    ],
)
def test_the_repair_script_is_planned_only_for_an_output_showing_it(
    libraries: Any,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    args: tuple[str, ...],
    planned: bool,
) -> None:
    line = checked(libraries, sandbox_env, *(a.format(tmp=tmp_path) for a in args))
    assert line == f"CODE=1 PLANNED={planned}", line


def test_the_step_summary_shows_it_whatever_the_format(
    libraries: Any, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    env = {**sandbox_env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    line = checked(libraries, env, "--format", "github")
    assert line == "CODE=1 PLANNED=True", line
    assert "### Repair" in summary.read_text()
