"""Live values shown to a person with their hidden characters visible (issue 21 item 13).

A stand-in for `drift.textsafe.visible` (being added on another branch): when that lands on
main, import it instead and delete this module."""

from __future__ import annotations

import unicodedata

_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Controls (ESC starts ANSI and OSC sequences), invisible formatting (bidi overrides, zero
width), lone surrogates, line and paragraph separators."""


def visible(text: str) -> str:
    """`text` with every hidden character written as its escape (`\\x1b`, `\\n`, `\\u202e`):
    nothing in a live value can move the cursor, forge a line or hide part of the text."""
    if text.isprintable():
        return text
    return "".join(_shown(c) for c in text)


def _shown(char: str) -> str:
    if char == "\u200d" or unicodedata.category(char) not in _HIDDEN:
        return char  # the zero-width joiner holds emoji sequences together
    return ascii(char)[1:-1]
