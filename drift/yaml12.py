"""YAML 1.2 plain scalars as the reference path (ruamel.yaml's 1.2 resolver and safe
constructor) reads them, for parsers that hand over text: `true`/`false` only (not `yes`,
`on`), `0o17` octal but `017` decimal, `1_000`, `.inf`/`.nan`, dates left as text.

The patterns are ruamel.yaml's, copied verbatim (tests compare them with the installed
library), and are tried in the same order for the same first characters."""

from __future__ import annotations

import re

STR = "tag:yaml.org,2002:str"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
VALUE = "tag:yaml.org,2002:value"
YAML = "tag:yaml.org,2002:yaml"

# fmt: off
IMPLICIT: list[tuple[str, re.Pattern[str], str]] = [
    (BOOL, re.compile('''^(?:true|True|TRUE|false|False|FALSE)$''', re.X), "tTfF"),
    (FLOAT, re.compile('''^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$''', re.X), "-+0123456789."),
    (INT, re.compile('''^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$''', re.X), "-+0123456789"),
    (MERGE, re.compile('^(?:<<)$'), "<"),
    (NULL, re.compile('''^(?: ~
        |null|Null|NULL
        | )$''', re.X), "~nN"),
    (TIMESTAMP, re.compile('''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X), "0123456789"),
    (VALUE, re.compile('^(?:=)$'), "="),
    (YAML, re.compile('^(?:!|&|\\*)$'), "!&*"),
]
# fmt: on

BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in IMPLICIT:
    for _char in _first:
        BY_FIRST.setdefault(_char, []).append((_tag, _pattern))


def resolve(text: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar."""
    if not text:
        return NULL
    for tag, pattern in BY_FIRST.get(text[0], ()):
        if pattern.match(text):
            return tag
    return STR


_INF = float("inf")
_NAN = -_INF / _INF  # as ruamel.yaml makes it

CONSTRUCTED = frozenset({STR, BOOL, INT, FLOAT, NULL})
TEXT = frozenset({STR, TIMESTAMP, VALUE, MERGE})
"""The tags of plain scalars drift reads as their text: strings; dates (the models parse them,
with a line); and `=` and `<<`, which the patterns type as YAML 1.1 did (value, merge) where
YAML 1.2's core schema reads strings (§10.3.2: what no other tag matches is `!!str`). A `<<`
key is still YAML 1.1's merge key, and refused as one (`drift.yamldoc.MERGE_KEY`)."""


def construct(tag: str, text: str) -> object:
    """The value of a scalar of one of the CONSTRUCTED tags, as ruamel.yaml's 1.2 safe
    constructor makes it (and raising what it raises: ValueError, IndexError, KeyError)."""
    if tag == STR:
        return text
    if tag == NULL:
        return None
    if tag == BOOL:
        return {"true": True, "false": False}[text.lower()]
    if tag == INT:
        return _int(text)
    if tag == FLOAT:
        return _float(text)
    raise KeyError(tag)


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == "0":
        return 0
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    return sign * int(digits)


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == ".inf":
        return sign * _INF
    if digits == ".nan":
        return _NAN
    return sign * float(digits)
