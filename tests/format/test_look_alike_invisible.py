"""Two values that differ only in a character a screen draws as nothing read as one: a
finding shows `expected: abc` over `actual: abc`, and a person takes it for a bogus one. drift
escapes such a difference and says so (`LOOK_ALIKE_NOTE`, revencoding 4) for a space other
than U+0020, a combining mark, a Unicode form and a Cyrillic letter; not for the invisible
characters that are neither a format control `visible` escapes (category Cf) nor changed by
NFKC: U+200D ZERO WIDTH JOINER (kept for emoji), a variation selector, U+034F COMBINING
GRAPHEME JOINER, the Hangul fillers (U+3164 draws as a blank, at a value's end as nothing).
Unicode marks them all Default_Ignorable_Code_Point (DerivedCoreProperties.txt: "should be
ignored in rendering ... unless explicitly supported"). The fix belongs in drift.textsafe
(shared: `skeleton` leaving out the default-ignorable code points, `_alike` escaping them),
described in /work/notes/reports/revout88.md (F3)."""

from __future__ import annotations

import dataclasses

import pytest

from drift.format import OutputFormat, formatter_for
from drift.textsafe import LOOK_ALIKE_NOTE
from tests.format.conftest import SETTING, make_report

INVISIBLE = {
    "zero-width-joiner": ("ab\u200dc", "\\u200d"),
    "variation-selector-16": ("ab\ufe0fc", "\\ufe0f"),
    "combining-grapheme-joiner": ("ab\u034fc", "\\u034f"),
    "hangul-filler-at-the-end": ("abc\u3164", "\\u3164"),
}


@pytest.mark.parametrize("name", list(INVISIBLE))
@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB])
def test_a_value_that_differs_only_in_an_invisible_character_says_so(
    fmt: OutputFormat, name: str
) -> None:
    actual, escaped = INVISIBLE[name]
    finding = dataclasses.replace(SETTING, expected="abc", actual=actual)
    text = formatter_for(fmt, width=200).render(make_report((finding,)))
    assert escaped in text
    assert LOOK_ALIKE_NOTE.split(":")[1].strip() in text
