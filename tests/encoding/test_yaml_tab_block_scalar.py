"""revown42 F3 (Trust, low): since 35fb35a (yamlruamel `scan_to_next_token` skips a tab in a
line's indentation when the rest of the line is blank), a block scalar whose first line is a
tab alone is read as an EMPTY value and the lines after it as siblings. YAML 1.2 refuses it:
yaml-test-suite Y79Y case 0 (`foo: |\\n\\t\\nbar: 1\\n`, "fail": true) — the tab is the block
scalar's first content line, indented less than the parent. Main before 35fb35a refused it at
its line (2). Likewise `-\\t-` (Y79Y cases 4, 5: "fail": true) is now read as `[[None]]`.
A profile that a teammate's editor filled with a tab on the blank line under `KEY: |` then
silently expects `KEY` to be "" where every other YAML 1.2 reader says the file is invalid."""

from __future__ import annotations

import pytest

from drift.yamldoc import YamlProblems
from drift.yamlfile import parse_text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("foo: |\n\t\nbar: 1\n", 2),  # Y79Y/000
        ("env:\n  GREETING: |\n\t\n  MODE: live\n", 3),
        ("-\t-\n", 1),  # Y79Y/004
        ("- \t-\n", 1),  # Y79Y/005
    ],
)
def test_invalid_tabs_are_refused_at_their_line(text: str, line: int) -> None:
    with pytest.raises(YamlProblems) as caught:
        parse_text(text, "p.yaml")
    assert [p.line for p in caught.value.problems] == [line]
