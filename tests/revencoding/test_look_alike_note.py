"""revencoding 4: when the two sides of a difference look alike, the human formats escape the
characters that make the difference and say so in a note; JSON keeps both values exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.revencoding.world import profile, world

WANT = "https://café.acme-chat.dev"


@pytest.mark.parametrize("fmt", ["table", "markdown", "github"])
def test_look_alike_values_are_escaped_and_noted(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    sandbox = make_sandbox(world({"CORS": WANT.replace("é", "e\u0301") + " "}))
    profile(tmp_path, f"      CORS: {WANT}\n")
    done = drift("check", "enc", "--format", fmt, env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "differ only in characters that look alike" in done.stdout, done.stdout
    assert "e\\u0301" in done.stdout.replace("\\\\", "\\") and "\\x20" in done.stdout.replace(
        "\\\\", "\\"
    ), done.stdout


def test_json_keeps_look_alike_values_exact(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    # a control (passes on main too): the escapes are for people; the data stays exact
    live = WANT + "\u00a0"
    sandbox = make_sandbox(world({"CORS": live}))
    profile(tmp_path, f"      CORS: {WANT}\n")
    done = drift("check", "enc", "--format", "json", env=sandbox.environ(), cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"]
    assert [(f["expected"], f["actual"]) for f in findings] == [(WANT, live)]
