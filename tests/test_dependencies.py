"""Every third-party module drift imports (lazy imports included) comes from a distribution its
pyproject.toml declares: an install from the package alone never meets an ImportError."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from tests.cliutil import REPO

DRIFT = REPO / "drift"


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _third_party(name: str) -> bool:
    top = name.split(".", 1)[0]
    return top not in sys.stdlib_module_names and top != "drift" and top != "__future__"


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_normal(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in project["dependencies"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _owners() -> dict[Path, set[str]]:
    """Module path (`google/cloud/run_v2`) -> the distributions whose files hold it."""
    owners: dict[Path, set[str]] = {}
    for dist in metadata.distributions():
        name = _normal(dist.metadata["Name"])
        for file in dist.files or ():
            path = Path(str(file))
            if path.name == "__init__.py":
                owners.setdefault(path.parent, set()).add(name)
            elif path.suffix in (".py", ".so", ".pyd"):
                owners.setdefault(path.with_suffix(""), set()).add(name)
    return owners


def _distributions(module: str, owners: dict[Path, set[str]]) -> set[str]:
    """The distributions that provide `module` (for a namespace package such as `google`,
    the one holding the deepest part of the dotted name that is a real module)."""
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        found = owners.get(Path(*parts[:depth]))
        if found:
            return found
    return set()


def test_every_third_party_import_is_declared() -> None:
    modules: set[str] = set()
    for path in DRIFT.rglob("*.py"):
        if "sandbox" in path.relative_to(DRIFT).parts:
            continue  # the emulator: dev-only, as `make test` installs it
        modules |= {m for m in _imported(ast.parse(path.read_text())) if _third_party(m)}
    assert "google.cloud.run_v2" in modules and "typer" in modules  # the walk sees imports
    index = _owners()
    declared = _declared()
    undeclared = {}
    for module in sorted(modules):
        owners = _distributions(module, index)
        if owners and not owners & declared:
            undeclared[module] = sorted(owners)
    assert undeclared == {}
