"""Each pytest worker imports the test modules before collecting them, starting at a place of
its own in their list (`warm`).

A fresh checkout has no rewritten test modules cached (`__pycache__/*-pytest-*.pyc`): pytest
rewrites each module's asserts at its first import and caches the result. Every worker collects
every module in the same order, so on a fresh checkout the workers started together rewrote
every module each, at once (4 workers on 2 cores, 2026-12-01: collecting nothing with `-k`,
64 s with an empty cache, 17 s with a full one). Started at their own quarter of the list, each
worker rewrites about that quarter, and finds the rest already cached by the time it gets to
it. The modules imported are the ones collection would import next, by the names it gives
them (the rootdir-relative package path, `tests.fix.test_fix`), through pytest's own import
hook, so collection then finds each in `sys.modules`; a module that fails to import, or warns
while it is imported (the suite's `filterwarnings = error`), is left for collection to import
again and report, as it would have."""

from __future__ import annotations

import contextlib
import importlib
import os
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def warm(args: list[str], invoked_from: Path) -> None:
    """`args`: the run's (files, directories, node ids), as given from `invoked_from`: only
    the modules collection will import (a run of one file imported all 900, 3 s of CPU in
    each worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if not worker.startswith("gw") or count < 2:
        return
    places = [(invoked_from / arg.split("::", 1)[0]).resolve() for arg in args] or [HERE]
    files = {str(place) for place in places}
    folders = tuple(f"{place}{os.sep}" for place in places)
    names = sorted(
        ".".join(path.relative_to(HERE.parent).with_suffix("").parts)
        for path in HERE.rglob("test_*.py")
        if "__pycache__" not in path.parts and (str(path) in files or str(path).startswith(folders))
    )
    start = len(names) * int(worker[2:]) // count
    for name in names[start:] + names[:start]:
        with (
            contextlib.suppress(Exception, pytest.skip.Exception, pytest.fail.Exception),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("error")
            importlib.import_module(name)
