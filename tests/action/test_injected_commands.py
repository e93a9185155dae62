"""A value that a pull request controls and drift quotes in an error (a profiles directory in
pyproject.toml, an output path) never becomes a workflow command of its own: the runner trims
a line's leading white space and runs it when it begins with `::` (revci61 F1: `profiles_dir =
"nodir\\n::set-output name=status::clean"` printed `::set-output name=status::clean` as a line
of the step's log). The only commands in what drift writes are its own annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.runner_commands import commands

INJECTED = "nodir\n  ::set-output name=status::clean\n::warning::injected"


def _own(log: str) -> list[str]:
    """Every workflow command in `log`, by name, that is not drift's own error annotation."""
    return [
        f"{name} {props} {data}"
        for name, props, data in commands(log)
        if not (name == "error" and props.get("title") == "drift")
    ]


@pytest.mark.parametrize("how", ["pyproject", "--profiles", "--sarif"])
def test_a_quoted_value_with_line_breaks_runs_no_command(how: str, tmp_path: Path) -> None:
    args = ["check", "staging", "--format", "github"]
    if how == "pyproject":
        (tmp_path / "pyproject.toml").write_text(
            '[tool.drift]\nprofiles_dir = "nodir\\n  ::set-output name=status::clean"\n'
        )
    elif how == "--profiles":
        args += ["--profiles", INJECTED]
    else:
        (tmp_path / "profiles").mkdir()
        args += ["--profiles", "profiles", "--sarif", f"{INJECTED}/x.sarif"]
    done = drift(*args, env={"GITHUB_ACTIONS": "true"}, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    log = done.stdout + done.stderr
    assert "drift: error:" in done.stderr and "set-output" in done.stderr  # said, not run
    assert _own(log) == [], log
