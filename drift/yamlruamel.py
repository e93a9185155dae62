"""The reference YAML path: pure-Python ruamel.yaml (YAML 1.2) composes the document, and a
walker turns the nodes into plain data with the line of every key and item.

It defines what drift reads from a document; `drift.yamlfast` (libyaml) must read the same
or hand the document back here. It is also what runs when libyaml is not installed."""

from __future__ import annotations

import re
from typing import Any

from drift import yamldoc
from drift.errors import Problem
from drift.yaml12 import STR, TEXT
from drift.yamldoc import MAX_DEPTH, Integers, Located, Path_, Rules, YamlProblems, oneline
from drift.yamlhints import explained

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
# plain mappings and lists only: `!!set`, `!!omap`, `!!python/...` and the like are refused
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_FLOW_LEVELS = 100
"""Open `[`/`{` the scanner takes before it refuses the document (its own refusal says so
from depth MAX_DEPTH, at the node's line). Each `[` may begin a key, so the scanner reads on
to the last one before it hands the first over, and its time grows with the square of their
number: 10,000 of them took seconds to say "too deep"; now it is said at the 101st. Block
collections indented one in another are bounded alike: 1,200 of them made the composer's
recursion overflow ("invalid YAML: maximum recursion depth exceeded", said at line 1)."""


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _scanner() -> type:
    """ruamel's scanner, refusing more than _FLOW_LEVELS open flow collections, and reading a
    tab between tokens as YAML 1.2 does (§6.1 `s-separate-in-line`: `s-white` is a space or a
    tab): `KEY:\tvalue`, `value\t# comment`, `a\tb` in a plain value. ruamel (and PyYAML)
    refuse a tab there ("found character '\\t' that cannot start any token", revencoding 3).
    A tab where a line's indentation is (before its first token, in block context) is still
    refused, unless the line holds nothing more than a comment: YAML 1.2 §6.1 indents with
    spaces only."""
    from ruamel.yaml.scanner import Scanner

    class BoundedScanner(Scanner):
        def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
            if len(self.flow_context) >= _FLOW_LEVELS:
                raise _TooDeep(self.reader.get_mark().line)
            super().fetch_flow_collection_start(TokenClass, to_push)

        def add_indent(self, column: int) -> bool:
            deeper = self.indent < column
            if deeper and len(self.indents) == MAX_DEPTH + 1 and not hasattr(self, "too_deep"):
                self.too_deep = self.reader.get_mark().line  # the first node past the limit
            if deeper and len(self.indents) >= _FLOW_LEVELS:  # the composer's recursion: bounded
                raise _TooDeep(self.too_deep)  # said where the walker would have said it
            return bool(super().add_indent(column))

        def scan_block_scalar(self, style: Any, rt: bool | None = False) -> Any:
            token = super().scan_block_scalar(style, rt)
            self.empty_block = not token.value  # a tab under it begins its content
            return token

        def scan_to_next_token(self) -> None:
            reader = self.reader
            after_empty_block, self.empty_block = getattr(self, "empty_block", False), False
            while True:
                super().scan_to_next_token()
                if reader.peek() != "\t" or (
                    _indenting(reader) and (after_empty_block or not _blank_rest(reader))
                ):
                    return
                if _compact_follows(reader):  # `-\t-`: a nested block collection is indented
                    return  # by spaces only (YAML 1.2 §8.2.1; yaml-test-suite Y79Y 4, 5)
                while reader.peek() in " \t":
                    reader.forward()

        def scan_plain_spaces(self, indent: Any, start_mark: Any) -> Any:
            reader = self.reader
            length = 0
            while reader.peek(length) in " \t":
                length += 1
            if "\t" not in reader.prefix(length) or reader.peek(length) in "\0\r\n":
                return super().scan_plain_spaces(indent, start_mark)
            blank = reader.prefix(length)  # s-white within a line: part of the value, or
            reader.forward(length)  # what ends it before a comment
            return [blank]

    return BoundedScanner


def _composer() -> Any:
    """ruamel's composer, keeping the line of each mapping key written as an alias (`*k : y`):
    an alias is its anchor's node, which carries the anchor's line, and a duplicate key or a
    variable written that way is said at its own line (`alias_keys`), as `drift.yamlfast` says
    it from the alias's event."""
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent
    from ruamel.yaml.nodes import MappingNode

    class AliasLines(Composer):
        alias_keys: dict[tuple[int, int], int]

        def compose_node(self, parent: Any, index: Any) -> Any:
            # a key: `compose_mapping_node` composes it with no index, its pair appended after
            if index is None and isinstance(parent, MappingNode):
                if self.parser.check_event(AliasEvent):
                    line = self.parser.peek_event().start_mark.line
                    self.__dict__.setdefault("alias_keys", {})[(id(parent), len(parent.value))] = (
                        line
                    )
            return super().compose_node(parent, index)

    return AliasLines


