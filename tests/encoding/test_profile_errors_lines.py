"""revencoding 5 (Usability, failed before its fix): a NUL byte on line 3 of a profile is
reported at line 1 with the reader's "position N" (ruamel's ReaderError is not a
MarkedYAMLError: drift/yamlruamel.py:72 gives it line 1). helper-common: errors name file:line."""

from __future__ import annotations

import pytest

from drift.yamldoc import YamlProblems
from drift.yamlfile import parse_text


def test_a_nul_byte_is_reported_at_its_line() -> None:
    with pytest.raises(YamlProblems) as caught:
        parse_text("a: 1\nb: 2\nc: x\x00y\n", "p.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 3, problem


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_a_control_character_is_reported_at_its_line_whatever_the_line_ends(eol: str) -> None:
    with pytest.raises(YamlProblems) as caught:
        parse_text(eol.join(["a: 1", "b: 2", "c: \x01", ""]), "p.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, "position" in problem.message) == (3, False), problem


@pytest.mark.parametrize(
    ("text", "line", "moved"),
    [
        ("a:\n  b: 1\n  c:\n    d: 1\n   # note\n  e: 2\n f: 3\n", 7, 6),  # `f`: this line
        ("a:\n  b: 1\nc: 2\n  d: 3\n", 4, 3),  # `c` dedented to the left margin
        ("a:\n  b:\n    c: 1\n  d: 2\n    e: 3\n", 5, 4),  # `e`: this line
        ("a:\n  b: 1\nc: 2\n\n  # x\n  d: 3\n", 6, 3),  # `c`, above a blank line and a comment
    ],
)
def test_an_indentation_mistake_names_the_line_above_too(text: str, line: int, moved: int) -> None:
    """The parser notices a line indented wrong only at the next one, in its own words
    ("expected <block end>", "mapping values are not allowed here"): the message names the
    line above as well, comments and blank lines passed over (revfirst62 F6)."""
    with pytest.raises(YamlProblems) as caught:
        parse_text(text, "p.yaml")
    (problem,) = caught.value.problems
    assert problem.line == line, problem
    assert f"(check the indentation of line {moved} and of this one" in problem.message, problem


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("env:\n  LOG: info\n  BANNER: Maintenance: back soon\n", "quote"),  # `: ` in a value
        ("env:\n  - NOTE: Error: x\n", "quote"),  # in a list item
        ("a:\n  b: 1\nc: 2\n  d: 3\n", "check"),  # `c` dedented: the line's only `: `
        ("env:\n  NOTE: a\n    b: c\n", "check"),  # a value going on at the next line
    ],
)
def test_a_refused_colon_says_both_likely_causes(text: str, first: str) -> None:
    """The parser's "mapping values are not allowed here" comes of a plain value holding
    ": " (`KEY: a: b`, which YAML reads as a key of its own) as often as of indentation: both
    are said, the quotes first when the refused colon follows the key's own ": " on its line
    (revown62b F3)."""
    with pytest.raises(YamlProblems) as caught:
        parse_text(text, "p.yaml")
    (problem,) = caught.value.problems
    hint = problem.message.partition("mapping values are not allowed here (")[2]
    assert hint.startswith(first), problem
    assert 'quote a value holding ": "' in hint and "check the indentation of line" in hint, problem
