"""The fast path (libyaml, drift.yamlfast) and the reference path (ruamel.yaml, drift.yamlruamel)
read every document the same: same data (types included), same lines, same problems.

Property tests over arbitrary YAML-like text and over profile-like documents written in every
style; the fast path may hand a document back (`Fallback`), never read it differently."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from drift import yaml12, yamlfast, yamlruamel
from drift.yamldoc import YamlProblems
from drift.yamlfile import parse_text
from tests.profiles.generate import profile_text
from tests.profiles.yamlwriter import documents, yaml_text

REPO = Path(__file__).resolve().parents[2]
_CONFIGURED = settings().max_examples
# `make test` runs the "ci" profile, derandomized: the same examples every run, a regression
# net (150 and 75 documents); HYPOTHESIS_PROFILE=explore searches anew.
PROPERTY = settings(
    max_examples=max(_CONFIGURED, 150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
STRUCTURED = settings(PROPERTY, max_examples=max(_CONFIGURED, 75))  # larger documents

Outcome = tuple[Any, ...]


def typed(value: Any) -> Any:
    """Data with every scalar's type made explicit (True is not 1, NaN equals NaN)."""
    if isinstance(value, dict):
        return ("map", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(v) for v in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    return (type(value).__name__, value)


def outcome(parse: Any, text: str) -> Outcome:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference path warns about reused anchors
        try:
            doc = parse(text, "t.yaml")
        except YamlProblems as exc:
            return ("refused", [(p.line, p.message) for p in exc.problems])
    spelled = sorted(doc.spelled.items(), key=repr)
    return ("read", typed(doc.data), sorted(doc.lines.items(), key=repr), spelled)


def fast(text: str) -> Outcome | None:
    """The fast path's own reading, or None when it hands the document back."""
    try:
        return outcome(yamlfast.parse, text)
    except yamlfast.Fallback:
        return None


def assert_same(text: str, *, fast_reads_it: bool = False) -> None:
    """What drift makes of `text` (`parse_text`: the fast path unless it hands back) is what
    the reference path makes of it."""
    reference = outcome(yamlruamel.parse, text)
    mine = fast(text)
    if currently_in_test_context():  # `--hypothesis-show-statistics` shows the share of each
        event("fast path: " + ("handed back" if mine is None else reference[0]))
    if mine is None:
        assert not fast_reads_it, f"handed back: {text!r}"
    else:
        assert mine == reference, text


YAML_BITS = [
    "a", "b", "key", "x y", "- ", "-", ": ", ":", "? ", "?", ",", "[", "]", "{", "}", "&a ",
    "&b ", "*a", "*b", " *a ", "'q'", "'it''s'", '"d"', '"\\t\\x41\\u00e9"', '"\\/"', "|", "|-",
    ">", ">+", "#", " # c", "!!str ", "!!int ", "! ", "!t ", "%YAML 1.1", "---", "...", "true",
    "True", "yes", "no", "on", "off", "y", "~", "null", "0o17", "017", "0x1F", "0b1", "1_000",
    "1e3", "1.5", ".inf", "-.Inf", ".nan", "._", "_", "+_", "2026-12-31", "2001-12-14 21:59:43",
    "<<", "=", "1:20", "é", "\u00a0", "\ufeff", "\t", "\r", "\r\n", "\x85", "\u2028", "\\",
    "@", "`", "%", "0", "-1", " ", "  ", "    ",
]  # fmt: skip


@st.composite
def yaml_like(draw: st.DrawFn) -> str:
    """Lines of YAML tokens at random indents: mostly-plausible YAML, often invalid."""
    lines = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["", " ", "  ", "    "]),
                st.lists(st.sampled_from(YAML_BITS), max_size=6),
            ),
            max_size=8,
        )
    )
    return "\n".join(indent + "".join(bits) for indent, bits in lines)


