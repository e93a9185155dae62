"""revencoding 3, more of YAML 1.2 on the reference path: NEL/LS/PS never number lines (§5.4),
a tab is separation within a line and around a comment (§6.1, §6.6), and a tab in a line's
indentation is still refused, at its line."""

from __future__ import annotations

import pytest

from drift.yamldoc import YamlProblems
from drift.yamlfile import parse_text


def test_lines_after_next_lines_in_values_are_right() -> None:
    doc = parse_text("a: \"A\x85B\"\nb: C\u2028D E\nc: 'F\u2029G'\nd: 1\n", "p.yaml")
    assert doc.data == {"a": "A\x85B", "b": "C\u2028D E", "c": "F\u2029G", "d": 1}
    assert [doc.lines[(k,)] for k in "abcd"] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("x: a\tb\n", {"x": "a\tb"}),
        ("\t# why\nx: 1\n", {"x": 1}),
        ("x: 1\n\t\ny: 2\n", {"x": 1, "y": 2}),
        ("key\t: v\n", {"key": "v"}),
    ],
)
def test_tabs_within_lines_are_separation(text: str, data: dict[str, object]) -> None:
    assert parse_text(text, "p.yaml").data == data


def test_a_tab_in_the_indentation_is_refused_at_its_line() -> None:
    # a control (passes on main too): the tabs read as separation are not indentation
    with pytest.raises(YamlProblems) as caught:
        parse_text("x:\n  y: 1\n\tz: 2\n", "p.yaml")
    assert [p.line for p in caught.value.problems] == [3]
