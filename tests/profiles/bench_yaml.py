"""How long a profile takes to parse: `python -m tests.profiles.bench_yaml [--runs N]`.

On generated profiles (`tests.profiles.generate.profile_text`) of 200 x 30 (~8,000 lines) and
1,000 x 30 (~40,000 lines), best of N runs each:

- `drift reference`: drift.yamlruamel.parse (pure-Python ruamel.yaml compose + walker);
- `drift fast`: drift.yamlfast.parse (libyaml events + the same checks), what drift uses;
- `libyaml compose`: `yaml.compose(text, Loader=yaml.CSafeLoader)` alone (nodes, no data);
- `libyaml events`: iterating `CParser` events alone (the floor for the fast path);
- `rapidyaml parse` / `rapidyaml walk`: `ryml.parse_in_arena` alone, and with a Python walk of
  its tree into data (no line numbers: its Python binding has no node locations), when the
  `rapidyaml` package is installed (it is not a dependency).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

from tests.profiles.generate import profile_text

SIZES = ((200, 30), (1000, 30))


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def candidates(text: str) -> dict[str, Callable[[], object]]:
    import yaml
    from yaml.cyaml import CParser

    from drift import yamlfast, yamlruamel

    def events() -> int:
        parser = CParser(text)
        count = 0
        while parser.check_event():
            parser.get_event()
            count += 1
        parser.dispose()
        return count

    found: dict[str, Callable[[], object]] = {
        "drift reference (ruamel)": lambda: yamlruamel.parse(text, "bench.yaml"),
        "drift fast (libyaml)": lambda: yamlfast.parse(text, "bench.yaml"),
        "libyaml compose only": lambda: yaml.compose(text, Loader=yaml.CSafeLoader),
        "libyaml events only": events,
    }
    try:
        import ryml
    except ImportError:
        return found
    raw = text.encode()
    found["rapidyaml parse only"] = lambda: ryml.parse_in_arena(raw)
    found["rapidyaml parse + walk"] = lambda: _ryml_walk(ryml, raw)
    return found


def _ryml_walk(ryml: Any, raw: bytes) -> object:
    tree = ryml.parse_in_arena(raw)

    def walk(node: int) -> object:
        if tree.is_map(node):
            out = {}
            child = tree.first_child(node)
            while child != ryml.NONE:
                out[bytes(tree.key(child)).decode()] = walk(child)
                child = tree.next_sibling(child)
            return out
        if tree.is_seq(node):
            items = []
            child = tree.first_child(node)
            while child != ryml.NONE:
                items.append(walk(child))
                child = tree.next_sibling(child)
            return items
        return bytes(tree.val(node)).decode()

    return walk(tree.root_id())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for services, variables in SIZES:
        text = profile_text(services, variables)
        lines = text.count("\n")
        print(f"{services} services x {variables} vars: {lines} lines, {len(text.encode())} bytes")
        for name, fn in candidates(text).items():
            runs = 1 if "reference" in name else args.runs
            print(f"  {name:28} {best(fn, runs) * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
