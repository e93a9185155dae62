"""The same file given twice (`-m a.yaml -m ./a.yaml`, a link to it, an action's `manifest:`
list or two globs that both match it) is said to be so, once: each of its workloads was "in
api.yaml:4 and in api.yaml:4: check each in its own run" (helper-834 F7). Exit 2 as before:
a person meant two files, or one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifest.conftest import DB_PROFILE, MINIMAL, check_offline


@pytest.mark.parametrize(
    ("second", "said"),
    [
        ("api.yaml", "api.yaml:1: this file is given twice: give each file once"),
        ("./api.yaml", "api.yaml:1: this file is given twice: give each file once"),
        ("link.yaml", "link.yaml:1: this file is also given as api.yaml: give each file once"),
    ],
)
def test_a_file_given_twice_is_said_so(tmp_path: Path, second: str, said: str) -> None:
    (tmp_path / "link.yaml").symlink_to("api.yaml")
    done = check_offline(tmp_path, DB_PROFILE, ("api.yaml", MINIMAL), (second, MINIMAL))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"drift: error: {said}\n"), done.stderr
    assert "check each in its own run" not in done.stderr


def test_two_files_of_the_same_text_are_two_files(tmp_path: Path) -> None:
    """Two copies are two files: each workload in both, as before."""
    done = check_offline(tmp_path, DB_PROFILE, ("api.yaml", MINIMAL), ("copy.yaml", MINIMAL))
    assert done.returncode == 2, done.stderr
    assert "check each in its own run" in done.stderr and "given" not in done.stderr
