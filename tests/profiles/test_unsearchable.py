"""A profiles directory drift's user cannot list or search, or a base linked into one, is
one line naming it, exit 2: pathlib's `is_file` raises PermissionError there (Python 3.11),
which ended drift with "internal error: PermissionError … (run with --verbose for the
traceback)", and `profiles validate` said "no profiles (*.yaml)" of a directory it could
not list (helper-527 F2). Root reads through file modes: the commands run without the
capabilities that let it (`setpriv`), as any other user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cliutil import REPO

PROFILE = "project: acme-staging\nregion: us-central1\nservices:\n  api:\n    env: {A: x}\n"
ROOT = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
DROP = ["--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]


def _can_drop() -> bool:
    """Whether setpriv can drop the capabilities here (a container may lack CAP_SETPCAP)."""
    if SETPRIV is None:
        return False
    return subprocess.run([SETPRIV, *DROP, "true"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    ROOT and not _can_drop(), reason="root reads any directory, and setpriv cannot drop that"
)


def _drift(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`drift ARGS` as a user without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH."""
    command = [sys.executable, "-m", "drift", *args]
    if ROOT:
        assert SETPRIV is not None
        command = [SETPRIV, *DROP, *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFT_")}
    env |= {"PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A directory with mode 000 (given back its mode after the test, so it can be removed)."""
    directory = tmp_path / "locked"
    directory.mkdir()
    (directory / "staging.yaml").write_text(PROFILE)
    (directory / "base.yaml").write_text(PROFILE)
    directory.chmod(0)
    yield directory
    directory.chmod(0o755)


def test_check_in_a_directory_it_cannot_search_names_the_file(locked: Path) -> None:
    done = _drift(locked.parent, "check", "staging", "--profiles", "locked")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "drift: error: no profile for environment 'staging': locked/staging.yaml is unreadable "
        "(Permission denied), not a profile file"
    ]


def test_validate_says_it_cannot_list_the_directory_not_that_it_is_empty(locked: Path) -> None:
    done = _drift(locked.parent, "profiles", "validate", "--profiles", "locked")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0] == (
        "drift: error: cannot list the profiles directory locked: Permission denied"
    )
    assert "no profiles" not in done.stderr


def test_a_base_linked_into_a_directory_it_cannot_search(tmp_path: Path, locked: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text("extends: base\nservices:\n  api:\n    env: {B: y}\n")
    (profiles / "base.yaml").symlink_to(locked / "base.yaml")
    validated = _drift(tmp_path, "profiles", "validate", "--profiles", "profiles")
    checked = _drift(tmp_path, "check", "staging", "--profiles", "profiles")
    said = (
        "profiles/staging.yaml:1: extends 'base': profiles/base.yaml is unreadable (Permission "
        "denied), not a profile file"
    )
    assert validated.returncode == 2 and said in validated.stderr.splitlines(), validated.stderr
    assert "profiles/base.yaml:1: cannot read: Permission denied" in validated.stderr
    assert checked.returncode == 2 and checked.stderr.splitlines() == [f"drift: error: {said}"]
    for done in (validated, checked):
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr
