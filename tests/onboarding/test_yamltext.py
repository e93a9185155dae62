"""Hand-written YAML scalars read back as the very same string."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from drift.onboarding.yamltext import scalar


def read_back(text: str, *, flow: bool = False) -> object:
    doc = f"k: {{v: {text}, w: x}}\n" if flow else f"k: {text}\n"
    data = YAML(typ="rt").load(io.StringIO(doc))
    return data["k"]["v"] if flow else data["k"]


@given(st.text())
def test_any_text_reads_back(text: str) -> None:
    assert read_back(scalar(text)) == text
    assert read_back(scalar(text, flow=True), flow=True) == text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("staging", "staging"),
        ("https://auth.staging.acme-chat.dev", "https://auth.staging.acme-chat.dev"),
        ("presence,typing-indicators", "presence,typing-indicators"),
        ("10.24.0.3", '"10.24.0.3"'),  # a float to a literal YAML 1.1 reader
        ("v1.2.3", "v1.2.3"),
        ("=", '"="'),
        ("3600s", "3600s"),
        ("true", '"true"'),
        ("Off", '"Off"'),
        ("1", '"1"'),
        ("1.10", '"1.10"'),
        ("0755", '"0755"'),
        ("1e3", '"1e3"'),
        ("0x1F", '"0x1F"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("1:20", '"1:20"'),
        ("2026-01-01", '"2026-01-01"'),
        ("", '""'),
        ("a: b", '"a: b"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("a\u202eb", '"a\\u202eb"'),  # a bidi override: the line would show reordered
        ("x\U000e0041y", '"x\\U000e0041y"'),  # a tag character: shown as nothing
        ("a\u200bb", '"a\\u200bb"'),  # a zero-width space
    ],
)
def test_plain_only_when_unambiguous(text: str, written: str) -> None:
    assert scalar(text) == written


def test_flow_context_quotes_commas() -> None:
    assert scalar("a,b", flow=True) == '"a,b"'
    assert scalar("latest", flow=True) == "latest"


def test_reserved_indicator_is_quoted() -> None:
    """Found by hypothesis on a fresh machine: `@` cannot start a plain scalar."""
    from ruamel.yaml import YAML

    from drift.onboarding.yamltext import scalar

    for text in ("@", "@scope/pkg", "a@b"):
        assert YAML(typ="safe", pure=True).load(f"k: {scalar(text)}\n") == {"k": text}
    assert scalar("a@b") == "a@b" and scalar("@x") == '"@x"'