@PROPERTY
@given(yaml_like())
@example("a:\t1")  # the reference path refuses the tab; libyaml would take it
@example("a: 1\x85b: 2")  # NEL breaks a line for libyaml only
@example("? |\n  x\n: 1")
@example("[a: 1, b]")
@example("a: &x 1\nb: &x 2\nc: *x")
@example("\ufeff\ufeffa: 1")  # libyaml skips every leading BOM, the reference only one
@example("[&a: 3]")  # `a:` is the anchor's name in YAML 1.2, `a` for libyaml
@example('["a":b]')  # the reference refuses a JSON-like key without a space in [..]
@example("[{a: 1}:b]")
@example("a: |\n \n  x\n")  # the reference refuses this blank line before the text
@example("a: |#\n  x\n")  # the reference wants a space before a header's comment
@example("a: 1\n...\n...\n")  # `...` twice: YAML 1.2 and libyaml take it, the reference not
@example("---\n{}\n...\r...")  # the same after a bare CR, a line break too
@example("a: &k b\nc:\n  x: 1\n  *k : 2\nd: &m {x: 1}\ne:\n  *m : 2\n")  # alias keys' lines
@example("a: &x ._\nb: *x\n")  # an alias to a scalar that cannot be read: said at each use
def test_yaml_like_text(text: str) -> None:
    assert_same(text)


@PROPERTY
@given(st.text(max_size=60))
def test_any_text(text: str) -> None:
    assert_same(text)


@STRUCTURED
@given(st.data())
def test_profile_like_documents_in_every_style(data: st.DataObject) -> None:
    """Valid YAML by construction (no tags, tabs or reused anchors): the fast path reads it
    itself, and exactly as the reference path does (including the problems drift finds:
    duplicate keys, unsupported keys, merge keys, numbers that are not numbers)."""
    text = yaml_text(data.draw(documents()), data.draw)
    assert_same(text, fast_reads_it=True)


@STRUCTURED
@given(st.data())
def test_damaged_profile_like_documents(data: st.DataObject) -> None:
    text = yaml_text(data.draw(documents()), data.draw)
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    insert = data.draw(st.sampled_from(YAML_BITS + ["\n", "\n  ", "\n- "]))
    assert_same(text[:at] + insert + text[at + cut :])


def test_parse_text_reads_with_the_fast_path_and_hands_back_to_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_fast, real_reference = yamlfast.parse, yamlruamel.parse

    def fast_parse(text: str, name: str, integers: Any) -> Any:
        calls.append("fast")
        return real_fast(text, name, integers)

    def reference_parse(text: str, name: str, integers: Any) -> Any:
        calls.append("reference")
        return real_reference(text, name, integers)

    monkeypatch.setattr(yamlfast, "parse", fast_parse)
    monkeypatch.setattr(yamlruamel, "parse", reference_parse)
    assert parse_text("a: 1\n", "t.yaml").data == {"a": 1} and calls == ["fast"]
    calls.clear()
    assert parse_text("a: !!str 1\n", "t.yaml").data == {"a": "1"}
    assert calls == ["fast", "reference"]
    calls.clear()
    with pytest.raises(YamlProblems, match="t.yaml:2: invalid YAML: expected ',' or ']'"):
        parse_text("a: [1, 2\nb: 3\n", "t.yaml")
    assert calls == ["fast", "reference"]  # the reference path's words for syntax errors


def test_what_drift_reads_is_read_by_the_fast_path() -> None:
    """Real profiles, scenarios and generated profiles never need the reference path."""
    texts = [p.read_text() for p in sorted((REPO / "profiles").glob("*.yaml"))]
    texts += [p.read_text() for p in sorted((REPO / "drift/sandbox/scenarios").glob("*.yaml"))]
    texts.append(profile_text(20, 30))
    for text in texts:
        assert_same(text, fast_reads_it=True)


# -- the YAML 1.2 scalars --------------------------------------------------------------------


