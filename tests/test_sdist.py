"""What a distro packager gets: an sdist with no tests (the suite needs the repository), and
a README whose image tags are the package's version."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from drift import __version__
from tests.cliutil import REPO, package_source


def test_the_sdist_ships_no_tests(tmp_path: Path) -> None:
    source = package_source(tmp_path / "src")
    (source / "MANIFEST.in").write_text((REPO / "MANIFEST.in").read_text())
    (source / "tests").mkdir()
    for name in ("test_check.py", "conftest.py", "__init__.py"):
        (source / "tests" / name).write_text("")
    uv = Path(sys.executable).with_name("uv")
    if not uv.exists():  # `make install` fell back to pip (uv could not be installed)
        pytest.skip("no uv beside this Python to build an sdist with")
    subprocess.run(
        [str(uv), "build", "--sdist", "-q", "--out-dir", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert [n for n in names if "/tests/" in n] == []
    assert any(n.endswith("/drift/examples/profiles/e2e.yaml") for n in names)


def test_the_readmes_image_tags_are_the_package_version() -> None:
    tags = set(re.findall(r"/tools/drift(?:-profiles)?:([^\s]+)", (REPO / "README.md").read_text()))
    assert tags == {__version__}
