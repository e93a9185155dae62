"""SPEC "Findings": `location` … (`file` relative to the working directory, `line`), whichever
way the profiles were found: `[tool.drift] profiles_dir` (the README's example) from a
subdirectory names the same `../../deploy/profiles/base.yaml` as `--profiles
../../deploy/profiles` does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift


def _files(result_stdout: str) -> set[str]:
    return {f["location"]["file"] for f in json.loads(result_stdout)["findings"]}


def test_location_file_is_relative_to_the_working_directory_with_tool_drift(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "deploy").mkdir()
    shutil.copytree(REPO / "profiles", tmp_path / "deploy" / "profiles")
    (tmp_path / "pyproject.toml").write_text('[tool.drift]\nprofiles_dir = "deploy/profiles"\n')
    sub = tmp_path / "sub" / "dir"
    sub.mkdir(parents=True)
    found = drift("check", "staging", "--format", "json", env=sandbox_env, cwd=sub)
    given = drift(
        "check", "staging", "--format", "json", "--profiles", "../../deploy/profiles",
        env=sandbox_env, cwd=sub,
    )  # fmt: skip
    assert _files(found.stdout) == _files(given.stdout), (found.stdout[-400:], given.stderr)
    assert "../../deploy/profiles/base.yaml" in _files(found.stdout)
    assert json.loads(found.stdout)["profiles_dir"] == "../../deploy/profiles"
