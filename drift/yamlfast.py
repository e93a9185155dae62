"""The fast YAML path: libyaml (C, through PyYAML's `CParser`) reads the event stream, and
drift builds the data from it as `drift.yamlruamel` does from composed nodes: the same YAML
1.2 scalars (`drift.yaml12`), the same lines, the same checks (`drift.yamldoc.Rules`).

Whatever this path cannot read exactly as the reference path would, it hands back by raising
`Fallback`: any syntax error libyaml reports (the reference reports its own, in its words),
tags and `%` directives, tabs, NEL/LS/PS line breaks, stray byte order marks, reused or
undefined anchors, an alias inside its own anchor, anchor names YAML 1.2 reads further
(`&a:b`), `[key: value]` pairs, block scalars opening with a blank line or with a comment
glued to their header (`|#`), more than one document, deep nesting. The property tests
(tests/profiles/test_yaml_paths.py) found each; profiles as people keep them need none."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from typing import Any

from drift.yaml12 import BOOL, BY_FIRST, CONSTRUCTED, FLOAT, INT, TEXT, construct, resolve
from drift.yamldoc import (
    MAX_DEPTH,
    MAX_EXPANDED,
    MAX_NODES,
    Aliases,
    Integers,
    Located,
    Path_,
    Rules,
    YamlProblems,
)

try:
    from yaml import YAMLError
    from yaml.cyaml import CParser
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
except ImportError:  # no PyYAML, or PyYAML built without libyaml
    CParser = None

# What the reference path reads its own way decides for the whole document: a `%` directive
# (`%YAML 1.1` switches it to YAML 1.1 rules), a tab (it refuses some that libyaml takes as
# space), NEL/LS/PS (line breaks for libyaml, not always for it), a byte order mark past the
# first character (libyaml skips more of them), characters YAML does not allow.
_ASCII_OK = bytes([0x0A, 0x0D, *range(0x20, 0x7F)])
_HAND_BACK = re.compile(
    "^%|[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]",
    re.M,
)
# nesting the reference path composes recursively (about 2 frames a level): past this, it is
# the one to say whether the document is too deep for it
_DEEP = 64
_NAME_GOES_ON = set("?:%@`")  # "" (the end) is not in it
_RESOLVED = frozenset(BY_FIRST) | {""}  # first characters of plain scalars YAML 1.2 may type
_HEADER = re.compile(r"[|>][-+0-9]*")  # a block scalar's indicator and its options
_END_AGAIN = re.compile(r"(?:^|(?<=[\r\n]))\.\.\.(?![^\s])")  # a document end marker line

Source = Callable[[], Any]


def _is_word(event: Any) -> bool:
    """A scalar read as its text without a pattern: untagged, and single-quoted or plain
    with a first character no YAML 1.2 pattern starts with (most names and values)."""
    if event.tag is not None:
        return False
    if event.implicit[0]:
        return event.value[:1] not in _RESOLVED
    return bool(event.style == "'")


class Fallback(Exception):
    """This document must be read by the reference path (`drift.yamlruamel`)."""


def available() -> bool:
    """Whether PyYAML is installed with its libyaml extension."""
    return CParser is not None


def _hand_back(text: str) -> bool:
    if text.isascii():  # the usual case, checked at C speed
        raw = text.encode("ascii")
        return bool(raw.translate(None, _ASCII_OK)) or raw.startswith(b"%") or b"\n%" in raw
    return _HAND_BACK.search(text, 1 if text.startswith("\ufeff") else 0) is not None


def parse(text: str, name: str, integers: Integers = "canonical") -> Located:
    """Read one document with libyaml; `Fallback` when only the reference path can."""
    if CParser is None or _hand_back(text):
        raise Fallback
    return Aliases.reading(lambda at_once: _parse(text, name, integers, at_once=at_once))


def _parse(text: str, name: str, integers: Integers, *, at_once: bool) -> Located:
    parser = CParser(text)
    rules = Rules(name, integers)
    builder = _Builder(parser, rules, text, at_once=at_once)
    collecting = gc.isenabled()
    gc.disable()  # ~100 000 new containers and no cycles: collecting meanwhile is wasted time
    try:
        try:
            data = builder.stream()
        except YamlProblems:
            builder.drain()  # a problem only counts if the reference path would compose it all
            raise
    except (YAMLError, ValueError) as exc:  # libyaml's own errors: the reference's words
        raise Fallback from exc
    finally:
        parser.dispose()
        if collecting:
            gc.enable()
    return rules.finish(Located(name, data, builder.lines))


class _Builder:
    """libyaml events -> plain data, recording the line of every key and item.

    Events are read straight from the parser; inside an anchored node they are also recorded,
    and an alias replays the anchored node's slice of them in place (so the limits count every
    use, and lines are those of the anchored node, as the reference path's shared nodes give).
    An alias to a collection that the limits can take whole is counted at once and replayed
    once the document is read (`Aliases`).
    """

    def __init__(self, parser: Any, rules: Rules, text: str, *, at_once: bool = True) -> None:
        self.text = text
        self.aliases = Aliases(rules, at_once=at_once)  # its targets: slices of `recorded`
        self.bom = 1 if text.startswith("\ufeff") else 0  # marks do not count it
        self.get: Source = parser.get_event
        self.record: Source = self._record
        self.rules = rules
        self.lines: dict[Path_, int] = {}
        self.anchors: dict[str, tuple[int, int]] = {}  # complete: slice of `recorded`
        self.open: set[str] = set()  # being read: an alias to one is recursive
        self.recorded: list[Any] = []

    def _record(self) -> Any:
        event = self.get()
        self.recorded.append(event)
        return event

    def stream(self) -> Any:
        self.get()  # StreamStartEvent
        event = self.get()
        if type(event) is StreamEndEvent:
            return None
        if event.version is not None or event.tags:  # %YAML / %TAG
            raise Fallback
        data = self.node(self.get(), self.get, (), 0)
        end = self.get()  # DocumentEndEvent
        if type(self.get()) is not StreamEndEvent:
            raise Fallback  # another document: the reference path's error
        if _END_AGAIN.search(self.text, end.end_mark.index):
            # `...` again after the document's end: YAML 1.2 allows it (l-document-suffix+),
            # libyaml takes it, the reference path refuses it ("found another document")
            raise Fallback
        self.aliases.build_later(self.replay)
        return data

    def replay(self, target: tuple[int, int], path: Path_, depth: int) -> Any:
        """The anchored node `recorded[start:end]` built again at `path`."""
        replay = iter(self.recorded[slice(*target)]).__next__
        return self.value(replay(), replay, path, depth)

    def height(self, start: int, end: int) -> int:
        """How many levels below the first of `recorded[start:end]` (one node) it nests."""
        level = top = 0
        for event in self.recorded[start:end]:
            cls = type(event)
            if cls is ScalarEvent:
                top = max(top, level)
            elif cls is AliasEvent:
                memo = self.aliases.memos.get(event.anchor)
                top = max(top, level + (memo.height if memo else 0))
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                top = max(top, level)
                level += 1
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                level -= 1
        return top

    def node(self, event: Any, src: Source, path: Path_, depth: int, holder: Any = None) -> Any:
        """`holder`: the mapping or list the value goes into at `path[-1]`, where an alias
        counted at once is put when it is built (`Aliases.build_later`)."""
        if type(event) is AliasEvent:
            target = self.target(event)
            if self.aliases.counted(event.anchor, holder, path, depth, target):
                return None
            return self.replay(target, path, depth)
        anchor = event.anchor
        if anchor is None or not (src is self.get or src is self.record):
            return self.value(event, src, path, depth)
        mark = self.aliases.mark()
        start = self.begin(anchor, event, src)
        data = self.value(event, self.record, path, depth)
        self.end(anchor, start)
        if type(event) is not ScalarEvent:  # a collection: what it comes to, if no problem noted
            self.aliases.remember(anchor, mark, lambda: self.height(start, len(self.recorded)))
        return data

    def value(self, event: Any, src: Source, path: Path_, depth: int) -> Any:
        rules = self.rules
        line = event.start_mark.line
        rules.enter(line, depth)
        if event.tag is not None:
            raise Fallback
        cls = type(event)
        if cls is ScalarEvent:
            return self.scalar(event, line, path)
        lines = self.lines
        if cls is MappingStartEvent:
            if event.flow_style and event.start_mark.index == event.end_mark.index:
                raise Fallback  # `[a: b]` (no `{`): the reference refuses some (`["a":b]`)
            out: dict[str, Any] = {}
            inner = depth + 1
            while True:
                item = src()
                if type(item) is MappingEndEvent:
                    return out
                if type(item) is ScalarEvent and item.anchor is None and _is_word(item):
                    key = item.value  # the usual key, `self.key` inline
                    key_line = item.start_mark.line
                    rules.text += len(key)
                    if rules.text > MAX_EXPANDED:
                        raise rules.expanded(key_line)
                else:
                    key_line, key = self.key(item, src)
                sub = (*path, key)
                into = out
                if key in out:  # noted; the first kept, the value still read (its problems)
                    rules.duplicate(key, key_line, lines.get(sub))
                    into = {}
                else:
                    lines[sub] = key_line + 1
                item = src()
                if type(item) is not ScalarEvent or item.anchor is not None or item.tag is not None:
                    into[key] = self.node(item, src, sub, inner, into)
                    continue
                line = item.start_mark.line  # the usual value, `self.node` inline
                rules.nodes += 1
                if inner > MAX_DEPTH or rules.nodes > MAX_NODES:
                    raise rules.too_big(line, inner)
                if _is_word(item):
                    text = item.value
                    rules.text += len(text)
                    if rules.text > MAX_EXPANDED:
                        raise rules.expanded(line)
                    into[key] = text
                else:
                    into[key] = self.scalar(item, line, sub)
        items: list[Any] = []
        while True:
            item = src()
            cls = type(item)
            if cls is SequenceEndEvent:
                return items
            sub = (*path, len(items))
            first = self.recorded[self.target(item)[0]] if cls is AliasEvent else item
            lines[sub] = first.start_mark.line + 1
            items.append(self.node(item, src, sub, depth + 1, items))

    def key(self, event: Any, src: Source) -> tuple[int, str]:
        cls = type(event)
        at: int = event.start_mark.line  # an alias's own line (`*k : y`), not its anchor's
        if cls is AliasEvent:
            event = self.recorded[self.target(event)[0]]
            cls = type(event)
        elif event.anchor is not None and (src is self.get or src is self.record):
            self.end(event.anchor, self.begin(event.anchor, event, src))
        if cls is not ScalarEvent:
            raise self.rules.key_refused(at)
        if event.tag is not None:
            raise Fallback
        text: str = event.value
        if event.implicit[0] and text == "<<":  # the merge key: `<<: *defaults`
            raise self.rules.key_refused(at, merge=True)
        key = self.scalar(event, event.start_mark.line, None)
        if type(key) is str:
            return at, key
        return at, self.rules.key(key, text, at)

    def scalar(self, event: Any, line: int, path: Path_ | None) -> Any:
        rules = self.rules
        text: str = event.value
        rules.text += len(text)
        if rules.text > MAX_EXPANDED:  # Rules.scalar_text, inline: this runs for every scalar
            raise rules.expanded(line)
        if not event.implicit[0]:  # quoted or block: text
            if event.style == '"':
                return rules.checked_str(line, text)
            if event.style != "'":
                self.block_scalar(event)
            return text
        if text and text[0] not in BY_FIRST:  # a plain word: no pattern can match
            return text
        tag = resolve(text)
        if tag in TEXT:
            return text  # dates stay text: the models parse them, with a line
        if tag not in CONSTRUCTED:
            raise rules.fail(line, f"unsupported YAML tag {tag}")
        try:
            value = construct(tag, text)
        except (ValueError, LookupError):
            return rules.unreadable(line, tag, text)
        if tag == BOOL:
            return rules.boolean(path, value, text)
        return rules.number(line, value, text, path) if tag == INT or tag == FLOAT else value

    def block_scalar(self, event: Any) -> None:
        """Hand back the `|`/`>` scalars the reference path reads differently: a comment right
        after the header (`|#`: it wants a space) or a blank line before the text."""
        if event.value[:1] in ("", "\n"):
            raise Fallback
        index = event.start_mark.index + self.bom
        if event.anchor is not None:
            index += 1 + len(event.anchor)
            while self.text[index : index + 1] == " ":
                index += 1
        header = _HEADER.match(self.text, index)
        if header is None or self.text[header.end() : header.end() + 1] == "#":
            raise Fallback

    # -- anchors -----------------------------------------------------------------------------

    def at(self, event: Any, offset: int = 0) -> str:
        """The source character where `event` starts (plus `offset`), "" past the end."""
        index = event.start_mark.index + self.bom + offset
        return self.text[index : index + 1]

    def named(self, event: Any, name: str, sign: str) -> None:
        """libyaml ends an anchor or alias name where the reference path (YAML 1.2) may read
        on (`&a:b` is the anchor `a:b` for it): hand those back."""
        if self.at(event) != sign or self.at(event, 1 + len(name)) in _NAME_GOES_ON:
            raise Fallback

    def target(self, alias: Any) -> tuple[int, int]:
        self.named(alias, alias.anchor, "*")
        found = self.anchors.get(alias.anchor)
        if found is None:  # undefined (the reference's error) or recursive (its structure)
            raise Fallback
        return found

    def begin(self, anchor: str, event: Any, src: Source) -> int:
        """Start recording an anchored node whose first event is `event` (read by `src`)."""
        if anchor in self.anchors or anchor in self.open:
            raise Fallback  # a reused anchor: the reference path warns, and uses the last
        self.named(event, anchor, "&")
        if src is not self.record:
            self.recorded.append(event)
        self.open.add(anchor)
        return len(self.recorded) - 1

    def end(self, anchor: str, start: int) -> None:
        self.open.discard(anchor)
        self.anchors[anchor] = (start, len(self.recorded))

    def drain(self) -> None:
        """After a problem: the reference path composes the whole document before it builds
        data, so anything in the rest of the stream that it would refuse or read differently
        comes first. Read to the end; hand the document back if there is any such thing."""
        known = set(self.anchors) | self.open
        level = 0
        while True:
            event = self.get()
            cls = type(event)
            if cls is StreamEndEvent:
                return
            if cls is DocumentStartEvent:
                raise Fallback
            if cls is AliasEvent:
                self.named(event, event.anchor, "*")
                if event.anchor not in known:
                    raise Fallback
            elif cls is ScalarEvent or cls is MappingStartEvent or cls is SequenceStartEvent:
                if event.tag is not None or event.anchor in known:
                    raise Fallback
                if event.anchor is not None:
                    self.named(event, event.anchor, "&")
                    known.add(event.anchor)
                if cls is ScalarEvent:
                    if event.style in ("|", ">"):
                        self.block_scalar(event)
                    continue
                flow = cls is MappingStartEvent and event.flow_style
                if flow and event.start_mark.index == event.end_mark.index:
                    raise Fallback
                level += 1
                if level > _DEEP:
                    raise Fallback
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                level -= 1
