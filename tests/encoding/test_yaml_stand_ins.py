"""revown42 F1 (Trust): drift/yamlruamel.py `_stand_ins` picks a private-use character "the
document does not contain" by looking at the raw text only. A double-quoted scalar's escape
(`"\\ue000"`, YAML 1.2 §5.7 `ns-esc-16-bit`) is not that character in the text, yet after
composing it is, and the walker (`_Walker.scalar`, `node.value.translate(self.back)`) turns it
into the NEL/LS/PS it stood in for. Any raw NEL/LS/PS anywhere in the document (a comment
pasted from a word processor is enough) makes the profile expect a different value.
The libyaml path never sees these documents (`yamlfast._HAND_BACK`): no cross-check.

Also: a document holding every character U+E000..U+F8FF and one NEL exhausts the generator in
`_stand_ins` (`next(free)`): StopIteration escapes as `internal error`, not a file:line problem.
"""

from __future__ import annotations

import pytest

from drift.yamldoc import YamlProblems
from drift.yamlfile import parse_text


@pytest.mark.parametrize(
    ("text", "key", "want"),
    [
        ('a: "x\x85y"\nb: "\\uE000"\n', "b", "\ue000"),
        ('# pasted note\u2028\nb: "pre\\ue000post"\n', "b", "pre\ue000post"),
        ("# \u2029\nicon: \"\\ue001\"\nother: 'a\u2028b'\n", "icon", "\ue001"),
    ],
)
def test_an_escaped_private_use_character_is_kept(text: str, key: str, want: str) -> None:
    assert parse_text(text, "p.yaml").data[key] == want


def test_every_private_use_character_and_a_nel_is_a_problem_not_a_crash() -> None:
    text = "# " + "".join(map(chr, range(0xE000, 0xF900))) + '\nx: "a\x85b"\n'
    try:
        parse_text(text, "p.yaml")
    except YamlProblems:
        pass  # a located problem is fine, as is reading it
