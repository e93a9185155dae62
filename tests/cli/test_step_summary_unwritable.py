"""A step summary that cannot be written (GITHUB_STEP_SUMMARY naming a directory, a file on a
read-only disk) is one warning naming the variable and why, in words, and the exit code is the
check's own: the report was printed whole."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import drift


def test_a_step_summary_that_is_a_directory_is_one_warning(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    where = tmp_path / "summary"
    where.mkdir()
    env = {**sandbox_env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(where)}
    done = drift("check", "staging", "--no-history", env=env)
    alone = drift("check", "staging", "--no-history", env=sandbox_env)
    assert done.returncode == alone.returncode == 1, done.stderr
    warned = [line for line in done.stderr.splitlines() if "step summary" in line]
    assert warned == [
        f"drift: warning: cannot write the step summary GITHUB_STEP_SUMMARY={where}: Is a "
        "directory; the report itself is as printed"
    ], done.stderr
