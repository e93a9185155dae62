"""A report is written whole: into a temporary file beside its target, then renamed over it.
Where that temporary file cannot be created (a directory that takes no new file: /proc's), the
error is that file's and names it (helper-602 F10: `--output /proc/self/comm` said `cannot
write /proc/self/comm: No such file or directory`, of a file that is there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.files import write_whole
from tests.cliutil import REPO, drift

COMM = Path("/proc/self/comm")
DATA = REPO / "tests" / "data" / "manifest"
OFFLINE = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
MANIFEST = ("-m", str(DATA / "chat.service.yaml"))
SAID = (
    r"cannot write /proc/self/comm: the temporary file beside it, "
    r"/proc/(\d+)/\.comm\.\d+\.partial, cannot be created: No such file or directory"
)
HINT = (
    "drift writes a file whole: into a new file in the same directory, then renamed over it; "
    "name a file in a directory where files can be created"
)

pytestmark = pytest.mark.skipif(not COMM.is_file(), reason="Linux's /proc")


def test_the_temporary_file_that_cannot_be_created_is_the_one_named() -> None:
    before = COMM.read_text()
    with pytest.raises(UsageError) as raised:
        write_whole(COMM, "report\n")
    assert re.fullmatch(SAID, raised.value.message), raised.value.message
    assert raised.value.hint == HINT
    assert COMM.read_text() == before


def test_output_names_the_temporary_file(tmp_path: Path) -> None:
    done = drift(*OFFLINE, *MANIFEST, "--output", str(COMM), cwd=tmp_path)
    lines = done.stderr.splitlines()
    assert re.fullmatch(f"drift: error: {SAID}", lines[0]), done.stderr
    assert lines[1] == f"  hint: {HINT}"
    assert "Traceback" not in done.stderr


def test_a_file_in_a_missing_directory_is_still_the_target_s_error(tmp_path: Path) -> None:
    """An error of the target itself (here: its directory is gone) is said of it, as before."""
    target = tmp_path / "gone" / "report.json"
    with pytest.raises(UsageError) as raised:
        write_whole(target, "report\n")
    assert str(raised.value) == f"cannot write {target}: No such file or directory"


def test_a_rename_refused_is_the_target_s_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-613 M7: rename(2) refused (EPERM over another user's file in a sticky /tmp)
    names both files, the temporary one first: it was created, and the target refused."""
    import errno
    import os

    from drift import files

    target = tmp_path / "report.json"
    target.write_text("{}")

    def refused(source: Path, destination: Path) -> None:
        assert Path(source).exists()
        # the names as text, as a rename given text names them (given paths, it names them
        # as paths, which the test of "beside" never took for its own)
        names = (str(source), None, str(destination))
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), *names)

    monkeypatch.setattr(files.os, "replace", refused)
    # another user's file: not one to write in place either (as root, any file would be)
    monkeypatch.setattr(files, "_unreplaceable", lambda target, exc: False)
    with pytest.raises(UsageError) as raised:
        write_whole(target, "report\n")
    assert str(raised.value) == f"cannot write {target}: Operation not permitted"
    assert target.read_text() == "{}"
