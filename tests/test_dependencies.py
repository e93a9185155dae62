"""Every third-party module drift imports (lazy imports included) comes from a distribution its
pyproject.toml declares: an install from the package alone never meets an ImportError."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from tests.cliutil import REPO
from tests.drift_imports import Statement, import_statements, shared_file

DRIFT = REPO / "drift"


def _imported(statements: list[Statement]) -> set[str]:
    names: set[str] = set()
    for kind, module, level, aliases in statements:
        if kind == "import":
            names.update(aliases)
        elif level == 0 and module:
            names.add(module)
            names.update(f"{module}.{alias}" for alias in aliases)
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


def test_every_third_party_import_is_declared(tmp_path_factory: pytest.TempPathFactory) -> None:
    modules: set[str] = set()
    # (parsed once with test_architecture's: tests/drift_imports.py)
    for path, statements in import_statements(DRIFT, shared_file(tmp_path_factory)).items():
        if "sandbox" in path.relative_to(DRIFT).parts:
            continue  # the emulator: dev-only, as `make test` installs it
        modules |= {m for m in _imported(statements) if _third_party(m)}
    assert "google.cloud.run_v2" in modules and "typer" in modules  # the walk sees imports
    index = _owners()
    declared = _declared()
    undeclared = {}
    for module in sorted(modules):
        owners = _distributions(module, index)
        if owners and not owners & declared:
            undeclared[module] = sorted(owners)
    assert undeclared == {}
