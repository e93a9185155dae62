"""A `[tool.drift]` setting's error names the line of its key (`pyproject.toml:LINE:`), as a
profile's names `file:line` (helper-602 F10: only the file and the key were named). tomllib
gives no positions: the key is found by a scan of the text, in every way TOML writes one,
and never inside a multi-line string or array; where it is not found, the file alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.settings import load_settings, where
from drift.tomlkeys import key_lines
from tests.cliutil import drift

TOOL_DRIFT = ("tool", "drift")
FAKE = '[x]\nnotes = """\n[tool.drift]\nconcurrency = 0\n"""\n'  # a table written in a string


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.upper().startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[project]\nname = "x"\n\n[tool.drift]\nwait = 5\nconcurrency = 0 # c\n', 6),
        ("[tool]\ndrift.concurrency = 0\n", 2),  # a dotted key under [tool]
        ("[tool]\nx = 1\ndrift = { wait = 5, concurrency = 0 }\n", 3),  # an inline table
        ("tool.drift.concurrency = 0\n[y]\n", 1),  # a dotted key before any table
        ('tool = {drift = {"concurrency" = 0}}\n', 1),
        ('[ tool . "drift" ]\n"concurrency" = 0\n', 2),  # spaces and quotes in a header
        (f"{FAKE}[tool.drift]\nconcurrency = 0\n", 7),
        ('[tool.drift]\nprofiles_dir = """\nconcurrency = 1\n"""\nconcurrency = 0\n', 5),
        ("[a]\nlist = [\n  [1],\n]\n[tool.drift]\n\nconcurrency = 0\n", 7),
        ("[tool.other]\nconcurrency = 1\n[tool.drift]\r\nconcurrency = 0\r\n", 4),
    ],
)
def test_a_bad_value_names_the_line_of_its_key(project_dir: Path, text: str, line: int) -> None:
    path = project_dir / "pyproject.toml"
    path.write_bytes(text.encode())
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == (
        f"invalid configuration: {path.resolve()}:{line}: [tool.drift] concurrency: "
        "expected at least 1, not 0"
    )


def test_an_unknown_key_names_its_line_however_it_is_spelt(project_dir: Path) -> None:
    path = project_dir / "pyproject.toml"
    path.write_text('[tool.drift]\nwait = 5\n"x\\n::error::FORGED" = 1\n')
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value).startswith(
        f"invalid configuration: {path.resolve()}:3: [tool.drift] x\\n::error::FORGED: not a "
        "setting"
    )


def test_a_key_not_found_names_the_file_alone(tmp_path: Path) -> None:
    assert key_lines(FAKE, TOOL_DRIFT) == {}
    path = tmp_path / "pyproject.toml"
    path.write_text(FAKE)
    assert where(path, "concurrency") == f"{path}: [tool.drift] concurrency"
    assert where(tmp_path / "gone.toml", "wait") == f"{tmp_path / 'gone.toml'}: [tool.drift] wait"


def test_check_says_the_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.drift]\nprofiles_dir = "profiles"\nconcurrency = 0\n'
    )
    done = drift("check", "staging", cwd=tmp_path)
    assert (done.returncode, done.stderr.splitlines()) == (
        2,
        [
            f"drift: error: invalid configuration: {(tmp_path / 'pyproject.toml').resolve()}:6: "
            "[tool.drift] concurrency: expected at least 1, not 0"
        ],
    )
