"""helper-827 B1: standard output off a terminal gets the bytes `typer.echo` wrote before
drift wrote them itself (d6abd9d2, `output._as_echoed`). An ASCII stdout
(`PYTHONIOENCODING=ascii`) is one click (typer's copy of it too) takes for misconfigured and
writes as UTF-8 (_compat.py `_stream_is_misconfigured`): `·`, `é` and `—` stay themselves,
never `\\xb7`, `\\xe9`, `\\u2014` text in a GitHub annotation or a Markdown summary."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer

from drift.cli.output import echo
from tests.conftest import MakeSandbox
from tests.encoding.world import profile, run_bytes, world

RUNS = [
    ("check", "table"),
    ("check", "markdown"),
    ("check", "github"),
    ("plan", "table"),
]


@pytest.mark.parametrize(("command", "fmt"), RUNS, ids=[f"{c}-{f}" for c, f in RUNS])
def test_an_ascii_stdout_gets_the_bytes_a_utf8_one_gets(
    make_sandbox: MakeSandbox, tmp_path: Path, command: str, fmt: str
) -> None:
    sandbox = make_sandbox(world({"NOTE": "café — old"}))
    profile(tmp_path, '      NOTE: "thé — new"\n')
    outputs = {}
    for encoding in ("utf-8", "ascii"):
        done = run_bytes(
            command, "enc", "--format", fmt,
            env=sandbox.environ(), cwd=tmp_path, extra={"PYTHONIOENCODING": encoding},
        )  # fmt: skip
        assert done.returncode == 1, done.stderr  # drift found
        outputs[encoding] = done.stdout
    assert not outputs["utf-8"].isascii()  # a test that can tell
    assert outputs["ascii"] == outputs["utf-8"]


TEXTS = ["café · thé — 😀", "a\x1b[31mred\x1b[0m", "a\x1b[2~b\x1b[38:5:1mc\x1b[ qd", "no\nend"]


@pytest.mark.parametrize("text", TEXTS, ids=["non-ascii", "sgr", "other-csi", "lines"])
@pytest.mark.parametrize(
    ("encoding", "errors"),
    [("utf-8", "strict"), ("ascii", "backslashreplace"), ("latin-1", "backslashreplace")],
    ids=["utf-8", "ascii", "latin-1"],
)
def test_echo_off_a_terminal_writes_what_typers_echo_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, encoding: str, errors: str
) -> None:
    """drift's `echo` to a file against `typer.echo`'s to the same kind of stream (errors as
    `drift.cli._any_locale` sets them off UTF-8): escape sequences taken out as its are, `\\n`
    as the text layer writes it, and the encoding its click chooses."""
    written = {}
    for who, write in (("drift", echo), ("typer", typer.echo)):
        path = tmp_path / who
        with open(path, "w", encoding=encoding, errors=errors) as stream:
            monkeypatch.setattr(sys, "stdout", stream)
            write(text)
        written[who] = path.read_bytes()
    assert written["drift"] == written["typer"]
