"""Fixtures for profile tests: a scratch profiles directory in the working directory."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

WriteProfile = Callable[[str, str], Path]


@pytest.fixture
def profiles_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    directory = tmp_path / "profiles"
    directory.mkdir()
    return directory


@pytest.fixture
def write(profiles_dir: Path) -> WriteProfile:
    def _write(name: str, text: str) -> Path:
        path = profiles_dir / f"{name}.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return _write
