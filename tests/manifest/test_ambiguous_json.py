"""A JSON manifest or plan whose meaning a reader would have to guess (what I-JSON, RFC 7493,
refuses) is one line naming the file, the line and column, and the JSON path, exit 2
(helper-766): a key said twice in one object (a hand-edited or concatenated file: Python kept
the last, while a YAML manifest's are refused), and text with an unpaired surrogate
(`"\\udc80"`), which no output can write (an internal error, or Python's codec message).
Terraform writes neither (Go's encoding/json keeps names unique and writes only UTF-8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cliutil import drift
from tests.manifest.conftest import CHAT, PLAN, PROFILES, problems_of, read

MARK = '"zz-mark": 0'


def plan_with(extra: str) -> str:
    """The sample plan with `extra` written into api's `after` (resource_changes[1]), after its
    `name`."""
    data: dict[str, Any] = json.loads(PLAN.read_text())
    after = data["resource_changes"][1]["change"]["after"]
    assert after["name"] == "api"
    data["resource_changes"][1]["change"]["after"] = {"name": "api", "zz-mark": 0} | after
    return json.dumps(data, indent=1).replace(MARK, extra)


AFTER = "resource_changes[1].change.after"
KEY_TWICE = '"labels": {"a": "1", "a": "2"}'


@pytest.mark.parametrize(
    ("extra", "at", "said"),
    [
        ('"name": "web"', 0, f'duplicate key "name" at {AFTER}'),
        ('"\\u006eame": "web"', 0, f'duplicate key "name" at {AFTER}'),  # the same, escaped
        (KEY_TWICE, KEY_TWICE.rindex('"a"'), f'duplicate key "a" at {AFTER}.labels'),
        (
            '"zz-note": "\\udc80"',
            12,
            f"text with an unpaired surrogate (\\udc80) at {AFTER}.zz-note",
        ),
        ('"\\ud800x": 1', 1, f"text with an unpaired surrogate (\\ud800) at {AFTER}.\\ud800x"),
    ],
)
def test_a_plan_a_reader_would_have_to_guess_is_refused_where_it_is(
    extra: str, at: int, said: str
) -> None:
    """At the second of the two keys (the first is the line above), or the surrogate."""
    text = plan_with(extra)
    line = text[: text.index(extra)].count("\n") + 1
    column = text.splitlines()[line - 1].index(extra) + at + 1
    assert problems_of(text, "plan.json") == [
        f"plan.json:{line}: invalid JSON: {said} (column {column})"
    ]


def test_text_that_only_looks_like_a_surrogate_is_read() -> None:
    """An escaped backslash before `udc80` (the text `\\udc80`), and a pair (one character)."""
    text = plan_with('"zz-note": "C:\\\\udc80 \\ud83d\\ude00"')
    assert "api" in [w.name for w in read(text, "plan.json").workloads]


def test_a_surrogate_written_as_utf8_bytes_is_not_utf8_text() -> None:
    """Python's reader took the three bytes of a surrogate as one (`surrogatepass`)."""
    raw = plan_with('"zz-note": "zz"').encode().replace(b"zz", b"\xed\xb0\x80")
    line = raw[: raw.index(b"\xed")].count(b"\n") + 1
    assert problems_of(raw, "plan.json") == [f"plan.json:{line}: not UTF-8 text"]


def test_a_knative_json_export_with_a_key_twice_is_refused() -> None:
    """Read by the YAML reader too, which said "invalid YAML" of a JSON file (and not at all
    where the file is larger than that reader takes)."""
    data = yaml.safe_load(CHAT.read_text())
    text = json.dumps(data, indent=1).replace(
        '"kind": "Service"', '"kind": "Service", "kind": "Job"'
    )
    (found,) = problems_of(text, "chat.json")
    assert found == 'chat.json:3: invalid JSON: duplicate key "kind" at the top level (column 21)'


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_check_refuses_a_plan_with_a_key_twice(tmp_path: Path, where: str) -> None:
    """helper-740: `{"resource_changes":[],"resource_changes":[]}` was read as the last."""
    text = '{"format_version": "1.2",\n "resource_changes": [], "resource_changes": []}\n'
    (tmp_path / "plan.json").write_text(text)
    name = "plan.json" if where == "file" else "-"
    done = drift("check", "prod", "--profiles", str(PROFILES), "-m", name, "--offline",
                 cwd=tmp_path, stdin=text)  # fmt: skip
    assert done.returncode == 2, done.stdout
    shown = "plan.json" if where == "file" else "<stdin>"
    assert done.stderr.splitlines() == [
        f'drift: error: {shown}:2: invalid JSON: duplicate key "resource_changes" at the top '
        "level (column 26)"
    ]