def test_the_patterns_are_ruamels() -> None:
    from ruamel.yaml.resolver import implicit_resolvers

    theirs = [
        (tag, regexp.pattern, "".join(first))
        for versions, tag, regexp, first in implicit_resolvers
        if (1, 2) in versions
    ]
    assert [(tag, regexp.pattern, first) for tag, regexp, first in yaml12.IMPLICIT] == theirs


SCALARS = [
    "yes", "no", "on", "off", "y", "Y", "n", "true", "True", "TRUE", "tRue", "false", "0o17",
    "017", "-017", "0x1F", "0x_1f", "0b101", "-0b1", "+12", "1_000", "1__0", "_", "+_", "-",
    "0", "-0", "00", "09", "1.5", "1.", ".5", "-.5", "1e3", "1E+3", "1.5e-3", "1_1.2_2", "._",
    ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "-.nan", "inf", "nan", "2026-12-31", "2026-1-1",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "1:20", "190:20:30.15", "<<",
    "=", "~", "null", "Null", "NULL", "nULL", "", "0b", "0x", "0o", "0b2", "0o8", "0xg",
]  # fmt: skip


@pytest.mark.parametrize("text", SCALARS)
def test_each_plain_scalar_reads_as_the_reference_reads_it(text: str) -> None:
    assert_same(f"v: {text}\n{text or '~x'}: k\nl: [{text}]\n")


@PROPERTY
@given(st.text(alphabet="0123456789_.-+eExXoObBa:~ ntrufalsyNIf", max_size=12))
def test_number_like_plain_scalars(text: str) -> None:
    assert_same(f"v: {text}\n")


# -- without libyaml -------------------------------------------------------------------------


def test_without_libyaml_the_reference_path_reads_everything(tmp_path: Path) -> None:
    """PyYAML built without libyaml (no `yaml._yaml`): drift reads with ruamel.yaml alone."""
    path = tmp_path / "p.yaml"
    path.write_text(profile_text(3, 5) + "extra: {a: 1, a: 2}\n")
    script = (
        "import sys; sys.modules['yaml._yaml'] = None\n"
        "import yaml; assert not yaml.__with_libyaml__\n"
        "from pathlib import Path\n"
        "from drift import yamlfast, yamlruamel\n"
        "from drift.yamlfile import YamlProblems, load_located\n"
        "assert not yamlfast.available()\n"
        "calls = []\n"
        "real = yamlruamel.parse\n"
        "yamlruamel.parse = lambda *a: calls.append(1) or real(*a)\n"
        f"try: load_located(Path({str(path)!r}), display='p.yaml')\n"
        "except YamlProblems as exc: print(exc.problems[0])\n"
        "print(len(calls))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = profile_text(3, 5).count("\n") + 1
    assert done.stdout.split("\n")[:2] == [f'p.yaml:{lines}: invalid YAML: duplicate key "a"', "1"]


def test_forcing_the_reference_path_gives_the_same_located_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = profile_text(5, 12)
    fast_doc = parse_text(text, "p.yaml")
    monkeypatch.setattr(yamlfast, "available", lambda: False)
    slow_doc = parse_text(text, "p.yaml")
    assert typed(fast_doc.data) == typed(slow_doc.data) and fast_doc.lines == slow_doc.lines


def test_a_tab_indentation_says_yaml_indents_with_spaces() -> None:
    """A profile indented with tabs (an editor's default) is refused at its line, saying why
    in the words a person fixes it by; a tab inside a quoted value is only a character."""
    with pytest.raises(YamlProblems) as caught:
        parse_text("services:\n\tapi:\n\t\timage: x\n", "t.yaml")
    assert str(caught.value.problems[0]) == (
        "t.yaml:2: invalid YAML: found character '\\t' that cannot start any token "
        "(YAML indents with spaces, never tabs)"
    )
    assert parse_text('a: "x\\ty"\nb: "p\tq"\n', "t.yaml").data == {"a": "x\ty", "b": "p\tq"}