def _indenting(reader: Any) -> bool:
    """Whether the reader stands in a line's indentation: nothing but spaces before it."""
    start = reader.pointer - reader.column
    return not reader.buffer[start : reader.pointer].strip(" ")


def _compact_follows(reader: Any) -> bool:
    """Whether the tabs ahead lead to a block sequence entry (`-` then a space, a tab or the
    line's end): a compact collection, which tabs may not indent."""
    ahead = 0
    while reader.peek(ahead) in " \t":
        ahead += 1
    return reader.peek(ahead) == "-" and reader.peek(ahead + 1) in " \t\0\r\n"


def _blank_rest(reader: Any) -> bool:
    """Whether the rest of the line is blank or a comment (`l-comment`, §6.6: its separation
    may be tabs, in the indentation too)."""
    ahead = 0
    while reader.peek(ahead) in " \t":
        ahead += 1
    return reader.peek(ahead) in "#\0\r\n"


_NON_BREAKS = "\x85\u2028\u2029"
"""NEL, LS and PS: line breaks in YAML 1.1, ordinary characters in YAML 1.2 (§5.4: "YAML
version 1.2 ... treat them as non-break characters"); ruamel still breaks lines on them (a
quoted `Acme<NEL>Chat` read as `Acme Chat`, a comment holding U+2028 made the document invalid,
and every line after one numbered wrong). `_stand_ins` hides them from it."""


_ESCAPED = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
"""A double-quoted scalar's `\\uXXXX` / `\\UXXXXXXXX` (YAML 1.2 §5.7): that character once read."""


def _stand_ins(text: str, name: str) -> dict[str, str]:
    """For each of `_NON_BREAKS` in `text`, a private-use character `text` does not hold,
    written or escaped (`"\\ue000"` is one once read, revown42 F1): ruamel reads it as the
    ordinary character it is, and the walker puts the original back."""
    present = [c for c in _NON_BREAKS if c in text]
    if not present:
        return {}
    escaped = {int(short or long, 16) for short, long in _ESCAPED.findall(text)}
    free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text and c not in escaped)
    chosen = {c: next(free, "") for c in present}
    if "" in chosen.values():  # a hostile document: every private-use character in it
        raise YamlProblems(
            [Problem(name, 1, "invalid YAML: it holds every private-use character and NEL, "
                     "LS or PS: drift cannot read those as YAML 1.2 does")]
        )  # fmt: skip
    return chosen


