"""Every import statement in drift/'s modules (lazy and TYPE_CHECKING ones included), parsed
once per test run: test_architecture and test_dependencies each parsed all of drift/ (about
1.5 s of CPU each). Under xdist their files may run on different workers, so what one parsed
is kept in a file under the run's temporary root, each module's statements under the hash of
its text: a module whose text differs is parsed again, so the file can never answer stale."""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path

import pytest

Statement = tuple[str, str | None, int, list[str]]
"""("import", None, 0, names) or ("from", module or None, level, names)."""


def _parsed(text: str, path: Path) -> list[Statement]:
    found: list[Statement] = []
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Import):
            found.append(("import", None, 0, [alias.name for alias in node.names]))
        elif isinstance(node, ast.ImportFrom):
            found.append(("from", node.module, node.level, [a.name for a in node.names]))
    return found


def import_statements(root: Path, shared: Path | None) -> dict[Path, list[Statement]]:
    """Each `*.py` under `root` -> its import statements; `shared`: the file kept between
    the workers of one run (None: parse everything here)."""
    kept: dict[str, list[list]] = {}
    if shared is not None:
        try:
            kept = json.loads(shared.read_text())
        except (OSError, ValueError):
            kept = {}
    result: dict[Path, list[Statement]] = {}
    fresh = False
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        key = hashlib.sha256(text.encode()).hexdigest()
        if key in kept:
            result[path] = [(k, m, level, list(names)) for k, m, level, names in kept[key]]
        else:
            result[path] = _parsed(text, path)
            kept[key] = [list(s) for s in result[path]]
            fresh = True
    if shared is not None and fresh:
        partial = shared.with_name(f"{shared.name}.{os.getpid()}")
        partial.write_text(json.dumps(kept))
        os.replace(partial, shared)  # whole or not at all, whichever worker writes last
    return result


def shared_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file in this run's temporary root (under xdist, the parent of the workers'
    directories; alone, pytest's own directory for the run)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return root / "drift-import-statements.json"
