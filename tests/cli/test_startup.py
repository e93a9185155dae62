"""`drift --help` and `drift --version` stay fast: no Google library is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from drift import __version__

REPO = Path(__file__).resolve().parents[2]

HELP = [["--version"], ["--help"], ["profiles", "--help"], ["check", "--help"], ["fix", "--help"]]
BAD_ADDRESS = [["--port", "70000"], ["--host", "0.0.0.0"]]

# One fresh interpreter imports drift's command line, then forks once per command: each child
# starts from exactly what a fresh `python -c PROBE ARGS` had when it called `app` (the same
# modules, one thread), runs it, and says what it has imported. Its streams go to files; an
# error escaping `app` is a traceback and exit 1, as the interpreter's own.
PROBE = """
import json, os, sys, traceback
from drift.cli.root import app
said = {}
for at, args in enumerate(json.loads(sys.argv[1])):
    out, err = (os.path.join(sys.argv[2], f"{at}.{name}") for name in ("out", "err"))
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            for fd, path in ((1, out), (2, err)):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            try:
                app(args, standalone_mode=False)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                heavy = ("google", "grpc", "websockets")
                print("MODULES=" + ",".join(sorted(m for m in sys.modules if m.startswith(heavy))))
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(out) as o, open(err) as e:
        said[at] = (os.waitstatus_to_exitcode(status), o.read(), e.read())
print(json.dumps(said))
"""


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, str, str]]:
    """Each of HELP's and `sandbox` BAD_ADDRESS's commands: exit code, stdout, stderr."""
    cases = [*HELP, *(["sandbox", *args] for args in BAD_ADDRESS)]
    where = tmp_path_factory.mktemp("probe")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(cases), str(where)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    said = json.loads(done.stdout)
    return [tuple(said[str(at)]) for at in range(len(cases))]  # type: ignore[misc]


@pytest.mark.parametrize("at", range(len(HELP)), ids=[" ".join(a) for a in HELP])
def test_startup_imports_no_google_library(probed: list[tuple[int, str, str]], at: int) -> None:
    code, out, err = probed[at]
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("MODULES="))
    assert line == "MODULES=", line


@pytest.mark.parametrize("at", range(len(BAD_ADDRESS)), ids=[" ".join(a) for a in BAD_ADDRESS])
def test_a_bad_sandbox_address_is_refused_before_the_server_is_imported(
    probed: list[tuple[int, str, str]], at: int
) -> None:
    """What a person got wrong is said at once: the emulator's gRPC server and the Google
    libraries are imported only for a sandbox that can start."""
    code, out, err = probed[len(HELP) + at]
    assert code != 0 and "SandboxError" in err, err
    line = next(x for x in out.splitlines() if x.startswith("MODULES="))
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


CLEAN_OR_NOT = """
import sys
sys.argv[0] = "drift"
from drift.cli import main
try:
    main()
except SystemExit as exc:
    planner = ("drift.fix.render", "drift.fix.journal", "drift.fix.plan")
    print("EXIT", exc.code, [m for m in planner if m in sys.modules], file=sys.stderr)
"""


@pytest.mark.parametrize(("mode", "code", "planned"), [("on", 0, False), ("off", 1, True)])
def test_a_clean_check_imports_no_planner(
    make_sandbox: Any, tmp_path: Path, mode: str, code: int, planned: bool
) -> None:
    """The planner (its repair commands) and the journal are a check's to import only where
    it has something to repair: a clean check's start-up is what the user times. (In the JSON
    report, which shows the repair commands: the table never plans them, helper-663 L1.)"""
    world = {"projects": {"p": {"number": 5, "services": {"api": {"template": {"image": "x/api:1",
             "env": {"MODE": "on"}}}}}}}  # fmt: skip
    sandbox = make_sandbox(world)
    (tmp_path / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        f"      MODE: {{value: '{mode}'}}\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", CLEAN_OR_NOT, "check", "staging", "--profiles", str(tmp_path),
         "--format", "json"],
        capture_output=True, text=True, cwd=REPO, env={**sandbox.environ(), "PATH": "/usr/bin",
        "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}, timeout=60,
    )  # fmt: skip
    said = done.stderr.splitlines()[-1]
    assert said.startswith(f"EXIT {code} "), done.stderr
    assert (said != f"EXIT {code} []") is planned, said
