"""A new team's first command in its repository, before any profile exists: one error naming
what is missing, and the next step (write a first profile with `drift init ENV --from-live`, or
name where the profiles are: --profiles DIR, DRIFT_PROFILES_DIR, [tool.drift] profiles_dir),
exit 2 (revfirstday 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift


@pytest.mark.parametrize(
    "command",
    [("check", "staging"), ("plan", "staging"), ("history", "staging"), ("probe", "staging")],
)
def test_no_profiles_directory_says_what_to_do_next(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = drift(*command, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "drift: error: profiles directory not found: profiles", done.stderr
    hint = " ".join(lines[1:])
    assert "drift init staging --from-live --project PROJECT --region REGION" in hint
    assert "--profiles DIR" in hint and "DRIFT_PROFILES_DIR" in hint
    assert "Traceback" not in done.stderr
