"""`[tool.drift]` is parsed once while pyproject.toml's bytes stay the same (`drift.settings`
`_parsed`): a process that runs many commands (a test suite, an editor's plugin) reads each
change, however fast and whatever its size, and no caller changes what the next one reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.settings import load_settings, read_project_table


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    return tmp_path / "pyproject.toml"


def test_a_change_of_the_same_size_at_the_same_instant_is_read(project: Path) -> None:
    project.write_text("[tool.drift]\nconcurrency = 5\n")
    stamp = os.stat(project).st_mtime_ns
    assert load_settings().concurrency == 5
    project.write_text("[tool.drift]\nconcurrency = 7\n")  # same inode, same length
    os.utime(project, ns=(stamp, stamp))  # and the same time, as a coarse clock gives
    assert load_settings().concurrency == 7


def test_a_table_read_is_a_copy(project: Path) -> None:
    project.write_text('[tool.drift]\nproject = "p"\n[tool.drift.extra]\nkey = ["a"]\n')
    first = read_project_table(project)
    assert first is not None
    first["project"] = "changed"
    first["extra"]["key"].append("b")
    assert read_project_table(project) == {"project": "p", "extra": {"key": ["a"]}}


def test_a_file_broken_after_a_good_read_is_named(project: Path) -> None:
    project.write_text("[tool.drift]\nconcurrency = 5\n")
    assert load_settings().concurrency == 5
    project.write_text("[tool.drift\nconcurrency = 5\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        load_settings()
