"""Profile-like YAML documents for property tests: a tree of keys and scalar texts
(`documents()`), written out as valid YAML in styles drawn at random (`yaml_text`): block and
flow collections, plain, quoted and block scalars, anchors and aliases, comments, blank lines,
CRLF, `---`/`...`, explicit `?` keys, indentless sequences.

Plain scalars are written as they are (so `017`, `yes`, `.inf`, `<<`, `2026-12-31` are read
as whatever YAML 1.2 makes of them); other text is quoted. No tags, tabs or reused anchors:
those the fast path hands back on purpose."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

Node = tuple[Any, ...]  # ("scalar", text) | ("map", [(key, node)]) | ("seq", [node])
Draw = Callable[[st.SearchStrategy[Any]], Any]

WORDS = [
    "project", "region", "extends", "defaults", "services", "env", "settings", "probe",
    "ignore", "unexpected_env", "value", "secret", "version", "required", "optional",
    "forbidden", "pattern", "not", "one_of", "min_length", "same_as", "severity", "timeout",
    "min_instances", "until", "api", "auth", "API_KEY", "LOG_LEVEL", "us-central1", "60s",
]  # fmt: skip
TRICKY = [
    "yes", "no", "on", "off", "y", "true", "True", "FALSE", "0o17", "017", "0x1F", "0b101",
    "1_000", "+12", "-0", "1.5", "1.", ".5", "1e3", "-1.5e-3", ".inf", "-.Inf", ".NaN", "._",
    "_", "+_", "0b_", "2026-12-31", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    "1:20", "<<", "=", "~", "null", "Null", "", "0", "00", "latest", "^[a-z]+$", "x y",
    "http://x:8080/a#b", "a: b", "- x", "# not a comment", "'q'", '"d"', "it's", "{a}", "[b]",
    "*a", "&b", "!c", "%d", "@e", "`f`", "?", ":", "-", "|", ">", "é", "中文", "😀", "\u00a0x",
    "line\nbreak", "trailing\n", " lead", "trail ", "two\n\nparas\n",
]  # fmt: skip
ALPHABET = "abcXYZ019 _-.:,#'\"\\{}[]&*!|>%@`?~=<+/éü中😀\u00a0\n"
KEY_ALPHABET = "abcXYZ019_-.é"

_PLAIN = re.compile(r"(?:[A-Za-z0-9_.~=<+/éü中😀]|-(?=[0-9.]))[A-Za-z0-9_.~=<+/éü中😀 :-]*")
_LITERAL = re.compile(r"[^\s\n][^\n]*(?:\n[^\s\n][^\n]*)*\n?")


def scalar_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(TRICKY),
        st.sampled_from(WORDS),
        st.text(alphabet=ALPHABET, max_size=12),
        st.integers(-(2**40), 2**40).map(str),
        st.floats(allow_nan=False).map(repr),
    )


def keys() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(WORDS),
        st.sampled_from(TRICKY),
        st.text(alphabet=KEY_ALPHABET, min_size=1, max_size=8),
    )


@functools.cache
def documents() -> st.SearchStrategy[Node]:
    """One strategy, built once: a recursive strategy is validated whole the first time it is
    drawn from, and a new one at each draw was a fifth of the CPU of the tests drawing it."""
    tree = st.recursive(
        scalar_texts().map(lambda text: ("scalar", text)),
        lambda children: st.one_of(
            st.lists(st.tuples(keys(), children), max_size=5).map(lambda kv: ("map", kv)),
            st.lists(children, max_size=4).map(lambda items: ("seq", items)),
        ),
        max_leaves=20,
    )
    return st.one_of(
        st.lists(st.tuples(keys(), tree), min_size=1, max_size=6).map(lambda kv: ("map", kv)),
        tree,
    )


def yaml_text(doc: Node, draw: Draw) -> str:
    writer = _Writer(draw)
    body = writer.block(doc, 0, top=True)
    if draw(st.booleans()):
        body = "---\n" + body + ("...\n" if draw(st.booleans()) else "")
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return body.replace("\n", newline)


class _Writer:
    def __init__(self, draw: Draw) -> None:
        self.draw = draw
        self.width = draw(st.sampled_from([2, 4]))
        self.done: list[str] = []  # anchors whose node is complete
        self.count = 0

    def chance(self, percent: int) -> bool:
        return bool(self.draw(st.integers(0, 99)) < percent)

    # -- nodes ---------------------------------------------------------------------------------

    def props(self) -> str:
        if not self.chance(10):
            return ""
        self.count += 1
        return f"&a{self.count} "

    def alias(self) -> str | None:
        if self.done and self.chance(8):
            return "*" + self.draw(st.sampled_from(self.done))
        return None

    def finish(self, props: str) -> None:
        if props:
            self.done.append(props[1:-1])

    def block(self, node: Node, indent: int, *, top: bool = False) -> str:
        """`node` as the value of a block context at `indent` (text starts right after a
        `key:` or `- `, or at the start of the document when `top`)."""
        alias = None if top else self.alias()
        if alias is not None:
            return f" {alias}\n"
        kind = node[0]
        if kind == "scalar" or not node[1] or self.chance(15):
            if kind == "scalar":
                props = "" if top else self.props()
                text = props + self.scalar(node[1], indent, True)
                self.finish(props)
            else:
                text = self.flow(node)
            if text.endswith("\n"):  # a literal block scalar
                return text if top else f" {text}"
            return f"{'' if top else ' '}{text}{self.comment()}\n"
        props = "" if top else self.props()
        pad = " " * indent
        out = "" if top else (f" {props.strip()}\n" if props else "\n")
        if kind == "map":
            for key, value in node[1]:
                out += self.blank() + pad + self.key(key, indent, value)
        else:
            for item in node[1]:
                out += self.blank() + pad + "-"
                if item[0] == "map" and item[1] and self.chance(50):  # `- key: value`
                    inner = indent + 2  # the column of the first key
                    first, *rest = item[1]
                    out += " " + self.key(first[0], inner, first[1])
                    out += "".join(
                        self.blank() + " " * inner + self.key(k, inner, v) for k, v in rest
                    )
                else:
                    out += self.block(item, indent + self.width)
        self.finish(props)
        return out

    def key(self, key: str, indent: int, value: Node) -> str:
        explicit = self.chance(5)  # `? key` on its own line, then `: value`
        child = indent + self.width
        if value[0] == "seq" and value[1] and not explicit and self.chance(30):
            child = indent  # an indentless sequence: `key:` then `- item` at the same indent
        written = self.alias() or self.scalar(key, indent, False, key=True)
        if written.startswith("*"):
            written += " "
        if explicit:
            return f"? {written}\n{' ' * indent}:{self.block(value, child)}"
        return f"{written}:{self.block(value, child)}"

    def flow(self, node: Node) -> str:
        alias = self.alias()
        if alias is not None:
            return alias
        props = self.props()
        if node[0] == "scalar":
            text = self.scalar(node[1], 0, False, flow=True)
        elif node[0] == "map":
            parts = []
            for key, value in node[1]:
                written = self.alias() or self.scalar(key, 0, False, key=True, flow=True)
                if written.startswith("*"):
                    written += " "
                parts.append(f"{written}: {self.flow(value)}")
            text = "{" + ", ".join(parts) + "}"
        else:
            text = "[" + ", ".join(self.flow(item) for item in node[1]) + "]"
        self.finish(props)
        return props + text

    def scalar(
        self, text: str, indent: int, block: bool, *, key: bool = False, flow: bool = False
    ) -> str:
        styles = ["double", "single"]
        if text == "" and block and not key:
            styles.append("plain")
        if _PLAIN.fullmatch(text) and not text.endswith(" ") and not (flow and ":" in text):
            if not text.startswith(("---", "...")) and ": " not in text and not text.endswith(":"):
                styles += ["plain"] * 4
        if block and not key and _LITERAL.fullmatch(text) and len(text) > 0:
            styles.append("literal")
        style = self.draw(st.sampled_from(styles))
        if style == "plain":
            breaks = [m.start() for m in re.finditer(r" (?=[A-Za-z0-9])", text)]
            if block and not key and breaks and self.chance(30):  # folded onto the next line
                at = self.draw(st.sampled_from(breaks))
                return text[:at] + "\n" + " " * (indent + self.width) + text[at + 1 :]
            return text
        if style == "single" and "\n" not in text:
            return "'" + text.replace("'", "''") + "'"
        if style == "literal":
            chomp = "-" if not text.endswith("\n") else ""
            pad = " " * (indent + self.width)
            body = "".join(pad + line + "\n" for line in text.rstrip("\n").split("\n"))
            return f"|{chomp}\n{body}"
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + escaped + '"'

    def comment(self) -> str:
        return "  # note" if self.chance(10) else ""

    def blank(self) -> str:
        if self.chance(5):
            return "\n"
        if self.chance(5):
            return " " * self.draw(st.integers(0, 6)) + "# comment line\n"
        return ""