def parse(text: str, name: str, integers: Integers = "canonical") -> Located:
    """Compose (the pure YAML 1.2 parser) and build the data ourselves: nodes carry their
    line, and that is all drift needs from the YAML library."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    yaml = YAML(typ="safe", pure=True)
    yaml.Scanner = _scanner()
    yaml.Composer = _composer()
    stand_ins = _stand_ins(text, name)
    if stand_ins:
        text = text.translate(str.maketrans("".join(stand_ins), "".join(stand_ins.values())))
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
        if str(what).startswith("but ") and exc.context:  # "but found another document"
            what = f"{exc.context}, {what}"
        what = explained(text, line, mark.column if mark is not None else 0, str(what))
        raise YamlProblems([Problem(name, line, f"invalid YAML: {what}")]) from None
    except ReaderError as exc:  # a character YAML does not allow (NUL): at its own line
        raise YamlProblems([_unacceptable(name, text, exc)]) from None
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlProblems([Problem(name, 1, f"invalid YAML: {oneline(exc)}")]) from None
    back = {v: k for k, v in stand_ins.items()}

    def walk(at_once: bool) -> Located:
        lines: dict[Path_, int] = {}
        rules = Rules(name, integers)
        walker = _Walker(rules, lines, yaml.constructor, back, at_once=at_once)
        walker.alias_keys = getattr(yaml.composer, "alias_keys", {})
        data = None if node is None else walker.document(node)
        return rules.finish(Located(name, data, lines))

    return yamldoc.Aliases.reading(walk)


def _unacceptable(name: str, text: str, exc: Any) -> Problem:
    """ruamel's refusal of a character (`ReaderError`, which has no mark, only the position
    in the text) at the line that holds it: lines end at CR LF, CR or LF (YAML 1.2 §5.4)."""
    before = text[: exc.position] if isinstance(exc.position, int) else ""
    line = before.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    character = exc.character
    what = f"#x{character:04x}" if isinstance(character, int) else repr(character)
    return Problem(name, line, f"invalid YAML: unacceptable character {what}: {exc.reason}")


class _Walker:
    """Composed nodes -> plain data, recording the line of every key and item. An anchored
    collection is one node however many aliases share it: walked again at each (so the
    limits count every use), or, where the limits can take it whole, counted at once and
    walked once the document is read (`Aliases`, as `drift.yamlfast` does)."""

    def __init__(
        self,
        rules: Rules,
        lines: dict[Path_, int],
        constructor: Any,
        back: dict[str, str],
        *,
        at_once: bool = True,
    ) -> None:
        self.aliases = yamldoc.Aliases(rules, at_once=at_once)  # keyed by id: targets are the nodes
        self.alias_keys: dict[tuple[int, int], int] = {}
        """The line of each key written as an alias, by its mapping node's id and place."""
        self.rules = rules
        self.lines = lines
        self.constructor = constructor
        self.back = str.maketrans("".join(back), "".join(back.values())) if back else None
        """`_stand_ins` undone: the text's own NEL, LS and PS characters."""

    def document(self, node: Any) -> Any:
        """The data of the document `node`, aliases counted at once built last."""
        data = self.walk(node, (), 0)
        self.aliases.build_later(self.walk)
        return data

    def height(self, node: Any) -> int:
        """How many levels below `node` its deepest node is."""
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        memo = self.aliases.memos.get(id(node))
        if memo is not None:
            return memo.height
        if isinstance(node, MappingNode):
            return 1 + max((self.height(value) for _, value in node.value), default=-1)
        if isinstance(node, SequenceNode):
            return 1 + max((self.height(item) for item in node.value), default=-1)
        return 0

    def walk(self, node: Any, path: Path_, depth: int, holder: Any = None) -> Any:
        """`holder`: the mapping or list the value goes into at `path[-1]`, where a shared
        node counted at once is put when it is walked (`Aliases.build_later`)."""
        if node.anchor is None or not isinstance(node.value, list):  # no shared collection
            return self.node(node, path, depth)
        aliases = self.aliases
        if id(node) in aliases.memos:  # an alias
            if aliases.counted(id(node), holder, path, depth, node):
                return None
            return self.node(node, path, depth)
        mark = aliases.mark()
        data = self.node(node, path, depth)
        aliases.remember(id(node), mark, lambda: self.height(node))
        return data

    def node(self, node: Any, path: Path_, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        rules = self.rules
        line = node.start_mark.line
        rules.enter(line, depth)
        if isinstance(node, MappingNode | SequenceNode) and node.tag not in _COLLECTION_TAGS:
            raise rules.fail(line, f"unsupported YAML tag {node.tag}")
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for at, (key_node, value_node) in enumerate(node.value):
                key_line = self.alias_keys.get((id(node), at), key_node.start_mark.line)
                if not isinstance(key_node, ScalarNode):
                    raise rules.key_refused(key_line)
                if str(key_node.tag).endswith(":merge"):
                    raise rules.key_refused(key_line, merge=True)
                skey = rules.key(self.scalar(key_node, None), key_node.value, key_line)
                if skey in out:  # noted; the first kept, the value still read (its problems)
                    rules.duplicate(skey, key_line, self.lines.get((*path, skey)))
                    self.walk(value_node, (*path, skey), depth + 1)
                    continue
                self.lines[(*path, skey)] = key_line + 1
                out[skey] = self.walk(value_node, (*path, skey), depth + 1, out)
            return out
        if isinstance(node, SequenceNode):
            items: list[Any] = []
            for i, item in enumerate(node.value):
                self.lines[(*path, i)] = item.start_mark.line + 1
                items.append(self.walk(item, (*path, i), depth + 1, items))
            return items
        return self.scalar(node, path)

    def scalar(self, node: Any, path: Path_ | None) -> Any:
        line = node.start_mark.line
        if self.back is not None:
            node.value = node.value.translate(self.back)
        self.rules.scalar_text(line, node.value)
        if node.tag in TEXT and node.tag != STR:
            return str(node.value)  # dates, `=` and `<<`: `drift.yaml12.TEXT`
        if node.tag not in _SCALAR_TAGS:
            raise self.rules.fail(line, f"unsupported YAML tag {node.tag}")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, IndexError, KeyError):
            # ruamel keeps a node that failed as "being built": an alias to it would be read
            # as None, silently, where the fast path says it again (the property tests)
            self.constructor.recursive_objects.pop(node, None)
            return self.rules.unreadable(line, str(node.tag), node.value)
        if isinstance(value, str):
            return self.rules.checked_str(line, value)
        if isinstance(value, bool):
            return self.rules.boolean(path, value, node.value)
        return self.rules.number(line, value, node.value, path)


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
        stand_ins = _stand_ins(text, "")
        hidden = str.maketrans("".join(stand_ins), "".join(stand_ins.values()))
        for node in yaml.compose_all(text.translate(hidden)):
            if node is None or node.tag == "tag:yaml.org,2002:null":
                continue
            end = node.end_mark
            spans.append((node.start_mark.line, end.line + (1 if end.column else 0)))
    except (_TooDeep, YAMLError, YamlProblems, RecursionError, ValueError, TypeError):
        return None
    return spans
