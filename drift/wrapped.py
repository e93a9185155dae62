"""Base64 wrapped in lines, at any width and wherever a secret stands in it (helper-656
MEDIUM-4): the base64 of a config document that holds a secret, as `base64 config.json` prints
it (lines of 76), `openssl base64` (64) or a Windows tool (CRLF), holds the secret's
`base64-inN` form cut by line breaks wherever the lines happen to fall; no list of literal
forms holds every cut. A text's runs of base64 in lines are searched for with their line
breaks removed (`across_lines`), and each match is mapped back to the text; the journal records
such a copy by its form and where the breaks stood in it (`spelled`, `respelled`).

A run is base64-looking words (`A-Z a-z 0-9 + / = _ -`) separated by white space (or line
breaks escaped, `\\n`: the lines put in one JSON string; `%0A`, `<br>`: `_CODES`), each but the
last `LINE_MIN` characters or more, as every line of base64 but its last is: ordinary words
(`the service config`) make none, and one long word is no run (the ordinary search finds what
is in it). Only values made of those characters can match in it: the masker searches it with
its whole pattern, no second one to compile. The run's pattern takes each character once
(possessive repeats, after a lookbehind that starts it at a word's start only): a 64 KiB value
costs one pass, not one per position."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import NamedTuple

from drift.literals import Literals

LINE_MIN = 16
"""The shortest line a run holds (but its last): a line of base64 is 64 or 76 characters."""
_CHARS = "A-Za-z0-9+/=_-"
_CODES = {"\n": "n", "\r": "r", " ": "s", "\t": "t", "\\n": "N", "\\r": "R", "\\t": "T"}
_CODES |= {"\\\\n": "j", "\\\\r": "k", "\\\\t": "l"}  # JSON text in a JSON string
_CODES |= {"\\u000a": "u", "\\u000A": "U", "\\u000d": "v", "\\u000D": "V"}
_CODES |= {"%0a": "p", "%0A": "P", "%0d": "q", "%0D": "Q"}  # in a URL or a form's body
_CODES |= {"<br>": "b", "<br/>": "c", "<br />": "d"}  # in HTML
"""Each line break or white space a run's lines may be joined by, and its code in the journal
(`spelled`): one character each, so that a break of several (`\\r\\n`, CR LF) is its codes in
a row and is put back exactly."""
_BREAK = "(?:" + "|".join(re.escape(b) for b in sorted(_CODES, key=len, reverse=True)) + ")"
"""What stands between two lines: white space, or a line break escaped: JSON's (`\\n`: `jq
--arg k "$(base64 key.json)"` puts the lines in one string; helper-669 F9), JSON's twice (that
JSON text in a JSON string), `\\u000a`, a URL's `%0A`, HTML's `<br>` (helper-686 M3)."""
_ESCAPE = r"\\(?:/|u002[Bb])"
"""A character of base64 a JSON string escapes (`\\/` as PHP's json_encode writes `/`,
`\\u002B` as .NET's encoder writes `+`: helper-679 F6)."""
_WORD = rf"(?:[{_CHARS}]|{_ESCAPE})[{_CHARS}]*+(?:{_ESCAPE}[{_CHARS}]*+)*+"
"""A line: characters of base64, some escaped."""


def _at_least(size: int) -> str:
    """A line of `size` characters or more (an escaped one counted once), looked ahead: first
    counting a backslash as one (a word shorter than that fails at once, as most do)."""
    return rf"(?=[\\{_CHARS}]{{{size}}})(?=(?:[{_CHARS}]|{_ESCAPE}){{{size}}})"


_RUN = re.compile(rf"(?<![{_CHARS}])(?:{_at_least(LINE_MIN)}{_WORD}{_BREAK}++)+{_WORD}")
SHORT_MIN = 4
"""The shortest width of lines `_SHORT` finds (`fold -w 8`; a base64 quantum is 4)."""
_NEWLINE = r"[ \t]*+(?:[\r\n]|\\[nr])(?:[ \t\r\n]|\\[nrt])*+"
_SHORT = re.compile(
    rf"(?<![{_CHARS}]){_WORD}{_NEWLINE}"
    rf"(?:{_at_least(SHORT_MIN)}(?!{_at_least(LINE_MIN)}){_WORD}{_NEWLINE})+{_WORD}"
)
"""Base64 in lines shorter than `LINE_MIN` (helper-679 F6: `fold -w 8` showed a key's base64
whole): lines broken by a line break (words between spaces are prose), the first of any length
(`KEY_B64=` and the first line), of which `_even` takes three or more of one width but the last,
no longer."""
_ESCAPED = re.compile(_ESCAPE)
_SHORT_LINE = re.compile(
    rf"(?:[\r\n]|\\[nr])[ \t]*+{_at_least(SHORT_MIN)}(?!{_at_least(LINE_MIN)}){_WORD}{_NEWLINE}"
)
"""A short line between two line breaks: a text that holds none holds no `_SHORT` run (found
from a line break, a character the search skips to, where `_SHORT` tries every place)."""
_BREAKS = re.compile(f"{_BREAK}+")
_CODED = re.compile(_BREAK)
_BREAK_AT = rf"[0-9]{{1,9}}:[{''.join(_CODES.values())}]+"
_SPELLED = re.compile(rf"{_BREAK_AT}(?:,{_BREAK_AT})*")


class Broken(NamedTuple):
    """A value found across line breaks: its span in the text, the value, and each break in
    it (where it stands in the value, the white space that stands there)."""

    start: int
    stop: int
    value: str
    breaks: tuple[tuple[int, str], ...]


def across_lines(text: str, values: Literals | None) -> list[Broken]:
    """Each of `values` in a run of base64 in lines of `text` with its white space removed,
    that a break cuts (an uncut one is in the text as it is, where the ordinary search finds
    it)."""
    found: list[Broken] = []
    if not values:
        return found
    for words in _lines(text):
        starts, at = [], 0  # where each word starts in the joined run
        for start, stop in words:
            starts.append(at)
            at += stop - start
        for match in values.find("".join(text[start:stop] for start, stop in words)):
            first = bisect_right(starts, match.start) - 1
            last = bisect_right(starts, match.stop - 1) - 1
            if first == last:
                continue
            breaks = tuple(
                (starts[i] - match.start, text[words[i - 1][1] : words[i][0]])
                for i in range(first + 1, last + 1)
            )
            start = words[first][0] + match.start - starts[first]
            stop = words[last][0] + match.stop - starts[last]
            found.append(Broken(start, stop, match.text, breaks))
    return found


def _lines(text: str) -> Iterator[list[tuple[int, int]]]:
    """Each run of base64 in lines of `text`, as the span of each line."""
    for run in _RUN.finditer(text):
        yield _words(text, *run.span())
    for run in _SHORT.finditer(text) if _SHORT_LINE.search(text) else ():
        yield from _even(text, _words(text, *run.span()))


def _words(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """The span of each line of a run: the text between its breaks."""
    words, done = [], start
    for space in _BREAKS.finditer(text, start, stop):
        words.append((done, space.start()))
        done = space.end()
    return [*words, (done, stop)]


def _even(text: str, words: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """The runs of `words` that are base64 in lines: two or more of one width, then one no
    longer (a character escaped, `\\/`, counted once), and a longer one before them."""
    widths = [b - a for a, b in words]
    if "\\" in text[words[0][0] : words[-1][1]]:
        widths = [b - a - sum(len(e) - 1 for e in _ESCAPED.findall(text, a, b)) for a, b in words]
    i = 0
    while i < len(words) - 2:
        j = i
        while j + 1 < len(words) and widths[j + 1] == widths[i]:
            j += 1
        last = j + 1 if j + 1 < len(words) and widths[j + 1] < widths[i] else j
        if j > i and last - i >= 2:  # and a longer line before, the first glued to a name
            yield words[i - 1 if i and widths[i - 1] > widths[i] else i : last + 1]
        i = j + 1


def spelled(breaks: tuple[tuple[int, str], ...]) -> str:
    """The breaks of a value as a journal records them beside its form (`44:n,120:rn`: a line
    feed after its 44th character, CR and LF after its 120th; `N`, `R`, `T`: the JSON escapes
    `\\n`, `\\r`, `\\t`, each two characters; the other escaped breaks by `_CODES`)."""
    return ",".join(
        f"{at}:{''.join(_CODES[c] for c in _CODED.findall(space))}" for at, space in breaks
    )


def respelled(value: str, spelling: str) -> str | None:
    """`value` with the breaks `spelled` wrote put back (None: no such spelling, or breaks
    that do not fit the value)."""
    if not _SPELLED.fullmatch(spelling):
        return None
    codes = {code: c for c, code in _CODES.items()}
    out, done = [], 0
    for item in spelling.split(","):
        at_text, _, code = item.partition(":")
        at = int(at_text)
        if not done < at < len(value):
            return None
        out += [value[done:at], "".join(codes[c] for c in code)]
        done = at
    return "".join(out) + value[done:]
