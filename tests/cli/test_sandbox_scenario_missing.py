"""revinit91 F2: a `--scenario` that names no file and no shipped scenario (a typo of
`real-shapes`, a path from another directory) is one line naming it, the scenarios drift ships
and where the format is described (exit 2) — not `nosuch:1: cannot read`, a file:line error
for a file that is not there, which names neither what was looked for nor what to pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift


@pytest.mark.parametrize("command", [["sandbox"], ["sandbox", "token"]])
def test_a_scenario_that_is_not_there_says_what_drift_ships(
    tmp_path: Path, command: list[str]
) -> None:
    done = drift(*command, "--scenario", "real-shape", cwd=tmp_path, serves=False)
    assert done.returncode == 2, done.stderr
    assert "real-shape:1" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == (
        "drift: error: no scenario real-shape: no such file, nor a scenario shipped with drift"
    ), done.stderr
    assert "hint: drift ships default, real-shapes" in done.stderr
    assert "docs/sandbox.md" in done.stderr
    assert "Traceback" not in done.stderr
