"""drift.yamlfile: what is read (regular files, size first), and the limits every document is
held to by either parser: nesting, nodes, and text multiplied by aliases."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from drift import yamlruamel
from drift.yamldoc import MAX_BYTES, MAX_EXPANDED, MAX_NODES, Located, YamlProblems
from drift.yamlfile import load_located, parse_text

Parse = Callable[[str, str], Located]


def _fast(text: str, name: str) -> Located:
    from drift import yamlfast

    return yamlfast.parse(text, name)


PARSERS = {"ruamel": yamlruamel.parse, "libyaml": _fast, "auto": parse_text}


def problem(parse: Parse, text: str) -> str:
    with pytest.raises(YamlProblems) as caught:
        parse(text, "p.yaml")
    (only,) = caught.value.problems
    return str(only)


# -- reading: regular files only, size before content ----------------------------------------


def refused(path: Path) -> str:
    with pytest.raises(YamlProblems) as caught:
        load_located(path, display="p.yaml")
    (only,) = caught.value.problems
    return str(only)


@pytest.mark.timeout(10)
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "staging.yaml"
    os.mkfifo(fifo)
    assert refused(fifo) == "p.yaml:1: not a regular file (a named pipe)"


@pytest.mark.timeout(10)
def test_a_symlink_to_an_endless_device_is_refused_before_reading(tmp_path: Path) -> None:
    link = tmp_path / "staging.yaml"
    link.symlink_to("/dev/zero")
    assert refused(link) == "p.yaml:1: not a regular file (a character device)"


@pytest.mark.timeout(20)
def test_profiles_validate_does_not_wait_on_a_named_pipe(tmp_path: Path) -> None:
    from drift.errors import DriftError
    from drift.profiles.loader import load_profile, validate_directory

    os.mkfifo(tmp_path / "staging.yaml")
    _, problems = validate_directory(tmp_path)
    assert [p.message for p in problems] == ["not a regular file (a named pipe)"]
    with pytest.raises(DriftError):  # the loader itself asks `is_file()` first
        load_profile(tmp_path, "staging")


def test_directories_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    assert refused(tmp_path / "dir.yaml") == "p.yaml:1: not a regular file (a directory)"
    assert refused(tmp_path / "nope.yaml") == "p.yaml:1: cannot read: No such file or directory"


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("project: p\n")
    (tmp_path / "staging.yaml").symlink_to(tmp_path / "real.yaml")
    assert load_located(tmp_path / "staging.yaml").data == {"project": "p"}


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    size = MAX_BYTES + 1
    assert refused(path) == f"p.yaml:1: file is {size} bytes; the limit is {MAX_BYTES} bytes"


def test_a_file_that_grows_after_the_size_check_is_read_no_further_than_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"#" * (3 * MAX_BYTES))
    real_stat = os.stat
    small = os.stat_result((*real_stat(path)[:6], 10, *real_stat(path)[7:]))
    reads: list[int] = []
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        reads.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(os, "stat", lambda p, *a, **k: small if Path(p) == path else real_stat(p))
    monkeypatch.setattr(os, "read", read)
    assert refused(path) == (
        f"p.yaml:1: file is more than {MAX_BYTES} bytes; the limit is {MAX_BYTES} bytes"
    )
    assert sum(reads) <= MAX_BYTES + 1 + 65536


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"project: \xff\n")
    assert refused(tmp_path / "bad.yaml") == "p.yaml:1: not UTF-8 text"


def test_not_utf8_names_its_line(tmp_path: Path) -> None:
    """A Latin-1 `é` pasted on line 6: that line, as pyproject.toml's reader says (it was
    line 1 whatever the line)."""
    (tmp_path / "staging.yaml").write_bytes(
        b'project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: "caf\xe9"\n'
    )
    assert refused(tmp_path / "staging.yaml") == "p.yaml:6: not UTF-8 text"


# -- limits, in both parsers -----------------------------------------------------------------


def billion_laughs(scale: int = 1) -> str:
    """820 KB: a 400 KB string and 140 000 aliases of it (56 GB once expanded); `scale` 10:
    82 KB and 560 MB, for the pure-Python reference parser (it scans 820 KB in ~15 s)."""
    string, aliases = 400_000 // scale, 140_000 // scale
    return 'a: &a "' + "x" * string + '"\nb: [' + ",".join(["*a"] * aliases) + "]\n"


# a hang guard, not a timing target: an expanding parser would run for minutes; ruamel's
# bomb is ten times larger
@pytest.mark.parametrize(
    "parser",
    [pytest.param(p, marks=pytest.mark.timeout(60 if p == "ruamel" else 10)) for p in PARSERS],
)
def test_a_billion_laughs_is_refused_not_expanded(parser: str, tmp_path: Path) -> None:
    text = billion_laughs(10 if parser == "ruamel" else 1)
    assert 80_000 < len(text) < 850_000
    message = problem(PARSERS[parser], text)
    assert message == (
        f"p.yaml:1: aliases expand the document to more than {MAX_EXPANDED} characters of text"
    )
    if parser == "auto":
        (tmp_path / "bomb.yaml").write_text(text)
        assert refused(tmp_path / "bomb.yaml") == message


def alias_bomb(width: int, levels: int) -> str:
    """A list of three nodes on lines 2-4 (`x`, `yy`, a mapping `{k: v}` of two), aliased
    `width` times at each of `levels` levels: width ** levels copies of it."""
    text = "a: &a\n  - x\n  - yy\n  - {k: v}\n"
    names = "abcdefghijk"
    for alias, anchor in zip(names[:levels], names[1 : levels + 1], strict=True):
        text += f"{anchor}: &{anchor} [" + ", ".join([f"*{alias}"] * width) + "]\n"
    return text


@pytest.mark.parametrize("parser", list(PARSERS))
@pytest.mark.parametrize(("width", "levels", "line"), [(4, 10, 2), (6, 8, 3), (7, 8, 4)])
def test_an_alias_bomb_is_refused_at_the_node_that_crosses_the_limit(
    parser: str, width: int, levels: int, line: int
) -> None:
    """At the line of the node that is the (MAX_NODES + 1)th in reading order, every alias
    counted at each use: a copy the limit can take whole is counted at once (not built), so
    the node that crosses it must still be the one found (these lines are what drift said
    when it built every copy up to the limit)."""
    message = problem(PARSERS[parser], alias_bomb(width, levels))
    assert message == f"p.yaml:{line}: more than {MAX_NODES} YAML nodes"


@pytest.mark.parametrize("parser", list(PARSERS))
def test_a_partial_document_is_read_with_every_alias_in_place(parser: str) -> None:
    """A problem noted (a duplicate key) after an alias counted at once: the document is read
    again with each alias built where it stands (`drift.yamldoc.ReadAgain`), so the partial
    document handed back has the lines an in-place reading gives — the duplicate's value,
    walked after the alias, gives `c.b` its line; an alias built last would take it back."""
    with pytest.raises(YamlProblems) as raised:
        PARSERS[parser]("a: &x {b: 1}\nc: *x\nc: {b: 2}\n", "p.yaml")
    partial = raised.value.partial
    assert partial is not None and partial.data == {"a": {"b": 1}, "c": {"b": 1}}
    assert partial.lines == {("a",): 1, ("a", "b"): 1, ("c",): 2, ("c", "b"): 3}


@pytest.mark.parametrize("parser", list(PARSERS))
def test_reasonable_aliases_are_fine(parser: str) -> None:
    text = "common: &bad [localhost, 127.0.0.1]\n" + "".join(
        f"s{i}: {{not: *bad, pattern: x}}\n" for i in range(2000)
    )
    doc = PARSERS[parser](text, "p.yaml")
    assert doc.data["s1999"] == {"not": ["localhost", "127.0.0.1"], "pattern": "x"}
    assert doc.lines[("s1999", "not")] == 2001
    assert doc.lines[("s1999", "not", 1)] == 1  # an alias's items are where the anchor is


@pytest.mark.parametrize("parser", list(PARSERS))
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: _\nb: +_\n", "p.yaml:2: invalid YAML: '+_' is not a valid int"),
        ("a: 0b_\n", "p.yaml:1: invalid YAML: '0b_' is not a valid int"),
        ("a:\n  - ._\n", "p.yaml:2: invalid YAML: '._' is not a valid float"),
        # an integer not written as it reads back: its text is meant, a number changes it
        ("a: 8080\nb: 01234\n", "p.yaml:2: write 01234 in quotes: as a YAML number it reads 1234"),
        ("a:\n  - 0x1F\n", "p.yaml:2: write 0x1F in quotes: as a YAML number it reads 31"),
        ("a: {x: +5}\n", "p.yaml:1: write +5 in quotes: as a YAML number it reads 5"),
        ("a: 1\n007: x\n", "p.yaml:2: write 007 in quotes: as a YAML number it reads 7"),
        ("a: [0o17, '1000']\n", "p.yaml:1: write 0o17 in quotes: as a YAML number it reads 15"),
        # revinput60 F5: the merge key named, and what to write instead
        (
            "b: &b {x: 1}\na: {<<: *b}\n",
            "p.yaml:2: unsupported key << (YAML 1.1's merge key: write",
        ),
        ("a: 1\n1.5: x\n", "p.yaml:2: unsupported key '1.5'"),
        ("a: 1\n~: x\n", "p.yaml:2: unsupported key '~'"),
        ("1: a\n'1': b\n", 'p.yaml:2: invalid YAML: duplicate key "1"'),
        ("true: a\nTrue: b\n", 'p.yaml:2: invalid YAML: duplicate key "true"'),
        ("a: 1\n? [x]\n: 2\n", "p.yaml:2: unsupported key (a plain name is expected)"),
        ("a:\n" + "".join(" " * i + "a:\n" for i in range(1, 40)), "nested deeper than 32"),
    ],
)
def test_the_same_problems_in_both_parsers(parser: str, text: str, message: str) -> None:
    assert message in problem(PARSERS[parser], text)


@pytest.mark.parametrize("parser", list(PARSERS))
def test_equals_and_two_less_thans_are_text_as_yaml_1_2_reads_them(parser: str) -> None:
    """YAML 1.2's core schema (§10.3.2) types no `=` and no `<<`: both are strings. They were
    "unsupported YAML tag tag:yaml.org,2002:value" (YAML 1.1's types, which ruamel's 1.2
    resolver still has): a variable `SEPARATOR: =` could not be written (revyaml87 F4). A
    `<<` key is still the merge key, refused as one."""
    doc = PARSERS[parser]("a: =\nb: <<\nc: [=, <<, &x =, *x]\n=: d\n", "p.yaml")
    assert doc.data == {"a": "=", "b": "<<", "c": ["=", "<<", "=", "="], "=": "d"}
    assert "unsupported key <<" in problem(PARSERS[parser], "a: 1\n<<: {b: 2}\n")


@pytest.mark.parametrize("parser", ["ruamel", "auto"])  # the fast path hands it back
def test_a_second_document_says_what_was_expected(parser: str) -> None:
    """Said "invalid YAML: but found another document" (the second half of ruamel's words)."""
    assert problem(PARSERS[parser], "a: 1\n---\nb: 2\n") == (
        "p.yaml:2: invalid YAML: expected a single document in the stream, "
        "but found another document"
    )


@pytest.mark.parametrize("parser", list(PARSERS))
def test_integers_written_as_they_read_back_are_numbers(parser: str) -> None:
    doc = PARSERS[parser]("a: 8080\nb: -1\nc: 0\nd: '01234'\ne: [7, \"0x1F\"]\n", "p.yaml")
    assert doc.data == {"a": 8080, "b": -1, "c": 0, "d": "01234", "e": [7, "0x1F"]}


@pytest.mark.parametrize("text", ["a: !!bool maybe\n", "a: !!int ''\n", "a: !!float x\n"])
def test_explicit_tags_that_cannot_be_read_are_problems_not_tracebacks(text: str) -> None:
    kind = text.split("!!")[1].split()[0]
    assert problem(parse_text, text).endswith(f"is not a valid {kind}")


EVERY = """a: [0o17, 1_000]
b: 1
b: {c: 0x1F}
d: +_
"""


@pytest.mark.parametrize("parser", list(PARSERS))
def test_every_problem_of_a_value_is_said_at_once(parser: str) -> None:
    """revbaseline 7: `profiles validate` promises every problem; the reading stopped at the
    first number to quote (`0o14` hid `0x1F`). A value's problem is noted and the reading
    goes on; what ends it (syntax, a limit) still ends it, after what was noted."""
    with pytest.raises(YamlProblems) as caught:
        PARSERS[parser](EVERY, "p.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "p.yaml:1: write 0o17 in quotes: as a YAML number it reads 15",
        "p.yaml:1: write 1_000 in quotes: as a YAML number it reads 1000",
        'p.yaml:3: invalid YAML: duplicate key "b" (first at line 2)',
        "p.yaml:3: write 0x1F in quotes: as a YAML number it reads 31",
        "p.yaml:4: invalid YAML: '+_' is not a valid int",
    ]
    partial = caught.value.partial
    assert partial is not None and partial.data["b"] == 1  # the first of the duplicates
    deep = "a: 0x1F\nb:\n" + "".join(" " * i + "a:\n" for i in range(1, 40))
    with pytest.raises(YamlProblems) as caught:
        PARSERS[parser](deep, "p.yaml")
    first, last = caught.value.problems
    assert "write 0x1F in quotes" in str(first) and "nested deeper than 32" in str(last)
