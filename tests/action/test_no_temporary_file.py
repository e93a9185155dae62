"""revwork85 (noticed): where no temporary file can be made (TMPDIR not writable or gone),
the step exited 1, bash's status for the redirection into an empty name, which reads as
"drift found"; it is bad input of the runner's, exit 2, said as an annotation."""

from __future__ import annotations

from pathlib import Path

from tests.action.step import run_step
from tests.runner_commands import commands


def test_no_temporary_file_is_exit_2_saying_why(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    done = run_step(
        tmp_path,
        "echo ran >> ran.txt; exit 0",
        TMPDIR=str(tmp_path / "gone"),
        GITHUB_OUTPUT=str(outputs),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    ((name, _, message),) = commands(done.stdout + done.stderr)
    assert name == "error" and f"cannot make a temporary file in {tmp_path}/gone" in message
    assert "exit-code=2" in outputs.read_text()
    assert not (tmp_path / "ran.txt").exists()  # drift is not run without its error file
