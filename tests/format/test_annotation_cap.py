"""`--format github` past GitHub's 10 annotations per level (helper-683 L5): the line counting
the others sends the reader to the step summary only when one is written (in Actions, to a
file drift can append to), else to `--format json`; and the 10 kept are the first lines of the
profile, not the first names (MISSING_0, _1, _10 … sorted as text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world

NAMES = [f"MISSING_{n}" for n in range(14)]  # as text, _10 … _13 come before _2
PROFILE = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n" + "".join(
    f"      {name}: {{required: true}}\n" for name in NAMES
)
FIRST = PROFILE.splitlines().index("      MISSING_0: {required: true}") + 1
HIDDEN = "drift: 4 more findings are not annotated (GitHub shows 10 per level); "


def _check(make_sandbox: MakeSandbox, tmp_path: Path, **env: str) -> list[str]:
    sandbox = make_sandbox(lab_world())
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "lab.yaml").write_text(PROFILE)
    done = drift(
        "check", "lab", "--format", "github",
        env={**sandbox.environ(), "GITHUB_WORKSPACE": str(tmp_path), **env}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("where", ["file", "unset", "directory", "no actions"])
def test_the_step_summary_is_named_only_when_written(
    make_sandbox: MakeSandbox, tmp_path: Path, where: str
) -> None:
    summary = tmp_path / "out" / "summary.md"
    summary.parent.mkdir()
    if where == "directory":
        summary.mkdir()
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    if where == "unset":
        del env["GITHUB_STEP_SUMMARY"]
    if where == "no actions":
        del env["GITHUB_ACTIONS"]
    lines = _check(make_sandbox, tmp_path, **env)
    written = summary.is_file()
    assert written == (where == "file")
    said = "see the step summary" if written else "--format json lists them all"
    assert HIDDEN + said in lines, lines


def test_the_annotations_kept_are_the_first_lines_of_the_profile(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    lines = _check(make_sandbox, tmp_path)
    errors = [line for line in lines if line.startswith("::error ")]
    annotated = [int(re.search(r",line=(\d+),", line)[1]) for line in errors]  # type: ignore[index]
    assert annotated == list(range(FIRST, FIRST + 10)), errors
