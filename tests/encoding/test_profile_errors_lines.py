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
