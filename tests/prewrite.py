"""`pytest --collect-only --noconftest -p tests.prewrite FILES`: the bytecode the test workers
need, written without importing anything (the Makefile's WARM_TESTS): each test module and
conftest.py rewritten for pytest's assertions and cached (`__pycache__/*-pytest-*.pyc`) as
pytest's first import of it does, and the other modules of tests/ compiled as Python's first
import of them does (`__pycache__/*.pyc`).

On a fresh checkout the workers of `make test` find it all cached (tests/rewarm.py). A
collection wrote the same, but also imported every module, drift and the Google libraries,
and built every test item, which each worker does again anyway (a fresh clone, 2 cores
loaded, 2026-12-07: collecting the suite in two processes took 31.5 s of CPU with an empty
cache, 12.3 s with a full one). Where this pytest has not the functions of its assertion
module used here (its own, not its API), the run collects as before."""

from __future__ import annotations

import py_compile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection(session: pytest.Session) -> bool | None:
    try:
        from _pytest.assertion.rewrite import (
            PYC_TAIL,
            _read_pyc,
            _rewrite_test,
            _write_pyc,
            assertstate_key,
            get_cache_dir,
            try_makedirs,
        )

        state = session.config.stash[assertstate_key]
    except (ImportError, KeyError):
        return None  # a collection writes it
    for file in _files(session.config):
        cache = get_cache_dir(file)
        if not try_makedirs(cache):
            continue
        if not file.name.startswith("test_") and file.name != "conftest.py":
            py_compile.compile(str(file), doraise=False, quiet=2)
            continue
        pyc = cache / (file.name[:-3] + PYC_TAIL)
        if _read_pyc(file, pyc, state.trace) is not None:
            continue
        try:
            source_hash, code = _rewrite_test(file, session.config)
        except SyntaxError:
            continue  # its collection reports it
        _write_pyc(state, code, source_hash, pyc)
    return True


def _files(config: pytest.Config) -> list[Path]:
    """The test modules the run's arguments name (files, or folders: every module in them
    but test data), and the conftest.py and other modules of tests/ above them."""
    out: set[Path] = set()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::", 1)[0]).resolve()
        if path.is_dir():
            out.update(f for f in path.rglob("*.py") if "data" not in f.relative_to(path).parts)
        else:
            out.add(path)
        for folder in path.parents:
            if HERE != folder and HERE not in folder.parents:
                break
            out.update(f for f in folder.glob("*.py") if not f.name.startswith("test_"))
    return sorted(out)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK  # none was meant to be
