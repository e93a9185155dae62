"""Text a person reads or a shell runs, made safe: control characters shown visibly, values
quoted for bash so that nothing in them (quotes, `$()`, backticks, newlines, escapes) is
interpreted, and gcloud's list syntax with a delimiter that no value contains."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from drift.blanks import Arg, Blank, Template, plain, word
from drift.textsafe import shell_quote, visible


def shell_line(argv: Sequence[Arg]) -> str:
    """A command template: each word quoted, except the blanks (`Blank`, `<VALUE>`), which
    stay bare so that bash refuses a template run without filling them in (`drift.blanks.
    Blank`), never a command that sends the placeholder."""
    return " ".join(_template_word(a) for a in argv)


def _template_word(arg: Arg) -> str:
    if isinstance(arg, Blank):
        return str(arg)
    if isinstance(arg, Template):
        return "".join(str(p) if isinstance(p, Blank) else shell_quote(p) for p in arg if p)
    return shell_quote(arg)


def command_line(argv: Sequence[str]) -> str:
    """A command to run as is: every word quoted."""
    return " ".join(shell_quote(a) for a in argv)


def _candidates() -> Iterator[str]:
    yield from ",@#|;~%+:!*?&$<>()[]{}'\"`/\\ "
    yield from "QXZJKVWYqxzjkvwy0123456789"
    for point in range(0xA1, 0x3000):
        char = chr(point)
        if unicodedata.category(char)[0] in "LNPS":
            yield char


def free_delimiter(items: Iterable[str]) -> str:
    """A one-character delimiter for gcloud's list syntax (`^D^a=1Db=2`) that no item
    contains; `,` (no prefix needed) when no item has a comma. gcloud takes the text
    between the first two carets as the delimiter and splits on it (calliope
    `arg_parsers.ArgList`); one character, because a longer one can merge with the end of
    an item (`a@` + `@@`)."""
    texts = list(items)
    return next(d for d in _candidates() if not any(d in t for t in texts))


@overload
def gcloud_list(flag: str, items: Sequence[str]) -> str: ...
@overload
def gcloud_list(flag: str, items: Sequence[Arg]) -> Arg: ...
def gcloud_list(flag: str, items: Sequence[Arg]) -> Arg:
    """`--FLAG=a,b` as one argv element, switching the delimiter when an item has a comma
    (an item with blanks to fill in: a `Template`)."""
    texts = [plain(i) for i in items]
    delim = free_delimiter(texts)
    prefix = "" if delim == "," and not delim.join(texts).startswith("^") else f"^{delim}^"
    pieces: list[Arg] = [f"{flag}={prefix}"]
    for index, item in enumerate(items):
        pieces += [delim, item] if index else [item]
    return word(*pieces)


def comment(text: str) -> list[str]:
    """`text` as shell comment lines (hidden characters escaped, so none ends the comment)."""
    return [f"# {visible(line)}".rstrip() for line in text.split("\n")]
