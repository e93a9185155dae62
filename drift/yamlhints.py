"""What a YAML syntax error is likely to come of, added to the parser's words (which name
the token it met, not the mistake): a tab, a line above indented wrong, a plain value
holding ": ", or a key longer than the 1024 characters YAML reads as a key on its own."""

from __future__ import annotations

import re

IMPLICIT_KEY = 1024
"""The longest key written `KEY: VALUE` (YAML 1.2 §7.4.2, an implicit key): the parser
stops looking for its colon after that many characters, and says so in words about
indentation or the colon it then met."""

_INDENTING = re.compile(r"expected <block end>|mapping values are not allowed here")
"""What the parser says, at the next line, of a line indented less or more than it should be."""
_KEY_START = re.compile(r"^ *(?:[-?] +)*|[{,\[] *")
"""Where a key may begin on a line: after its indentation and any `- ` or `? `, or after a
flow collection's `{`, `[` or `,`."""
_VALUE_COLON = re.compile(r":(?=[ \t,\[\]{}]|$)")
"""A colon that ends a key (a value indicator), not one inside a word (`https://x`)."""


def explained(text: str, line: int, column: int, what: str) -> str:
    """The parser's words `what` for an error at `line` (1-based) and `column` of `text`,
    with what to do about it where the likely cause is known."""
    long = long_key(_line(text, line))
    if long is not None:  # whatever the parser said: the key's length is the cause
        return (
            f'a key written "KEY: VALUE" is at most {IMPLICIT_KEY} characters, and this one '
            f'is {long} (write a longer one as an explicit key: "? KEY" on one line, then '
            '": VALUE" on the next)'
        )
    if "'\\t'" in what:  # "found character '\t' that cannot start any token"
        return f"{what} (YAML indents with spaces, never tabs)"
    if line > 1 and _INDENTING.search(what):  # said at the line after the one moved
        return f"{what} ({_hint(text, line, column, what)})"
    return what


def long_key(line: str) -> int | None:
    """The length of a key on `line` too long to be read as one (up to its colon, quotes
    included, as the parser counts it), if one is there. A `,` begins a key only after a
    `{` or `[` (a flow collection): in a plain value it is text."""
    flow = min((i for i in (line.find("{"), line.find("[")) if i >= 0), default=len(line))
    starts = [
        m.end() for m in _KEY_START.finditer(line) if m.start() in (0, flow) or m.start() > flow
    ]
    ended: set[int] = set()  # the starts whose key's colon was met: the next is a value's
    for colon in _VALUE_COLON.finditer(line):
        start = max((s for s in starts if s <= colon.start()), default=0)
        if start not in ended and colon.start() - start > IMPLICIT_KEY:
            return colon.start() - start
        ended.add(start)
    return None


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _hint(text: str, line: int, column: int, what: str) -> str:
    """The likely causes of `what`, said at `line`: a line above indented wrong, or (for a
    colon refused) a plain value holding ": ", which YAML reads as a key of its own; that
    one first when the refused colon follows a key's own ": " on its line (`KEY: a: b`)."""
    indent = f"check the indentation of line {_before(text, line)} and of this one"
    if "mapping values" not in what:
        return indent
    quote = 'quote a value holding ": "'
    if ": " in _line(text, line)[:column]:
        return f"{quote}, which YAML reads as a key; or {indent}"
    return f"{indent}, or {quote}"


def _before(text: str, line: int) -> int:
    """The last line above `line` (1-based) holding something other than a comment."""
    lines = text.splitlines()[: line - 1]
    found = (n for n in range(len(lines), 0, -1) if lines[n - 1].strip()[:1] not in ("", "#"))
    return next(found, line - 1)
