"""A secret cut by line breaks, wherever they fall (helper-656 MEDIUM-4): the base64 of a config
document that holds a secret, as `base64 config.json` prints it (lines of 76), `openssl base64`
(64) or a Windows tool (CRLF), holds the secret's `base64-inN` form cut by line breaks wherever
the lines happen to fall; no list of literal forms holds every cut. And any value a person or a
tool wraps: a short password in two lines, a YAML block's lines, `fold -w 3` (helper-715). A
text is searched with its line breaks removed (`across_lines`), and each match is mapped back to
the text; the journal records such a copy by its form and where the breaks stood in it
(`spelled`, `respelled`).

A text's lines are joined across each line break, as it is or escaped (`\\n`: the lines put in
one JSON string; `%0A`, `<br>`: `_CODES`), whatever they hold: a value of `SEARCH_MIN`
characters or more found across one is a copy of it (a shorter one is never searched for).
Words between blanks are prose, but a run of base64-looking words (`A-Z a-z 0-9 + / = _ -`)
joined by blanks, each but the last `LINE_MIN` characters or more as every line of base64 but
its last is (a YAML folded block's `>` makes its line breaks spaces): ordinary words (`the
service config`) make none, and one long word is no run (the ordinary search finds what is in
it). The masker searches both with its whole pattern, no second one to compile; each is read
once (the lines joined by one substitution, mapped back only where a value is found; the run's
pattern with possessive repeats, after a lookbehind that starts it at a word's start only): a
64 KiB value costs one pass, not one per position."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from drift.literals import Found, Literals

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


_BLANKS = (" ", "\t", "\\t", "\\\\t")
"""The breaks of `_CODES` that are no line break (`_RUN` joins lines by the first two)."""
_BLANK = "[ \t]"
_START = rf"(?<![{_CHARS}])(?!(?<=\\)(?:/|u002[Bb]))"
"""Where a run may start: at a word's start, never inside an escape of `_ESCAPE` (the `/` of
`\\/`, the `u` of `\\u002B`, which `_CHARS` leaves out of the lookbehind): a start there
scanned the rest of the word again from each escape in it, so `\\/` repeated cost its length
squared (16 KB 0.6 s, 200 KB 115 s; helper-722 F2), and a run could begin mid-escape, `\\u002B`
counted as five characters of base64, not one. After a break's escape (`\\n`, `\\u000a`) a
run still starts at its letter, as before."""
_RUN = re.compile(rf"{_START}(?:{_at_least(LINE_MIN)}{_WORD}{_BLANK}++)+{_WORD}")
"""Base64 in lines joined by blanks (a YAML folded block's `>` makes its line breaks spaces):
lines of `LINE_MIN` or more but the last (words between spaces are prose)."""
_LINES = sorted((b for b in _CODES if b not in _BLANKS), key=len, reverse=True)
_LINE_BREAK = re.compile(
    r"(?<![ \t])[ \t]*+(?:" + "|".join(map(re.escape, _LINES)) + ")"
    r"(?:[ \t]|\\\\?t|" + "|".join(map(re.escape, _LINES)) + ")*+"
)
"""A line break (as it is, or escaped: `_CODES`) with the blanks around it (a line's trailing
ones, the next one's indent), where a text's lines are joined: any text's, whatever its lines
hold, as `fold -w 3` cuts a secret or a person wraps one in two (helper-715); each value found
in the joined lines is a copy of it whole, `SEARCH_MIN` characters or more (a shorter one is
never searched for). Blanks are matched from a run's first only (`(?<![ \t])`): a run of
them not followed by a line break is read once, not once from each of its places."""
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
    """Each of `values` that a break cuts, in a run of base64 in lines of `text` joined by
    blanks (`_RUN`) or in its lines joined (`_LINE_BREAK`), searched with the breaks removed
    (an uncut one is in the text as it is, where the ordinary search finds it)."""
    found: list[Broken] = []
    if not values:
        return found
    for run in _RUN.finditer(text):
        words = _words(text, *run.span())
        found += _cut(text, words, values.find("".join(text[a:b] for a, b in words)))
    joined, breaks = _LINE_BREAK.subn("", text)
    if breaks and (matches := values.find(joined)):  # where the lines are, once one is found
        lines, done = [], 0
        for line_break in _LINE_BREAK.finditer(text):
            lines.append((done, line_break.start()))
            done = line_break.end()
        found += _cut(text, [*lines, (done, len(text))], matches)
    return found


def _cut(text: str, words: list[tuple[int, int]], matches: list[Found]) -> list[Broken]:
    """Each of `matches` in `words` joined that a break cuts, as it stands in `text`."""
    found = []
    starts, at = [], 0  # where each word starts in the joined run
    for start, stop in words:
        starts.append(at)
        at += stop - start
    for match in matches:
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


def _words(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """The span of each line of a run: the text between its breaks."""
    words, done = [], start
    for space in _BREAKS.finditer(text, start, stop):
        words.append((done, space.start()))
        done = space.end()
    return [*words, (done, stop)]


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
