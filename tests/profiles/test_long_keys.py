"""A key longer than 1024 characters written `KEY: VALUE` is past YAML's limit for an implicit
key: the parser said "mapping values are not allowed here (check the indentation …, or quote a
value …)" or "could not find expected ':'", and neither indentation nor quotes help (helper-602
F10). The message says the limit and the way to write a longer key (`? KEY` / `: VALUE`),
which drift then reads on both of its YAML paths (an env name may be up to 32,768 characters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift import yamlfast
from drift.yamldoc import YamlProblems
from drift.yamlfile import parse_text
from tests.cliutil import drift

KEY = "A" * 1030
SAID = (
    'invalid YAML: a key written "KEY: VALUE" is at most 1024 characters, and this one is {n} '
    '(write a longer one as an explicit key: "? KEY" on one line, then ": VALUE" on the next)'
)


@pytest.mark.parametrize(
    ("text", "line", "length"),
    [
        (f"env:\n  B: 1\n  {KEY}: x\n", 3, 1030),  # "could not find expected ':'"
        (f"env:\n  {KEY}: x\n", 2, 1030),  # "mapping values are not allowed here (check …)"
        (f"services:\n  api:\n    env:\n      {KEY}:\n        value: x\n", 4, 1030),
        (f"{KEY}: x\n", 1, 1030),
        (f'env:\n  "{KEY}": x\n', 2, 1032),  # quoted: the quotes count, and do not help
        (f"env: {{{KEY}: x}}\n", 1, 1030),  # "expected ',' or '}', but got ':'"
        (f"- [{KEY}: 1]\n", 1, 1030),
        (f"env:\n  {'A' * 1025}: x\n", 2, 1025),
    ],
)
def test_a_key_past_the_limit_says_so_and_how_to_write_it(
    monkeypatch: pytest.MonkeyPatch, text: str, line: int, length: int
) -> None:
    for fast in (True, False):  # syntax errors are the reference path's words either way
        monkeypatch.setattr(
            yamlfast, "available", lambda fast=fast: fast and yamlfast.CParser is not None
        )
        with pytest.raises(YamlProblems) as caught:
            parse_text(text, "p.yaml")
        assert [str(p) for p in caught.value.problems] == [
            f"p.yaml:{line}: {SAID.format(n=length)}"
        ]


@pytest.mark.parametrize(
    "text",
    [
        f"env:\n  A: {KEY}: y\n",  # a plain value holding ": ", however long
        f"env:\n  A: foo, {KEY}: y\n",  # a comma in a plain value begins no key
    ],
)
def test_a_long_value_holding_a_colon_is_still_said_to_need_quotes(text: str) -> None:
    with pytest.raises(YamlProblems) as caught:
        parse_text(text, "p.yaml")
    (problem,) = caught.value.problems
    assert "mapping values are not allowed here (quote a value" in problem.message, problem


@pytest.mark.parametrize("key", [KEY, f'"{KEY}"', "A" * 1024])
def test_an_explicit_key_of_any_length_is_read_on_both_paths(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    text = f"env:\n  B: 1\n  ? {key}\n  : x\n" if len(key) > 1024 else f"env:\n  {key}: x\n"
    name = key.strip('"')
    for fast in (True, False):
        monkeypatch.setattr(
            yamlfast, "available", lambda fast=fast: fast and yamlfast.CParser is not None
        )
        doc = parse_text(text, "p.yaml")
        assert doc.data == {"env": {"B": 1, name: "x"} if len(key) > 1024 else {name: "x"}}
        assert doc.lines[("env", name)] == 3 if len(key) > 1024 else 2


def test_a_profile_with_an_explicit_long_env_name_validates(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    body = "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n    env:\n"
    (folder / "staging.yaml").write_text(f"{body}      ? {KEY}\n      : x\n")
    done = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    (folder / "staging.yaml").write_text(f"{body}      {KEY}: x\n")
    done = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert done.returncode == 2
    assert f"profiles/staging.yaml:6: {SAID.format(n=1030)}" in done.stderr
