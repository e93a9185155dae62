"""The layout is the architecture: no import cycle anywhere in drift/ (lazy imports and
TYPE_CHECKING imports included), and every import points to the same layer or one below."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drift_imports import Statement, import_statements, shared_file

ROOT = Path(__file__).resolve().parents[1] / "drift"

# Lowest first. A module belongs to the layer of its longest matching prefix.
LAYERS: tuple[tuple[str, ...], ...] = (
    # foundation: the shared vocabulary and catalogues, leaf utilities
    (
        "drift",
        "drift.errors",
        "drift.findings",
        "drift.rules",
        "drift.fields",
        "drift.units",
        "drift.redact",
        "drift.secretforms",
        "drift.echoes",
        "drift.fragments",
        "drift.payload_pieces",
        "drift.public_ends",
        "drift.secret_middles",
        "drift.literals",
        "drift.wrapped",
        "drift.respaced",
        "drift.credentialforms",
        "drift.textsafe",
        "drift.jsontext",
        "drift.yamlfile",
        "drift.yamlfast",
        "drift.yamldoc",
        "drift.yaml12",
        "drift.yamlruamel",
        "drift.live.crc32c",
        "drift.refs",
        "drift.files",
        "drift.partials",
        "drift.writable",
        "drift.gcloud_tracks",
    ),
    # what a workload should run with
    ("drift.profiles",),
    # what it does run with, and how it answers a handshake; the emulator beside them
    ("drift.live", "drift.probe", "drift.sandbox"),
    # the comparison
    ("drift.diff", "drift.causes", "drift.causes_scaling"),
    # one check, its report and the configuration that drives it
    (
        "drift.check",
        "drift.report",
        "drift.baseline",
        "drift.newer_values",
        "drift.rechecked",
        "drift.earlier_reads",
        "drift.settings",
        "drift.setting_values",
        "drift.probe.live",
        "drift.live_probe",
    ),
    # what is built on checks: repairs, parity, onboarding, history, rendering
    (
        "drift.fix",
        "drift.compare",
        "drift.onboarding",
        "drift.history",
        "drift.manifest",
        "drift.format",
    ),
    # the command line and the story told with it
    ("drift.cli", "drift.__main__", "drift.demo", "drift.progress", "drift.action"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def imports(statements: list[Statement]) -> set[str]:
    """Every drift module a module's import `statements` name, wherever each statement is."""
    found: set[str] = set()
    for kind, module, level, aliases in statements:
        if kind == "import":
            names = aliases
        elif module and not level:
            names = [f"{module}.{alias}" for alias in aliases]
            names = [n if n in MODULES else module for n in names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] == "drift" and n in MODULES)
    return found


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Each drift module's drift imports; parsed at the first test that asks, not when the
    file is collected (every pytest worker collects it: about 0.9 s of CPU each), and shared
    with test_dependencies through tests/drift_imports.py."""
    statements = import_statements(ROOT, shared_file(tmp_path_factory))
    return {
        module_name(path): imports(found) - {module_name(path)}
        for path, found in statements.items()
    }


def layer(module: str) -> int:
    best, index = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), i
    if index < 0:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")
    return index


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str, graph: dict[str, set[str]]) -> None:
    mine = layer(module)
    upward = sorted(m for m in graph[module] if layer(m) > mine)
    assert not upward, f"{module} (layer {mine}) imports higher layers: {upward}"


LINES_MAX = 400
"""The most lines a module of drift/ has (issue #16: one module per concern, none over 400)."""


def test_no_module_is_over_the_line_limit() -> None:
    over = {
        str(path.relative_to(ROOT.parent)): n
        for path in sorted(ROOT.rglob("*.py"))
        if (n := len(path.read_text().splitlines())) > LINES_MAX
    }
    assert over == {}, f"split these by concern: {over}"
