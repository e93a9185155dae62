"""The line of each key of a TOML table (`[tool.drift]`), which `tomllib` does not give: a
setting's error names `pyproject.toml:LINE`, as a profile's names `file:line`.

A scan of the text statement by statement: a line inside a multi-line string or array is
none; a key is found under its `[table]` header, as a dotted key (`drift.wait = 5` under
`[tool]`, `tool.drift.wait = 5` at the top), in an inline table (`drift = {wait = 5}`, one
line in TOML 1.0) or as a sub-table's header (`[tool.drift.wait]`). Each key's spelling is
read by `tomllib` itself (quoted keys, escapes)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from typing import Any

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED = rf"{_PART}(?:[ \t]*\.[ \t]*{_PART})*"
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_DOTTED})[ \t]*\]")
_ASSIGN = re.compile(rf"[ \t]*({_DOTTED})[ \t]*=")
_PLAIN = re.compile(r"[^\"'\[\]{}#]*")
"""A stretch of a line that opens or closes nothing (no string, bracket or comment)."""
_CLOSING = {'"""': re.compile(r'(?<!\\)"""'), "'''": re.compile("'''")}


@lru_cache(maxsize=4)  # a command names its settings' places more than once: scanned once
def key_lines(text: str, table: tuple[str, ...]) -> dict[str, int]:
    """The line (1-based) of each key of `table` written in the TOML `text` (the first, for
    a key written twice in a file tomllib refused); keys not found are left out. Lines end
    at LF (a CR before it is only a character TOML allows there; no other line break
    ends a TOML line)."""
    found: dict[str, int] = {}
    current: tuple[str, ...] | None = ()  # None: in an array of tables
    state = _State()
    for number, line in enumerate(text.split("\n"), 1):
        if state.statement():
            current = _statement(line, number, table, current, found)
        state.advance(line)
    return found


def _statement(
    line: str,
    number: int,
    table: tuple[str, ...],
    current: tuple[str, ...] | None,
    found: dict[str, int],
) -> tuple[str, ...] | None:
    """Note the key of `table` the statement `line` writes, if any; the table it leaves
    current (a header changes it)."""
    header = _HEADER.match(line)
    if header is not None:
        path = _path(header.group(2))
        if path is None or header.group(1) == "[[":
            return None
        if len(path) > len(table) and path[: len(table)] == table:
            found.setdefault(path[len(table)], number)  # [tool.drift.KEY]: KEY at its header
        return path
    assign = _ASSIGN.match(line)
    if assign is None or current is None:
        return current
    key = _path(assign.group(1))
    if key is None:
        return current
    path = current + key
    if len(path) > len(table) and path[: len(table)] == table:
        found.setdefault(path[len(table)], number)
    elif table[: len(path)] == path:  # `drift = {…}` under [tool]: an inline table
        inline = _inline(line, key + table[len(path) :])
        for name in inline if isinstance(inline, dict) else ():
            found.setdefault(name, number)
    return current


def _path(dotted: str) -> tuple[str, ...] | None:
    """The keys a dotted key names, as TOML reads them (None: not a key after all)."""
    if "'" not in dotted and '"' not in dotted:  # bare keys: no escapes to read
        return tuple(part.strip() for part in dotted.split("."))
    try:
        data: Any = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    while isinstance(data, dict) and len(data) == 1:
        ((name, data),) = data.items()
        path.append(name)
    return tuple(path)


def _inline(line: str, path: tuple[str, ...]) -> Any:
    """What the inline table on `line` holds at `path` (its key's, then the table's), or None."""
    try:
        data: Any = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    for name in path:
        data = data.get(name) if isinstance(data, dict) else None
    return data


class _State:
    """Where the scan stands at a line's end: inside a multi-line string, or how many
    brackets (an array, an inline table) are open."""

    def __init__(self) -> None:
        self.string = ""  # the delimiter of the multi-line string open, if one is
        self.depth = 0

    def statement(self) -> bool:
        """Whether the next line begins a statement."""
        return not self.string and self.depth <= 0

    def advance(self, line: str) -> None:
        at = 0
        while at < len(line):
            if self.string:
                close = _CLOSING[self.string].search(line, at)
                if close is None:
                    return
                at, self.string = close.end(), ""
                continue
            plain = _PLAIN.match(line, at)
            at = plain.end() if plain is not None else at
            if at >= len(line) or line[at] == "#":
                return
            at = self._token(line, at)

    def _token(self, line: str, at: int) -> int:
        """Past the string or bracket at `at`."""
        char = line[at]
        if line.startswith(('"""', "'''"), at):
            self.string = line[at : at + 3]
            return at + 3
        if char == '"':
            end = at + 1
            while end < len(line) and line[end] != '"':
                end += 2 if line[end] == "\\" else 1
            return end + 1
        if char == "'":
            end = line.find("'", at + 1)
            return len(line) if end < 0 else end + 1
        self.depth += 1 if char in "[{" else -1
        return at + 1
