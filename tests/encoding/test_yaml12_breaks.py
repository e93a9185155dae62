"""revencoding 3 (Trust, failed before its fix): YAML 1.2 §5.4 ("Line Break Characters"):
"the non-ASCII line breaks: next line (x85), line separator (x2028) and paragraph separator
(x2029) ... YAML treats them as non-break characters as of version 1.2". drift hands any
document holding one to ruamel.yaml (drift/yamlfast.py `_HAND_BACK`, drift/yamlfile.py:126),
which still reads them as YAML 1.1 line breaks: a quoted value `"Acme<NEL>Chat"` becomes
`Acme Chat` (check then reports drift on a service running exactly the profile's value, and
plan/fix would set `Acme Chat`), and a comment holding U+2028 (pasted from a web page) makes
the profile "invalid YAML" at a line that has nothing wrong.
Also YAML 1.2 §6.1 s-separate-in-line (s-white = space | tab): `KEY:\\tvalue` and `value\\t# c`
are valid; libyaml reads them, drift hands them to ruamel, which refuses them."""

from __future__ import annotations

import pytest

from drift.yamlfile import parse_text


def test_a_next_line_in_a_quoted_value_is_kept() -> None:
    # (U+2028 and U+2029 inside a value are kept on main; NEL is folded to a space)
    doc = parse_text('x: "Acme\x85Chat"\ny: Acme\x85Chat\n', "p.yaml")
    assert doc.data == {"x": "Acme\x85Chat", "y": "Acme\x85Chat"}


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_a_non_ascii_line_break_in_a_comment_is_no_error(char: str) -> None:
    doc = parse_text(f"# see{char}the runbook\nx: 1\ny: 2 # or{char}not\n", "p.yaml")
    assert doc.data == {"x": 1, "y": 2}
    assert doc.lines[("y",)] == 3


@pytest.mark.parametrize("text", ["x:\tvalue\n", "x: value\t# why\n", "m:\n  x:\tvalue\n"])
def test_a_tab_as_separation_is_valid_yaml_12(text: str) -> None:
    data = parse_text(text, "p.yaml").data
    assert "value" in str(data)
