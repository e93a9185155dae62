"""The one-character delimiters of gcloud's list syntax: a character no item of the list holds
(`free_delimiter`), looked for among over a hundred thousand candidates."""

from __future__ import annotations

import functools
import itertools
import sys
import unicodedata
from collections.abc import Iterable, Iterator

_ASCII_DELIMITERS = ",@#|;~%+:!*?&$<>()[]{}'\"`/\\ QXZJKVWYqxzjkvwy0123456789"


def delimiter_candidates() -> Iterator[str]:
    """Each candidate, ASCII first, iterated in C (not a character at a time through a
    generator); those past ASCII found only once they are reached (`_beyond_ascii`)."""
    return itertools.chain.from_iterable(_delimiter_parts())


def _delimiter_parts() -> Iterator[str]:
    yield _ASCII_DELIMITERS
    yield _beyond_ascii()


@functools.cache
def _beyond_ascii() -> str:
    """The candidates past ASCII, found once a process: 1.1 million code points looked at."""
    points = map(chr, range(0xA1, sys.maxunicode + 1))
    return "".join(c for c in points if unicodedata.category(c)[0] in "LNPS")  # no Cs, Cc, Cf


def free_delimiter(items: Iterable[str]) -> str | None:
    """A one-character delimiter for gcloud's list syntax (`^D^a=1Db=2`: `gcloud topic
    escaping`, https://cloud.google.com/sdk/gcloud/reference/topic/escaping) that no item
    contains; `,` (no prefix needed) when no item has a comma. gcloud takes the text
    between the first two carets as the delimiter and splits on it (calliope
    `arg_parsers.ArgList`); one character, because a longer one can merge with the end of
    an item (`a@` + `@@`). None when the items hold every candidate: over a hundred thousand
    characters, which no one value Cloud Run takes can (32768 at most), but several together
    might (`GcloudItems` leaves such an item out; helper-530 F4: a value holding the ten
    thousand of the BMP ended the plan with "internal error: StopIteration")."""
    return first_free(set().union(*items))


def first_free(*used: set[str], skip: int = 0) -> str | None:
    """The first delimiter candidate in none of the sets of characters `used`, past the first
    `skip` (which the caller knows one of them holds: `held_from`), looked up in each set,
    not in a copy of them all (`GcloudItems.fits` asks with the characters of the whole list
    so far), and in C: where they hold nearly every candidate, all 142,000 are looked at."""
    found: Iterator[str] = itertools.islice(delimiter_candidates(), skip, None)
    for chars in used:
        found = itertools.filterfalse(chars.__contains__, found)
    return next(found, None)


def held_from(used: set[str], skip: int) -> int:
    """How many delimiter candidates, one after the other from the one after the first
    `skip`, `used` holds."""
    ahead = itertools.islice(delimiter_candidates(), skip, None)
    return len(list(itertools.takewhile(used.__contains__, ahead)))
