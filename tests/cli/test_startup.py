"""`drift --help` and `drift --version` stay fast: no Google library is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drift import __version__

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from drift.cli.root import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted(m for m in sys.modules if m.startswith(("google", "grpc", "websockets")))
    print("MODULES=" + ",".join(heavy))
"""


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["profiles", "--help"], ["check", "--help"], ["fix", "--help"]],
)
def test_startup_imports_no_google_library(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    assert line == "MODULES=", line


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drift", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"drift {__version__}"


def test_schema_file_is_current() -> None:
    """profiles/profile.schema.json (used by editors) matches `drift profiles schema`."""
    from drift.profiles.spec import json_schema

    shipped = json.loads((REPO / "profiles" / "profile.schema.json").read_text())
    assert shipped == json_schema()
