"""Many literal values found in a text at once, the long ones without a regex.

The masker searched every registered value, in every escaped form, through one alternation
compiled when a value was added. Python compiles a pattern in Python: its cost follows the
pattern's characters, and a payload's forms are long — one 64 KiB token (a config file, a
keystore's base64) makes about a million characters, 20 service-account keys a few hundred
thousand, and the first mask of every `drift check` of such a project took 5 to 18 s
(helper-660's `token64k.py`, `many.py`). Only the values shorter than `LONG` are compiled; a
longer one is found with `str.find`, which needs nothing compiled and costs nothing on a text
shorter than it (most texts masked are a line). And an alternation tries each of its values
at each place of a text: past `COMPILED_MAX` values, none is compiled and each is found through
an index of its first characters.

`flexible`: every run of white space in a value matches any run of white space in the text
(`\\s+` in the pattern; a long value is searched for in the text with its runs squeezed to one
space, and found where the text's squeezed runs agree): drift flattens what servers say to one
line, and a secret must still be found in it. Values start and end with no white space (the
masker registers them bare)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import NamedTuple

from drift.fragments import mask_spans

LONG = 128
"""The shortest value searched for with `str.find` rather than in the compiled alternation."""
COMPILED_MAX = 100
"""The most values shorter than `LONG` compiled into one alternation. Past them, every value is
found through an index of its first `ANCHOR` characters, one look-up at each place of the
text: an alternation tries each of its values at each place (a 910 KB report against the 2,428
values of 50 service-account keys: 28 s, helper-663 H1), the index costs the same whatever
their number (0.2 s)."""
ANCHOR = 8
"""How many first characters index a value (the shortest value searched for: `SEARCH_MIN`)."""
_SPACE = re.compile(r"\s+")


class Found(NamedTuple):
    """A value found: where it stands in the text, and the text there."""

    start: int
    stop: int
    text: str


def _flexible(value: str) -> str:
    """A pattern for `value` in which every run of white space matches any run of it."""
    return r"\s+".join(re.escape(chunk) for chunk in _SPACE.split(value))


class Literals:
    """The values of a set, and where a text holds any of them (`find`)."""

    def __init__(self, values: Iterable[str], *, flexible: bool) -> None:
        self.flexible = flexible
        ordered = sorted(set(values), key=len, reverse=True)  # at one place, the longest
        keyed = {v: _SPACE.sub(" ", v) if flexible else v for v in ordered}
        short = [v for v in ordered if len(v) < LONG]
        self._anchors: dict[str, list[str]] = {}
        if len(short) > COMPILED_MAX:  # an index of them all: no pattern, no try per value
            for value in ordered:
                if len(key := keyed[value]) >= ANCHOR:
                    self._anchors.setdefault(key[:ANCHOR], []).append(key)
            for keys in self._anchors.values():
                keys.sort(key=len, reverse=True)  # at one place, the longest
            short = [v for v in ordered if len(keyed[v]) < ANCHOR]  # mostly white space
        shape = _flexible if flexible else re.escape
        self._pattern = re.compile("|".join(map(shape, short))) if short else None
        # where a value may start inside a match: its first characters (None: one's hold
        # white space, which a flexible value matches in any form, so every place is tried)
        self._head = min([ANCHOR, *map(len, short)])
        heads = {v[: self._head] for v in short}
        self._heads = None if any(_SPACE.search(h) for h in heads) else heads
        long = {keyed[v] for v in ordered if len(v) >= LONG and not self._anchors}
        self._long = sorted(long, key=len)
        self._lengths = [len(key) for key in self._long]

    def __bool__(self) -> bool:
        return self._pattern is not None or bool(self._long) or bool(self._anchors)

    def find(self, text: str) -> list[Found]:
        """Every place `text` holds a value: the alternation's matches (leftmost, the longest
        at one place, none overlapping another), and each other value wherever it stands
        (they may overlap those and each other: a masker joins them, `secret_pieces` keeps the
        first)."""
        found = [] if self._pattern is None else self._find_compiled(self._pattern, text)
        if self._anchors and len(text) >= ANCHOR:
            found += self._find_anchored(text)
        elif self._long and len(text) >= self._lengths[0]:
            found += self._find_long(text)
        return found

    def _find_compiled(self, pattern: re.Pattern[str], text: str) -> list[Found]:
        """The alternation's matches, and each value that starts inside one and ends past it
        (`key-1234abcd` and `abcd5678zzzz` in `key-1234abcd5678zzzz`: the second's rest would
        be left in clear; helper-669 L1). Each place a match covers where a value's first
        characters stand (helper-673 N5: trying the pattern at every one cost 1.4 s a MB of a
        text dense with secrets)."""
        found = []
        heads, head = self._heads, self._head
        for match in pattern.finditer(text):
            found.append(Found(*match.span(), match[0]))
            for at in range(match.start() + 1, match.end()):
                if heads is not None and text[at : at + head] not in heads:
                    continue
                inner = pattern.match(text, at)
                if inner is not None and inner.end() > match.end():
                    found.append(Found(*inner.span(), inner[0]))
        return found

    def masked(self, text: str) -> str:
        """`text` with every place it holds a value masked (the masker's values are flexible,
        registered without their outer white space: `drift.redact.Secrets.add`)."""
        found = self.find(text)
        return mask_spans(text, [(f.start, f.stop) for f in found]) if found else text

    def _find_anchored(self, text: str) -> list[Found]:
        """At each place, the longest value whose first `ANCHOR` characters stand there."""
        squeezed, back = _squeezed(text) if self.flexible else (text, None)
        found: list[Found] = []
        get, starts = self._anchors.get, squeezed.startswith
        for at in range(len(squeezed) - ANCHOR + 1):
            for key in get(squeezed[at : at + ANCHOR], ()):
                if starts(key, at):
                    found.append(_placed(text, at, at + len(key), back))
                    break
        return found

    def _find_long(self, text: str) -> list[Found]:
        squeezed, back = _squeezed(text) if self.flexible else (text, None)
        found: list[Found] = []
        for key in self._long[: bisect_right(self._lengths, len(squeezed))]:
            at = squeezed.find(key)
            while at >= 0:
                found.append(_placed(text, at, at + len(key), back))
                at = squeezed.find(key, at + len(key))
        return found


Back = Callable[[int, int], tuple[int, int]]


def _placed(text: str, start: int, stop: int, back: Back | None) -> Found:
    """A value found at `start:stop` of the (squeezed) text searched, as it stands in `text`."""
    if back is not None:
        start, stop = back(start, stop)
    return Found(start, stop, text[start:stop])


def _squeezed(text: str) -> tuple[str, Back | None]:
    """`text` with each run of white space but a lone space made one space, and how a span of
    it maps back to `text` (a span that starts and ends with no white space)."""
    starts: list[int] = []  # where, in the squeezed text, a squeezed run's space stands
    shifts: list[int] = []  # how far the text runs ahead of the squeezed text after it
    pieces: list[str] = []
    done = shift = 0
    for run in _SPACE.finditer(text):
        if run[0] == " ":
            continue
        pieces += [text[done : run.start()], " "]
        starts.append(run.start() - shift)
        shift += run.end() - run.start() - 1
        shifts.append(shift)
        done = run.end()
    if not starts:
        return text, None
    pieces.append(text[done:])

    def back(start: int, stop: int) -> tuple[int, int]:
        def at(i: int) -> int:
            n = bisect_right(starts, i - 1)  # the runs squeezed before index i
            return i + (shifts[n - 1] if n else 0)

        return at(start), at(stop - 1) + 1

    return "".join(pieces), back


def uncovered(loose: Iterable[Found], spans: Iterable[tuple[int, int]]) -> bool:
    """Whether a value found flexibly (`loose`) stands where the `spans` found otherwise (as
    they are: `drift.secretforms.Versions.pieces`) do not cover all of it."""
    covered: list[tuple[int, int]] = []  # the spans, joined where they meet or overlap
    for start, stop in sorted(spans):
        if covered and start <= covered[-1][1]:
            covered[-1] = (covered[-1][0], max(covered[-1][1], stop))
        else:
            covered.append((start, stop))
    return any(not any(a <= f.start and f.stop <= b for a, b in covered) for f in loose)
