"""The reference YAML path: pure-Python ruamel.yaml (YAML 1.2) composes the document, and a
walker turns the nodes into plain data with the line of every key and item.

It defines what drift reads from a document; `drift.yamlfast` (libyaml) must read the same
or hand the document back here. It is also what runs when libyaml is not installed."""

from __future__ import annotations

from typing import Any

from drift.errors import Problem
from drift.yamldoc import MAX_DEPTH, Integers, Located, Path_, Rules, YamlProblems, oneline

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# plain mappings and lists only: `!!set`, `!!omap`, `!!python/...` and the like are refused
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_FLOW_LEVELS = 100
"""Open `[`/`{` the scanner takes before it refuses the document (its own refusal says so
from depth MAX_DEPTH, at the node's line). Each `[` may begin a key, so the scanner reads on
to the last one before it hands the first over, and its time grows with the square of their
number: 10,000 of them took seconds to say "too deep"; now it is said at the 101st."""


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _scanner() -> type:
    """ruamel's scanner, refusing more than _FLOW_LEVELS open flow collections."""
    from ruamel.yaml.scanner import Scanner

    class BoundedScanner(Scanner):
        def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
            if len(self.flow_context) >= _FLOW_LEVELS:
                raise _TooDeep(self.reader.get_mark().line)
            super().fetch_flow_collection_start(TokenClass, to_push)

    return BoundedScanner


def parse(text: str, name: str, integers: Integers = "canonical") -> Located:
    """Compose (the pure YAML 1.2 parser) and build the data ourselves: nodes carry their
    line, and that is all drift needs from the YAML library."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    yaml.Scanner = _scanner()
    try:
        node = yaml.compose(text)
    except _TooDeep as exc:
        raise Rules(name).too_big(exc.line, MAX_DEPTH + 1) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "<stream end>" in str(exc.problem):
            mark = exc.context_mark  # point at what was left open, not at the end of file
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlProblems([Problem(name, line, f"invalid YAML: {what}")]) from None
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlProblems([Problem(name, 1, f"invalid YAML: {oneline(exc)}")]) from None
    lines: dict[Path_, int] = {}
    rules = Rules(name, integers)
    walker = _Walker(rules, lines, yaml.constructor)
    data = None if node is None else walker.walk(node, (), 0)
    return rules.finish(Located(name, data, lines))


class _Walker:
    """Composed nodes -> plain data, recording the line of every key and item."""

    def __init__(self, rules: Rules, lines: dict[Path_, int], constructor: Any) -> None:
        self.rules = rules
        self.lines = lines
        self.constructor = constructor

    def walk(self, node: Any, path: Path_, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        rules = self.rules
        line = node.start_mark.line
        rules.enter(line, depth)
        if isinstance(node, MappingNode | SequenceNode) and node.tag not in _COLLECTION_TAGS:
            raise rules.fail(line, f"unsupported YAML tag {node.tag}")
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line
                if not isinstance(key_node, ScalarNode) or str(key_node.tag).endswith(":merge"):
                    raise rules.fail(key_line, "unsupported key (a plain name is expected)")
                skey = rules.key(self.scalar(key_node), key_node.value, key_line)
                if skey in out:  # noted; the first kept, the value still read (its problems)
                    rules.duplicate(skey, key_line)
                    self.walk(value_node, (*path, skey), depth + 1)
                    continue
                self.lines[(*path, skey)] = key_line + 1
                out[skey] = self.walk(value_node, (*path, skey), depth + 1)
            return out
        if isinstance(node, SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                items.append(self.walk(item, (*path, i), depth + 1))
            return items
        return self.scalar(node)

    def scalar(self, node: Any) -> Any:
        line = node.start_mark.line
        self.rules.scalar_text(line, node.value)
        if node.tag == _TIMESTAMP:
            return str(node.value)  # dates stay text: the models parse them, with a line
        if node.tag not in _SCALAR_TAGS:
            raise self.rules.fail(line, f"unsupported YAML tag {node.tag}")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, IndexError, KeyError):
            return self.rules.unreadable(line, str(node.tag), node.value)
        if isinstance(value, str):
            return self.rules.checked_str(line, value)
        return self.rules.integer(line, value, node.value)


def documents(text: str) -> list[tuple[int, int]] | None:
    """The lines `[first, last)` (0-based) of each document of the stream that is not empty
    (a document of nothing but markers and comments, or only a null, as a trailing `---`
    makes one); None when the stream does not compose."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    yaml.Scanner = _scanner()
    spans = []
    try:
        for node in yaml.compose_all(text):
            if node is None or node.tag == "tag:yaml.org,2002:null":
                continue
            end = node.end_mark
            spans.append((node.start_mark.line, end.line + (1 if end.column else 0)))
    except (_TooDeep, YAMLError, RecursionError, ValueError, TypeError):
        return None
    return spans
