"""tests/prewrite.py (the Makefile's WARM_TESTS) writes the very bytecode pytest then takes
as its own, without running anything: a later run rewrites and compiles nothing again, and
its asserts are pytest's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cliutil import REPO


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--rootdir", str(folder), "-c", os.devnull, *args, str(folder)],
        env={**env, "PYTHONPATH": str(REPO)}, cwd=folder, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_what_is_written_is_what_pytest_then_imports(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    (tmp_path / "conftest.py").write_text(f"open({str(ran)!r}, 'a').write('conftest ')\n")
    (tmp_path / "helper.py").write_text("ONE = 1\n")
    (tmp_path / "test_one.py").write_text(
        f"from helper import ONE\nopen({str(ran)!r}, 'a').write('module ')\n\n"
        "def test_one():\n    assert ONE + 1 == 3\n"
    )
    written = _pytest(tmp_path, "--collect-only", "--noconftest", "-p", "tests.prewrite")
    assert written.returncode == 0, written.stdout + written.stderr
    assert not ran.exists()  # nothing imported: no conftest, no test module
    cache = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "__pycache__").iterdir()}
    tag = sys.implementation.cache_tag
    assert {n for n in cache if "-pytest-" in n} == {
        n for n in cache if n.startswith((f"conftest.{tag}-pytest-", f"test_one.{tag}-pytest-"))
    }
    assert len([n for n in cache if "-pytest-" in n]) == 2
    assert f"helper.{tag}.pyc" in cache

    run = _pytest(tmp_path)
    assert run.returncode == 1
    assert "assert (1 + 1) == 3" in run.stdout, run.stdout  # pytest's own assert, rewritten
    assert ran.read_text() == "conftest module "
    again = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "__pycache__").iterdir()}
    assert again == cache  # nothing written again: every one was taken as it was
