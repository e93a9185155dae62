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


@pytest.mark.parametrize("args", [["--port", "70000"], ["--host", "0.0.0.0"]])
def test_a_bad_sandbox_address_is_refused_before_the_server_is_imported(args: list[str]) -> None:
    """What a person got wrong is said at once: the emulator's gRPC server and the Google
    libraries are imported only for a sandbox that can start."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "sandbox", *args], capture_output=True, text=True
    )
    assert done.returncode != 0 and "SandboxError" in done.stderr, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    assert line == "MODULES=", line


def test_the_sandbox_package_names_what_it_exports() -> None:
    import drift.sandbox

    assert sorted(drift.sandbox.__all__) == sorted(drift.sandbox._WHERE)
    for name in drift.sandbox.__all__:
        assert getattr(drift.sandbox, name) is not None


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drift", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"drift {__version__}"


def test_the_version_tells_this_build_apart() -> None:
    """Every build before said 0.1.0 (revcompat F6): a saved plan's `drift_version`, the
    journal's and Cloud Run's `client_version` could not tell one drift from another. A PEP
    440 version above it, read by pyproject from `drift.__version__`; `drift --version` never
    imports importlib.metadata (about 50 ms, and stale in an editable install)."""
    from packaging.version import Version

    assert Version(__version__) > Version("0.1.0")
    assert 'version = { attr = "drift.__version__" }' in (REPO / "pyproject.toml").read_text()
    code = (
        "import sys; sys.argv = ['drift', '--version']\n"
        "from drift.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    print('metadata' in repr(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.splitlines() == [f"drift {__version__}", "False"], done.stdout


def test_schema_file_is_current() -> None:
    """profiles/profile.schema.json (used by editors) matches `drift profiles schema`."""
    from drift.profiles.spec import json_schema

    shipped = json.loads((REPO / "profiles" / "profile.schema.json").read_text())
    assert shipped == json_schema()


def test_the_console_script_imports_nothing_before_main_can_catch_a_ctrl_c() -> None:
    """A Ctrl-C while `from drift.cli import main` runs is Python's traceback: that import is
    kept to drift's two package modules and what the interpreter has loaded anyway."""
    probe = (
        "import sys; before = set(sys.modules); import drift.cli; "
        "print(','.join(sorted(set(sys.modules) - before)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert set(done.stdout.split()[0].split(",")) <= {"__future__", "gc", "drift", "drift.cli"}


def test_the_exit_code_of_an_early_interruption_is_the_incomplete_one() -> None:
    from drift.cli import INCOMPLETE
    from drift.errors import ExitCode

    assert ExitCode.INCOMPLETE == INCOMPLETE


def test_the_schema_reads_one_way_whatever_pydantic_writes_a_literal() -> None:
    """pydantic 2.9 (the declared floor, `make floors`) writes `manual_instances`' Literal
    "auto" as `const` and `enum: ["auto"]`, 2.14 as `const` alone: the shipped schema is one."""
    from drift.profiles.spec import _one_spelling

    older = {"anyOf": [{"type": "integer"}, {"const": "auto", "enum": ["auto"], "type": "string"}]}
    assert _one_spelling(older) == {
        "anyOf": [{"type": "integer"}, {"const": "auto", "type": "string"}]
    }
    several = {"enum": ["gen1", "gen2"], "type": "string"}
    assert _one_spelling(several) == several
