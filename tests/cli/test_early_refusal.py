"""A bad input is said without waiting for the Google client libraries to import (helper-633
F2): they are imported meanwhile, a step at a time, while the profile is read in a child, and a
refusal the child sends ends the imports; a --baseline or --manifest file that is not there
imports nothing ahead of its error. Each run is a fresh interpreter, as a user's is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import REPO

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork is used on Linux only")

# The parent as slow as it can be: the child has ended (its answer written; it is left for
# drift to reap) before the parent first looks for it (drift.cli.overlap's select). Exit: the
# code, whether the parent waited so (False: no child was looked for, the test proves nothing),
# the Google and gRPC modules imported, and how many of them are the client libraries'.
SLOW_PARENT = """
import os, select, sys

looked = []
quick = select.select

def slow(*args):
    if not looked:
        try:
            looked.append(os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT))
        except ChildProcessError:  # no child to wait for
            pass
    return quick(*args)

select.select = slow
sys.argv[0] = "drift"
from drift.cli import main
try:
    main()
except SystemExit as exc:
    heavy = sorted(m for m in sys.modules if m.startswith(("google", "grpc")))
    clients = [m for m in heavy if m.startswith(("grpc", "google.cloud", "google.api_core"))]
    print("EXIT", exc.code, bool(looked), len(heavy), len(clients), file=sys.stderr)
"""

WORLD = {"projects": {"p": {"number": 5, "services": {"api": {"template": {"image": "x/api:1",
         "env": {"MODE": "on"}}}}}}}  # fmt: skip


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """The last line of stderr (EXIT …) and the rest of it."""
    done = subprocess.run(
        [sys.executable, "-c", SLOW_PARENT, *args, "--profiles", str(tmp_path / "profiles")],
        capture_output=True, text=True, cwd=tmp_path, timeout=90,
        env={**(env or {}), "PATH": "/usr/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
             "NO_COLOR": "1"},
    )  # fmt: skip
    *said, last = done.stderr.splitlines()
    return last, "\n".join(said)


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: {value: 'on'}\n"
    )
    (folder / "bad.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    settings: {cpu: banana}\n"
    )
    return folder


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("check", "nosuch"), "no profile for environment 'nosuch'"),
        (("check", "bad"), "bad.yaml:5"),
        (("plan", "nosuch"), "no profile for environment 'nosuch'"),
        (("history", "nosuch"), "no profile for environment 'nosuch'"),
    ],
    ids=["check-no-environment", "check-refused-field", "plan", "history"],
)
def test_a_refused_profile_is_said_before_any_google_library_is_imported(
    profiles: Path, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    last, rest = _run(tmp_path, *args)
    code, waited, google, clients = last.split()[1:]
    assert code == "2", rest
    assert said in rest, rest
    assert waited == "True", "the child was never waited for: the test proves nothing"
    assert clients == "0", last
    if args[0] == "check":  # (plan's and history's own modules import protobuf, 17 modules)
        assert google == "0", last


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--baseline", "gone.json"), "cannot read the baseline gone.json"),
        (("--manifest", "gone.yaml", "--offline"), "gone.yaml"),
        (("--manifest", "gone.yaml"), "gone.yaml"),
    ],
    ids=["baseline", "manifest-offline", "manifest"],
)
def test_a_missing_input_file_imports_no_google_library(
    profiles: Path, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    last, rest = _run(tmp_path, "check", "staging", *args)
    code, waited, _, clients = last.split()[1:]
    assert code == "2", rest
    assert said in rest, rest
    assert waited == "True", "the profile was never read in a child: the test proves nothing"
    assert clients == "0", last


def test_a_good_profile_still_has_the_clients_imported_meanwhile(
    make_sandbox: Any, profiles: Path, tmp_path: Path
) -> None:
    """The same slow parent on a good profile: the check runs (clean, exit 0) with the
    clients imported."""
    sandbox = make_sandbox(WORLD)
    last, rest = _run(tmp_path, "check", "staging", env=sandbox.environ())
    code, waited, _, clients = last.split()[1:]
    assert code == "0", rest
    assert waited == "True"
    assert int(clients) > 100, last
