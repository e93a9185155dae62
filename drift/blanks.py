"""Values a command template leaves for the user to fill in (`<VALUE>`), kept apart from text
by their type: a shell line (`drift.fix.formats.text.shell_line`) leaves a `Blank` bare and
quotes everything else, so text from the live service or a profile that looks like one (a
variable named `X<LICENSE>Y`) is never taken for one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeAlias

from drift.textsafe import shell_quote


class Blank(str):
    """A value the user fills in, shown `<NAME>` (`blank`): the one piece of a shell line left
    bare, so that bash refuses a command run without filling it in rather than sending the
    placeholder (at the end of the line a syntax error; inside it, `<NAME` reads a file named
    NAME, which is not there, and the command is not run). Only drift's code makes one: text
    from the live service or a profile (a variable named `X<LICENSE>Y`) is quoted like any
    other, never taken for a placeholder. A Blank is never formatted into text (that would
    make it a quoted piece): `word` joins it."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        raise TypeError(f"{str(self)} is a Blank: join it with word(), not by formatting")


def blank(name: str) -> Blank:
    return Blank(f"<{name}>")


class Template(tuple[str, ...]):
    """One shell word in pieces: its `Blank`s stay bare, the rest is quoted."""

    __slots__ = ()


Arg: TypeAlias = "str | Template"
"""A word of a command template: text (quoted whole) or a `Template` with blanks to fill in."""


def word(*pieces: Arg) -> Arg:
    """The pieces as one word: a `Template` when a blank is among them, else the joined text."""
    flat = [p for piece in pieces for p in (piece if isinstance(piece, Template) else (piece,))]
    if not any(isinstance(p, Blank) for p in flat):
        return "".join(flat)
    joined: list[str] = []  # the text between two blanks as one piece, quoted as one
    for p in flat:
        if joined and not isinstance(p, Blank) and not isinstance(joined[-1], Blank):
            joined[-1] += p
        elif p:
            joined.append(p)
    return Template(joined)


def plain(arg: Arg) -> str:
    """The word's text, blanks as `<NAME>` (to read a flag's name, never to quote)."""
    return "".join(arg) if isinstance(arg, Template) else arg


def filled(text: str, *blanks: Blank) -> Arg:
    """`text` that drift's code made with `blanks` formatted into it (a catalogue row's flag
    for a value to fill in: `--cpu=<VALUE>`), as a word whose blanks stay bare. Only for text
    with nothing from the live service or a profile in it."""
    if not blanks:
        return text
    split = re.compile("(" + "|".join(re.escape(str(b)) for b in blanks) + ")")
    known = {str(b): b for b in blanks}
    return word(*(known.get(p, p) for p in split.split(text)))


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
